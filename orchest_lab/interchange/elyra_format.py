"""Elyra's `.pipeline` files: IBM's pipeline-flow v3 JSON with Elyra's own `app_data`.

The facts the converters rely on: the document holds `pipelines[]`, one of which is the
`primary_pipeline`; each node's `app_data.component_parameters` carries its file, runtime image,
env vars and resources; edges are stored on the target node's input port
(`inputs[].links[].node_id_ref` names the parent); `app_data.version` is Elyra's own format
version (8 since Elyra 3.15/4).
"""

from __future__ import annotations

import json
from typing import Any

from ..pipeline import json_pointer, jsontext
from .report import ConversionError

ELYRA_SUFFIX = ".pipeline"
DOC_TYPE = "pipeline"
FLOW_VERSION = "3.0"
FLOW_SCHEMA_URL = (
    "http://api.dataplatform.ibm.com/schemas/common-pipeline/pipeline-flow/"
    "pipeline-flow-v3-schema.json"
)
ELYRA_VERSION = 8  # app_data.version that Elyra 4 writes and its validator asks for

# The generic nodes of Elyra, by the file type they run.
GENERIC_OPS = {
    ".ipynb": "execute-notebook-node",
    ".py": "execute-python-node",
    ".r": "execute-r-node",
}
NODE_IMAGES = {  # the icons Elyra's editor shows for its generic nodes
    ".ipynb": "/static/elyra/notebook.svg",
    ".py": "/static/elyra/py-logo.svg",
    ".r": "/static/elyra/r-logo.svg",
}
NODE_DESCRIPTIONS = {
    ".ipynb": "Run notebook file",
    ".py": "Run Python script",
    ".r": "Run R script",
}
# Elyra 4's pipeline parameter types (Kubeflow Pipelines), by the JSON type they hold.
PARAMETER_TYPES = {"String": str, "Integer": int, "Float": float, "Bool": bool}
RUNTIME_TYPE_KFP = "KUBEFLOW_PIPELINES"


def read_elyra(text: str) -> dict[str, Any]:
    """The document of a `.pipeline` file's text, checked as far as conversion needs it."""
    if text.strip() == "":
        raise ConversionError(
            "the file is empty; a .pipeline file is a JSON object", line=1, column=1
        )
    try:
        data = jsontext.loads(text)
    except json.JSONDecodeError as err:
        raise ConversionError(
            f"not valid JSON: {err.msg}", code="invalid-json", line=err.lineno, column=err.colno
        ) from err
    except RecursionError as err:
        raise ConversionError("nested too deeply to be read", code="invalid-json") from err
    except ValueError as err:
        raise ConversionError(f"not valid JSON: {err}", code="invalid-json") from err
    if not isinstance(data, dict):
        raise ConversionError("a .pipeline file must hold a JSON object", code="invalid-json")
    version = data.get("version")
    if str(version) not in (FLOW_VERSION, "3"):
        raise ConversionError(
            f"pipeline-flow version {json.dumps(version)[:40]} is not supported; "
            f"only version {FLOW_VERSION} (the format of Elyra 3 and 4) can be converted",
            json_pointer("version"),
            code="unsupported-version",
        )
    if data.get("doc_type", DOC_TYPE) != DOC_TYPE:
        raise ConversionError(
            f'doc_type is {json.dumps(data.get("doc_type"))[:40]}, not "pipeline"',
            json_pointer("doc_type"),
        )
    primary_pipeline(data)  # checks that there is one
    return data


def primary_pipeline(data: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    """(index, object) of the primary pipeline in `pipelines`."""
    pipelines = data.get("pipelines")
    if not isinstance(pipelines, list) or not pipelines:
        raise ConversionError("the file has no pipelines", json_pointer("pipelines"))
    wanted = data.get("primary_pipeline")
    for index, pipeline in enumerate(pipelines):
        if isinstance(pipeline, dict) and (wanted is None or pipeline.get("id") == wanted):
            nodes = pipeline.get("nodes", [])
            if not isinstance(nodes, list):
                raise ConversionError(
                    "'nodes' must be an array", json_pointer("pipelines", index, "nodes")
                )
            return index, pipeline
    raise ConversionError(
        f"no pipeline has the id of primary_pipeline ({json.dumps(wanted)[:60]})",
        json_pointer("primary_pipeline"),
    )


def node_label(node: dict[str, Any]) -> str:
    """How Elyra's editor names a node: its label, else its file's name, else its id."""
    app_data = node.get("app_data")
    app_data = app_data if isinstance(app_data, dict) else {}
    ui_data = app_data.get("ui_data")
    ui_data = ui_data if isinstance(ui_data, dict) else {}
    for label in (app_data.get("label"), ui_data.get("label")):
        if isinstance(label, str) and label.strip():
            return label
    parameters = component_parameters(node)
    filename = parameters.get("filename")
    if isinstance(filename, str) and filename:
        return filename.rsplit("/", 1)[-1]
    return str(node.get("id", "?"))


def component_parameters(node: dict[str, Any]) -> dict[str, Any]:
    app_data = node.get("app_data")
    parameters = app_data.get("component_parameters") if isinstance(app_data, dict) else None
    return parameters if isinstance(parameters, dict) else {}


def env_var_pairs(value: Any) -> list[tuple[str, str]]:
    """Env vars as Elyra writes them: [{env_var, value}] (Elyra 3.11+) or ["NAME=value"]."""
    pairs = []
    for item in value if isinstance(value, list) else []:
        if isinstance(item, dict) and isinstance(item.get("env_var"), str):
            raw = item.get("value")
            pairs.append((item["env_var"], "" if raw is None else str(raw)))
        elif isinstance(item, str) and "=" in item:
            name, _, text = item.partition("=")
            pairs.append((name.strip(), text))
    return [(name, text) for name, text in pairs if name]
