"""orchest-lab `.orchest` -> Elyra `.pipeline` (pipeline-flow v3, Elyra format version 8)."""

from __future__ import annotations

import json
import keyword
import os
import re
import sys
import uuid as uuid_lib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..pipeline import Dag, PipelineDocument, json_pointer
from .elyra_format import (
    DOC_TYPE,
    ELYRA_VERSION,
    FLOW_SCHEMA_URL,
    FLOW_VERSION,
    GENERIC_OPS,
    NODE_DESCRIPTIONS,
    NODE_IMAGES,
    RUNTIME_TYPE_KFP,
)
from .paths import check_step_file, rebase
from .report import Conversion, ConversionError, Unmapped

PARAMETER_TYPE_NAMES = {bool: "Bool", int: "Integer", float: "Float", str: "String"}
GPU = re.compile(r".*/gpu$")
# A container image reference (registry/name[:tag][@digest]), as Elyra's remote runtimes need.
IMAGE = re.compile(
    r"([\w.-]+(:\d+)?/)?[a-z0-9]+([._-][a-z0-9]+)*(/[a-z0-9]+([._-][a-z0-9]+)*)*"
    r"(:[\w][\w.-]{0,127})?(@sha256:[a-f0-9]{64})?"
)
# Elyra refuses a generic node without a runtime image, even in its local runtime, which ignores
# it; steps with no environment run on the server's Python, so they get its public image.
DEFAULT_RUNTIME_IMAGE = f"python:{sys.version_info.major}.{sys.version_info.minor}"
DEFAULT_SETTINGS = {
    "auto_eviction": False,
    "data_passing_memory_size": "1GB",
    "max_steps_parallelism": 0,
}


@dataclass
class _Export(Conversion):
    """`environments`: environment uuid -> name, of the source's project."""

    not_images: set[str] = field(default_factory=set)  # environment names already reported


def orchest_to_elyra(
    data: dict[str, Any],
    *,
    source_dir: Path,
    target_dir: Path,
    environments: Mapping[str, str],
    boundary: Path | None = None,
) -> tuple[dict[str, Any], list[Unmapped]]:
    """The Elyra document of an orchest pipeline, and what did not map. `environments`: the
    source project's environments, uuid -> name (a step's environment becomes the runtime image
    of that name)."""
    state = _Export(source_dir, target_dir, environments, boundary)
    document = PipelineDocument.from_object(data)
    steps = document.steps
    dag = Dag.from_steps(steps)
    cycles = dag.cycles()
    if cycles:
        names = " -> ".join(f"'{document.step_title(u)}'" for u in cycles[0])
        raise ConversionError(
            f"the steps form a cycle: {names}; a pipeline must be acyclic",
            json_pointer("steps", cycles[0][0], "incoming_connections"),
            code="cycle",
        )
    _pipeline_notes(state, document)
    parameter_list, parameter_names = _parameters(state, data.get("parameters"))
    env_vars = _env_vars(state, data.get("env_variables"))
    nodes: list[dict[str, Any]] = []
    exported: set[str] = set()
    for key, step in steps.items():
        node = _node(state, key, step, document.step_title(key), env_vars, parameter_names)
        if node is not None:
            nodes.append(node)
            exported.add(key)
    for node in nodes:
        parents = [p for p in dag.parents.get(node["id"], ()) if p in exported]
        for parent in dag.parents.get(node["id"], ()):
            if parent not in exported:
                state.note(
                    "connection",
                    f"from '{document.step_title(parent)}', which was left out; left out",
                    json_pointer("steps", node["id"], "incoming_connections"),
                    document.step_title(node["id"]),
                )
        node["inputs"][0]["links"] = [
            {
                "id": str(uuid_lib.uuid5(uuid_lib.NAMESPACE_URL, f"link:{parent}:{node['id']}")),
                "node_id_ref": parent,
                "port_id_ref": "outPort",
            }
            for parent in parents
        ]
    pipeline_uuid = document.uuid or str(uuid_lib.uuid4())
    properties: dict[str, Any] = {"name": document.name or "pipeline", "runtime": "Generic"}
    app_data: dict[str, Any] = {
        "ui_data": {"comments": []},
        "version": ELYRA_VERSION,
        "properties": properties,
    }
    _default_runtime_image(state, nodes, properties)
    if parameter_list:
        # Elyra 4 has pipeline parameters only in Kubeflow Pipelines pipelines (a generic one
        # with parameters trips its validator), where each node lists the ones it receives.
        properties["runtime"] = "Kubeflow Pipelines"
        properties["pipeline_parameters"] = parameter_list
        app_data["runtime_type"] = RUNTIME_TYPE_KFP
        state.note(
            "pipeline parameters",
            "Elyra has pipeline parameters only in Kubeflow Pipelines pipelines, so the file is "
            "one; every node receives them (as environment variables). Elyra's local runtime "
            "ignores them",
            json_pointer("parameters"),
        )
    primary = str(uuid_lib.uuid5(uuid_lib.NAMESPACE_URL, f"elyra-primary:{pipeline_uuid}"))
    elyra = {
        "doc_type": DOC_TYPE,
        "version": FLOW_VERSION,
        "json_schema": FLOW_SCHEMA_URL,
        "id": pipeline_uuid,
        "primary_pipeline": primary,
        "pipelines": [{"id": primary, "nodes": nodes, "app_data": app_data, "runtime_ref": ""}],
        "schemas": [],
    }
    return elyra, state.unmapped


def _default_runtime_image(
    state: _Export, nodes: list[dict[str, Any]], properties: dict[str, Any]
) -> None:
    """Nodes with no runtime image of their own take the pipeline's default one."""
    bare = [n for n in nodes if "runtime_image" not in n["app_data"]["component_parameters"]]
    if not bare:
        return
    properties["pipeline_defaults"] = {"runtime_image": DEFAULT_RUNTIME_IMAGE}
    steps = "1 step has" if len(bare) == 1 else f"{len(bare)} steps have"
    state.note(
        "runtime image",
        f"Elyra needs one for every node; {steps} no environment, so the pipeline's "
        f"default runtime image is '{DEFAULT_RUNTIME_IMAGE}' (the server's Python; Elyra's "
        "local runtime ignores it, Kubeflow Pipelines and Airflow run the nodes in it)",
        json_pointer("steps"),
    )


def _pipeline_notes(state: _Export, document: PipelineDocument) -> None:
    settings = document.settings
    for key, value in settings.items():
        if DEFAULT_SETTINGS.get(key, object()) == value:
            continue
        state.note(
            f"setting {key}",
            "Elyra pipelines have no such setting; left out",
            json_pointer("settings", key),
        )
    services = document.data.get("services")
    if isinstance(services, dict) and services:
        state.note(
            "services", "Elyra pipelines have no services; left out", json_pointer("services")
        )


def _parameters(state: _Export, value: Any) -> tuple[list[dict[str, Any]], list[str]]:
    parameters = []
    for name, raw in (value if isinstance(value, dict) else {}).items():
        pointer = json_pointer("parameters", name)
        if not name.isidentifier() or keyword.iskeyword(name):
            state.note(
                f"pipeline parameter '{name}'",
                "Elyra's parameter names are Python identifiers; left out",
                pointer,
            )
            continue
        kind = PARAMETER_TYPE_NAMES.get(type(raw))
        shown = raw
        if kind is None:
            kind, shown = "String", json.dumps(raw)
            state.note(
                f"pipeline parameter '{name}'",
                "Elyra's parameters hold strings, numbers and booleans; written as the text "
                f"{shown[:60]}",
                pointer,
            )
        parameters.append(
            {
                "name": name,
                "description": "",
                "default_value": {"type": kind, "value": shown},
                "required": False,
            }
        )
    return parameters, [p["name"] for p in parameters]


def _env_vars(state: _Export, value: Any) -> list[dict[str, str]]:
    env_vars = []
    for name, text in (value if isinstance(value, dict) else {}).items():
        if not isinstance(text, str) or text == "" or " " in name or not name:
            state.note(
                f"env variable {name}",
                "Elyra drops variables without a value and names with spaces; left out",
                json_pointer("env_variables", name),
            )
            continue
        env_vars.append({"env_var": name, "value": text})
    return env_vars


def _node(
    state: _Export,
    key: str,
    step: dict[str, Any],
    title: str,
    env_vars: list[dict[str, str]],
    parameter_names: list[str],
) -> dict[str, Any] | None:
    pointer = json_pointer("steps", key)
    file_path = step.get("file_path")
    if not isinstance(file_path, str) or not file_path.strip():
        raise ConversionError(f"step '{title}' has no file", pointer + "/file_path")
    extension = os.path.splitext(file_path)[1].lower()
    if extension not in GENERIC_OPS:
        state.note(
            "step",
            "Elyra's generic nodes run notebooks, Python and R scripts, not "
            f"'{extension or file_path}' files; left out",
            pointer + "/file_path",
            title,
        )
        return None
    source_file = state.source_dir / file_path
    problem = check_step_file(source_file, state.boundary)
    if problem:
        raise ConversionError(
            f"step '{title}': file '{file_path}' {problem}",
            pointer + "/file_path",
            code="missing-file",
        )
    parameters: dict[str, Any] = {
        "filename": rebase(source_file, state.target_dir),
        "env_vars": [dict(e) for e in env_vars],
        "dependencies": [],
        "include_subdirectories": False,
        "outputs": [],
    }
    environment = step.get("environment")
    if isinstance(environment, str) and environment:
        name = state.environments.get(environment)
        if name:
            parameters["runtime_image"] = name
            if not IMAGE.fullmatch(name) and name not in state.not_images:
                state.not_images.add(name)
                state.note(
                    f"environment '{name}'",
                    "written as the runtime image; Elyra's local runtime ignores it, but "
                    "Kubeflow Pipelines and Airflow need a container image name there",
                    pointer + "/environment",
                    title,
                )
        else:
            state.note(
                "environment",
                f"'{environment}' is not an environment of the project, so the node has no "
                "runtime image",
                pointer + "/environment",
                title,
            )
    if parameter_names:
        parameters["pipeline_parameters"] = list(parameter_names)
    parameters.update(_resources(state, step.get("resources"), pointer + "/resources", title))
    for field_name, why in (
        ("parameters", "Elyra nodes have no parameters of their own"),
        ("timeout", "Elyra nodes have no timeout"),
    ):
        if step.get(field_name) not in (None, {}, 0):
            state.note(f"step {field_name}", f"{why}; left out", f"{pointer}/{field_name}", title)
    position = (
        step.get("meta_data", {}).get("position")
        if isinstance(step.get("meta_data"), dict)
        else None
    )
    x, y = position if isinstance(position, list) and len(position) == 2 else (0, 0)
    port_ui = {"cardinality": {"min": 0, "max": -1}}
    return {
        "id": key,
        "type": "execution_node",
        "op": GENERIC_OPS[extension],
        "app_data": {
            "label": title,
            "component_parameters": parameters,
            "ui_data": {
                "label": title,
                "image": NODE_IMAGES[extension],
                "x_pos": x,
                "y_pos": y,
                "description": NODE_DESCRIPTIONS[extension],
            },
        },
        "inputs": [
            {
                "id": "inPort",
                "app_data": {"ui_data": {**port_ui, "label": "Input Port"}},
                "links": [],
            }
        ],
        "outputs": [
            {"id": "outPort", "app_data": {"ui_data": {**port_ui, "label": "Output Port"}}}
        ],
    }


def _resources(state: _Export, value: Any, pointer: str, title: str) -> dict[str, Any]:
    """A step's requests and limits as Elyra's cpu/memory (whole CPUs, whole GB) and gpu."""
    mapped: dict[str, Any] = {}
    if not isinstance(value, dict):
        return mapped
    for section in ("requests", "limits"):
        entries = value.get(section)
        for name, quantity in (entries if isinstance(entries, dict) else {}).items():
            where = f"{pointer}/{section}/{name}"
            target = None
            amount = None
            if name == "cpu":
                target, amount = (
                    ("cpu" if section == "requests" else "cpu_limit"),
                    _whole(quantity, ""),
                )
            elif name == "memory":
                target, amount = (
                    ("memory" if section == "requests" else "memory_limit"),
                    _whole(quantity, "G"),
                )
            elif GPU.match(name) and section == "limits":
                target, amount = "gpu", _whole(quantity, "")
                if amount is not None:
                    mapped["gpu_vendor"] = name
            if target is None or amount is None:
                state.note(
                    f"resource {section}.{name}",
                    "Elyra takes whole CPUs, whole GB of memory and a GPU limit; "
                    f"'{quantity}' is left out",
                    where,
                    title,
                )
                continue
            mapped[target] = amount
    return mapped


def _whole(quantity: Any, unit: str) -> int | None:
    text = str(quantity).strip()
    if unit and text.endswith(unit):
        text = text[: -len(unit)]
    elif unit:
        return None
    try:
        number = float(text)
    except ValueError:
        return None
    return int(number) if number.is_integer() and number >= 0 else None
