"""Elyra pipelines for tests, written the way Elyra 4's editor saves them (pipeline-flow v3,
Elyra format version 8): generic nodes with their component parameters and ports."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

OP = {".ipynb": "execute-notebook-node", ".py": "execute-python-node", ".r": "execute-r-node"}


def elyra_node(
    node_id: str,
    filename: str,
    *,
    parents: tuple[str, ...] = (),
    position: tuple[float, float] = (0, 0),
    label: str | None = None,
    **parameters: Any,
) -> dict[str, Any]:
    label = label or filename.rsplit("/", 1)[-1]
    port = {"cardinality": {"min": 0, "max": -1}}
    inputs: dict[str, Any] = {
        "id": "inPort",
        "app_data": {"ui_data": {**port, "label": "Input Port"}},
    }
    if parents:
        inputs["links"] = [
            {"id": f"link-{p}-{node_id}", "node_id_ref": p, "port_id_ref": "outPort"}
            for p in parents
        ]
    extension = "." + filename.rsplit(".", 1)[-1].lower()
    return {
        "id": node_id,
        "type": "execution_node",
        "op": OP.get(extension, "execute-python-node"),
        "app_data": {
            "label": label,
            "component_parameters": {
                "filename": filename,
                "runtime_image": "elyra/elyra-example-anaconda-py3:latest",
                "env_vars": [],
                "include_subdirectories": False,
                "outputs": [],
                "dependencies": [],
                **parameters,
            },
            "ui_data": {
                "label": label,
                "image": "/static/elyra/notebook.svg",
                "x_pos": position[0],
                "y_pos": position[1],
                "description": "Run notebook file",
            },
        },
        "inputs": [inputs],
        "outputs": [{"id": "outPort", "app_data": {"ui_data": {**port, "label": "Output Port"}}}],
    }


def elyra_pipeline(
    nodes: list[dict[str, Any]],
    *,
    name: str = "example",
    properties: dict[str, Any] | None = None,
    comments: list[dict[str, Any]] | None = None,
    runtime_type: str | None = None,
) -> dict[str, Any]:
    app_data: dict[str, Any] = {
        "ui_data": {"comments": comments or []},
        "version": 8,
        "properties": {"name": name, "runtime": "Generic", **(properties or {})},
    }
    if runtime_type:
        app_data["runtime_type"] = runtime_type
    return {
        "doc_type": "pipeline",
        "version": "3.0",
        "json_schema": "http://api.dataplatform.ibm.com/schemas/common-pipeline/pipeline-flow/"
        "pipeline-flow-v3-schema.json",
        "id": "0f1e2d3c-4b5a-4978-8a6b-5c4d3e2f1a00",
        "primary_pipeline": "primary-1",
        "pipelines": [{"id": "primary-1", "nodes": nodes, "app_data": app_data, "runtime_ref": ""}],
        "schemas": [],
    }


def write_elyra(path: Path, document: dict[str, Any]) -> Path:
    path.write_text(json.dumps(document, indent=2))
    return path


def producer_consumer(folder: Path) -> Path:
    """A realistic Elyra pipeline and its files: a script makes data, a notebook and a script
    consume it (files on disk, as Elyra's local runtime passes data), one env var, outputs and
    dependencies, Kubernetes settings, a comment, and a Kubeflow component."""
    from project_factory import write_notebook

    (folder / "scripts").mkdir(parents=True, exist_ok=True)
    (folder / "scripts" / "create-source.py").write_text(
        "import os\n"
        "rows = int(os.environ['ROWS'])\n"
        "with open('../source.csv', 'w') as f:\n"
        "    f.write('\\n'.join(str(i) for i in range(rows)))\n"
        "print('created', rows)\n"
    )
    write_notebook(
        folder / "producer.ipynb",
        "values = [int(v) for v in open('source.csv').read().split()]",
        "open('total.txt', 'w').write(str(sum(values)))\nprint('total', sum(values))",
    )
    (folder / "consumer.py").write_text(
        "import os\n"
        "total = open('total.txt').read()\n"
        "open('report.txt', 'w').write(f\"{os.environ['REPORT_TITLE']}: {total}\")\n"
    )
    (folder / "lookup.csv").write_text("a,b\n")
    nodes = [
        elyra_node(
            "2c1b9f3a-0e6d-4c55-9d1e-7b2a3c4d5e01",
            "scripts/create-source.py",
            position=(60, 180),
            env_vars=[{"env_var": "ROWS", "value": "5"}],
            outputs=["source.csv"],
            cpu=2,
            memory=4,
        ),
        elyra_node(
            "2c1b9f3a-0e6d-4c55-9d1e-7b2a3c4d5e02",
            "producer.ipynb",
            label="Producer",
            parents=("2c1b9f3a-0e6d-4c55-9d1e-7b2a3c4d5e01",),
            position=(320, 120),
            dependencies=["lookup.csv"],
            outputs=["total.txt"],
        ),
        elyra_node(
            "2c1b9f3a-0e6d-4c55-9d1e-7b2a3c4d5e03",
            "consumer.py",
            label="Consumer",
            parents=("2c1b9f3a-0e6d-4c55-9d1e-7b2a3c4d5e02",),
            position=(580, 180),
            kubernetes_secrets=[{"env_var": "TOKEN", "name": "creds", "key": "token"}],
        ),
        {
            "id": "kfp-download",
            "type": "execution_node",
            "op": "elyra-kfp-examples-catalog:61e6f4141f65",
            "app_data": {
                "label": "Download data",
                "component_parameters": {"url": {"widget": "string", "value": "https://x"}},
                "ui_data": {"label": "Download data", "x_pos": 60, "y_pos": 400},
            },
            "inputs": [{"id": "inPort"}],
            "outputs": [{"id": "outPort"}],
        },
    ]
    document = elyra_pipeline(
        nodes,
        name="producer-consumer",
        properties={
            "description": "makes numbers and sums them",
            "pipeline_defaults": {
                "env_vars": [{"env_var": "REPORT_TITLE", "value": "Sum"}],
                "kubernetes_pod_labels": [{"key": "team", "value": "data"}],
            },
        },
        comments=[
            {
                "id": "c1",
                "content": "Runs every night",
                "x_pos": 10,
                "y_pos": 10,
                "width": 175,
                "height": 42,
            }
        ],
    )
    return write_elyra(folder / "producer-consumer.pipeline", document)
