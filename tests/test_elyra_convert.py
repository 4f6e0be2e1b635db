"""`orchest-lab convert` between Elyra `.pipeline` and `.orchest` files, as a user runs it: a
real subprocess on real files. Exports are checked against Elyra's published pipeline-flow v3
JSON Schema; an imported Elyra pipeline is run by `orchest-lab run`."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from elyra_examples import elyra_node, elyra_pipeline, producer_consumer, write_elyra
from elyra_schema import pipeline_flow_validator
from fastjsonschema import JsonSchemaValueException
from pipeline_factory import make_pipeline, write_step_files

from orchest_lab.environments.definition import EnvironmentDefinition
from orchest_lab.pipeline import PipelineDocument, ValidationContext, validate_document


def cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "orchest_lab.cli", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )


def orchest_project(folder: Path) -> tuple[PipelineDocument, dict[str, str], str]:
    """A pipeline of notebooks and scripts in sub-folders, with an environment, env variables
    and parameters of every type Elyra has."""
    environment = EnvironmentDefinition.new("python-3.11")
    environment.save(folder)
    document, uuids = make_pipeline(
        {
            "Load": ("data/load.ipynb", []),
            "Clean": ("clean.py", ["Load"]),
            "Features": ("features.ipynb", ["Load"]),
            "Train": ("models/train.py", ["Clean", "Features"]),
        }
    )
    for index, step in enumerate(document.steps.values()):
        step["environment"] = environment.uuid
        step["meta_data"]["position"] = [100 + 250 * index, 40.5 * index]
    document.data["steps"][uuids["Train"]]["resources"] = {
        "requests": {"cpu": 2, "memory": "8G"},
        "limits": {"nvidia.com/gpu": 1},
    }
    document.data["env_variables"] = {"MODE": "test", "TARGET": "price"}
    document.data["parameters"] = {"rows": 200, "rate": 0.05, "name": "demo", "shuffle": True}
    write_step_files(folder, document)
    document.save(folder / "p.orchest")
    return document, uuids, environment.uuid


def mapped_view(data: dict[str, Any]) -> dict[str, Any]:
    """What both formats hold of an orchest pipeline."""
    return {
        "name": data["name"],
        "parameters": data.get("parameters"),
        "env_variables": data.get("env_variables"),
        "steps": {
            uuid: {
                "title": step["title"],
                "file_path": step["file_path"],
                "incoming_connections": sorted(step["incoming_connections"]),
                "position": step["meta_data"]["position"],
                "environment": step["environment"],
                "resources": step.get("resources"),
            }
            for uuid, step in data["steps"].items()
        },
    }


def test_round_trip_keeps_what_both_formats_hold(tmp_path: Path) -> None:
    document, uuids, _ = orchest_project(tmp_path)
    exported = cli("convert", "p.orchest", cwd=tmp_path)
    assert exported.returncode == 0, exported.stderr
    assert exported.stdout.strip() == "wrote p.pipeline"
    elyra = json.loads((tmp_path / "p.pipeline").read_text())
    pipeline_flow_validator()(elyra)

    nodes = {node["app_data"]["label"]: node for node in elyra["pipelines"][0]["nodes"]}
    train = nodes["Train"]
    assert train["op"] == "execute-python-node"
    assert nodes["Load"]["op"] == "execute-notebook-node"
    parameters = train["app_data"]["component_parameters"]
    assert parameters["filename"] == "models/train.py"
    assert parameters["runtime_image"] == "python-3.11"
    assert {e["env_var"]: e["value"] for e in parameters["env_vars"]} == {
        "MODE": "test",
        "TARGET": "price",
    }
    assert (parameters["cpu"], parameters["memory"], parameters["gpu"]) == (2, 8, 1)
    parents = {link["node_id_ref"] for link in train["inputs"][0]["links"]}
    assert parents == {uuids["Clean"], uuids["Features"]}
    properties = elyra["pipelines"][0]["app_data"]["properties"]
    assert {p["name"]: p["default_value"] for p in properties["pipeline_parameters"]} == {
        "rows": {"type": "Integer", "value": 200},
        "rate": {"type": "Float", "value": 0.05},
        "name": {"type": "String", "value": "demo"},
        "shuffle": {"type": "Bool", "value": True},
    }
    assert "pipeline_defaults" not in properties  # every step had an environment

    back = cli("convert", "p.pipeline", "-o", "back.orchest", cwd=tmp_path)
    assert back.returncode == 0, back.stderr
    returned = json.loads((tmp_path / "back.orchest").read_text())
    assert mapped_view(returned) == mapped_view(document.data)
    assert returned["uuid"] == document.uuid
    result = validate_document(
        PipelineDocument(returned),
        ValidationContext.for_pipeline_file(tmp_path / "back.orchest", tmp_path),
    )
    assert result.valid and not result.issues, result.issues


def test_files_stay_the_same_files_when_the_output_is_in_another_folder(tmp_path: Path) -> None:
    orchest_project(tmp_path)
    (tmp_path / "exports").mkdir()
    done = cli("convert", "p.orchest", "-o", "exports/p.pipeline", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    elyra = json.loads((tmp_path / "exports" / "p.pipeline").read_text())
    files = {
        n["app_data"]["component_parameters"]["filename"] for n in elyra["pipelines"][0]["nodes"]
    }
    assert files == {"../data/load.ipynb", "../clean.py", "../features.ipynb", "../models/train.py"}
    done = cli("convert", "exports/p.pipeline", "-o", "again.orchest", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    again = json.loads((tmp_path / "again.orchest").read_text())
    paths = {step["file_path"] for step in again["steps"].values()}
    assert paths == {"data/load.ipynb", "clean.py", "features.ipynb", "models/train.py"}


def test_what_does_not_map_is_listed_with_where_it_is(tmp_path: Path) -> None:
    document, uuids = make_pipeline(
        {"Prep": ("prep.py", []), "Ship": ("ship.sh", ["Prep"]), "Notify": ("notify.py", ["Ship"])}
    )
    document.data["steps"][uuids["Prep"]]["parameters"] = {"limit": 3}
    document.data["settings"]["max_steps_parallelism"] = 2
    document.data["parameters"] = {"not valid": 1}
    write_step_files(tmp_path, document)
    document.save(tmp_path / "p.orchest")
    done = cli("convert", "p.orchest", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    lines = done.stderr.splitlines()
    assert lines[0] == "6 items did not map:"
    assert any(
        line.strip().startswith("Prep: step parameters:")
        and line.endswith(f"(at /steps/{uuids['Prep']}/parameters)")
        for line in lines
    ), lines
    assert any(line.strip().startswith("Ship: step:") and "'.sh'" in line for line in lines)
    assert any(
        line.strip().startswith("Notify: connection: from 'Ship', which was left out")
        for line in lines
    )
    assert any(line.strip().startswith("setting max_steps_parallelism:") for line in lines)
    assert any("pipeline parameter 'not valid'" in line for line in lines)
    python = f"python:{sys.version_info.major}.{sys.version_info.minor}"
    assert any(
        line.strip().startswith("runtime image:")
        and "2 steps have no environment" in line
        and python in line
        for line in lines
    ), lines
    elyra = json.loads((tmp_path / "p.pipeline").read_text())
    pipeline_flow_validator()(elyra)
    assert [n["app_data"]["label"] for n in elyra["pipelines"][0]["nodes"]] == ["Prep", "Notify"]
    # Elyra refuses a node without a runtime image; these take the pipeline's default one
    properties = elyra["pipelines"][0]["app_data"]["properties"]
    assert properties["pipeline_defaults"] == {"runtime_image": python}


def test_an_elyra_pipeline_is_imported_and_runs(tmp_path: Path) -> None:
    source = producer_consumer(tmp_path)
    pipeline_flow_validator()(json.loads(source.read_text()))  # a file Elyra's schema accepts
    original = source.read_bytes()
    done = cli("convert", "producer-consumer.pipeline", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert source.read_bytes() == original
    unmapped = done.stderr
    for expected in (
        'comment: canvas comments have no place in an orchest pipeline: "Runs every night" '
        "(at /pipelines/0/app_data/ui_data/comments/0)",
        "Producer: dependencies:",
        "Producer: outputs:",
        "create-source.py: outputs:",
        "Consumer: kubernetes_secrets:",
        "kubernetes_pod_labels:",
        "Download data: custom component:",
        "runtime image 'elyra/elyra-example-anaconda-py3:latest': no environment",
        "description: orchest pipelines have no description",
    ):
        assert expected in unmapped, unmapped
    imported = json.loads((tmp_path / "producer-consumer.orchest").read_text())
    steps = {step["title"]: step for step in imported["steps"].values()}
    assert set(steps) == {"create-source.py", "Producer", "Consumer"}
    assert steps["create-source.py"]["file_path"] == "scripts/create-source.py"
    assert steps["create-source.py"]["resources"] == {"requests": {"cpu": 2, "memory": "4G"}}
    assert steps["Producer"]["meta_data"]["position"] == [320, 120]
    assert steps["Consumer"]["incoming_connections"] == [steps["Producer"]["uuid"]]
    assert imported["env_variables"] == {"REPORT_TITLE": "Sum", "ROWS": "5"}

    run = cli(
        "run", "producer-consumer.orchest", "--data-dir", str(tmp_path / "data"), cwd=tmp_path
    )
    assert run.returncode == 0, run.stderr
    assert "SUCCESS" in run.stderr and "3 succeeded" in run.stderr
    assert (tmp_path / "report.txt").read_text() == "Sum: 10"


def test_a_runtime_image_maps_to_the_environment_of_that_name(tmp_path: Path) -> None:
    environment = EnvironmentDefinition.new("elyra/elyra-example-anaconda-py3:latest")
    environment.save(tmp_path)
    (tmp_path / "a.py").write_text("")
    write_elyra(tmp_path / "x.pipeline", elyra_pipeline([elyra_node("n1", "a.py")]))
    done = cli("convert", "x.pipeline", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "runtime image" not in done.stderr
    step = next(iter(json.loads((tmp_path / "x.orchest").read_text())["steps"].values()))
    assert step["environment"] == environment.uuid


def test_elyra_parameters_become_pipeline_parameters(tmp_path: Path) -> None:
    (tmp_path / "a.py").write_text("")
    node = elyra_node("n1", "a.py", pipeline_parameters=["size", "label"])
    parameters = [
        {
            "name": "size",
            "description": "",
            "default_value": {"type": "Integer", "value": 3},
            "required": False,
        },
        {
            "name": "label",
            "description": "what",
            "default_value": {"type": "String", "value": "x"},
            "required": True,
        },
        {"name": "on", "default_value": {"type": "Bool", "value": "true"}},
    ]
    document = elyra_pipeline(
        [node], properties={"pipeline_parameters": parameters}, runtime_type="KUBEFLOW_PIPELINES"
    )
    write_elyra(tmp_path / "x.pipeline", document)
    done = cli("convert", "x.pipeline", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert json.loads((tmp_path / "x.orchest").read_text())["parameters"] == {
        "size": 3,
        "label": "x",
        "on": True,
    }
    assert "pipeline parameter 'label': its description and 'required' flag" in done.stderr
    assert "runtime type: the pipeline was made for Kubeflow Pipelines" in done.stderr


# --- bad input: a located message, exit status 2, nothing written ----------------------------


def convert_refused(tmp_path: Path, name: str, *args: str) -> str:
    before = sorted(p.name for p in tmp_path.iterdir())
    done = cli("convert", name, *args, cwd=tmp_path)
    assert done.returncode == 2, (done.stdout, done.stderr)
    assert sorted(p.name for p in tmp_path.iterdir()) == before  # nothing written
    assert done.stdout == ""
    return done.stderr.strip()


def test_not_json_is_refused_with_line_and_column(tmp_path: Path) -> None:
    (tmp_path / "bad.pipeline").write_text('{\n  "doc_type": "pipeline",\n  "version": 3.0,,\n}\n')
    message = convert_refused(tmp_path, "bad.pipeline")
    assert message.startswith("orchest-lab: error: bad.pipeline:3:18: not valid JSON: ")


def test_another_version_is_refused_and_named(tmp_path: Path) -> None:
    document = elyra_pipeline([elyra_node("n1", "a.py")])
    document["version"] = "2.0"
    write_elyra(tmp_path / "old.pipeline", document)
    message = convert_refused(tmp_path, "old.pipeline")
    assert message == (
        'orchest-lab: error: old.pipeline: pipeline-flow version "2.0" is not supported; only '
        "version 3.0 (the format of Elyra 3 and 4) can be converted (at /version)"
    )


def test_a_cycle_is_refused_with_its_nodes(tmp_path: Path) -> None:
    for name in ("a.py", "b.py"):
        (tmp_path / name).write_text("")
    nodes = [elyra_node("n1", "a.py", parents=("n2",)), elyra_node("n2", "b.py", parents=("n1",))]
    write_elyra(tmp_path / "loop.pipeline", elyra_pipeline(nodes))
    message = convert_refused(tmp_path, "loop.pipeline")
    assert "the nodes form a cycle: 'a.py' -> 'b.py' -> 'a.py'" in message


def test_a_cycle_in_an_orchest_pipeline_is_refused(tmp_path: Path) -> None:
    document, _ = make_pipeline({"A": ("a.py", ["B"]), "B": ("b.py", ["A"])})
    write_step_files(tmp_path, document)
    document.save(tmp_path / "p.orchest")
    message = convert_refused(tmp_path, "p.orchest")
    assert "the steps form a cycle: 'A' -> 'B' -> 'A'" in message


def test_a_missing_file_is_refused_and_named(tmp_path: Path) -> None:
    (tmp_path / "a.py").write_text("")
    nodes = [
        elyra_node("n1", "a.py"),
        elyra_node("n2", "lost/train.ipynb", label="Train", parents=("n1",)),
    ]
    write_elyra(tmp_path / "x.pipeline", elyra_pipeline(nodes))
    message = convert_refused(tmp_path, "x.pipeline")
    assert message == (
        "orchest-lab: error: x.pipeline: node 'Train': file 'lost/train.ipynb' does not exist "
        "(at /pipelines/0/nodes/1/app_data/component_parameters/filename)"
    )


def test_a_missing_step_file_of_an_export_is_refused(tmp_path: Path) -> None:
    document, _ = make_pipeline({"A": ("a.py", [])})
    document.save(tmp_path / "p.orchest")
    message = convert_refused(tmp_path, "p.orchest")
    assert "step 'A': file 'a.py' does not exist" in message


@pytest.mark.parametrize("force", [False, True])
def test_an_existing_output_is_replaced_only_with_force(tmp_path: Path, force: bool) -> None:
    (tmp_path / "a.py").write_text("")
    write_elyra(tmp_path / "x.pipeline", elyra_pipeline([elyra_node("n1", "a.py")]))
    (tmp_path / "x.orchest").write_text("mine\n")
    if not force:
        message = convert_refused(tmp_path, "x.pipeline")
        assert "already exists; give --force to replace it" in message
        assert (tmp_path / "x.orchest").read_text() == "mine\n"
        return
    done = cli("convert", "x.pipeline", "--force", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert json.loads((tmp_path / "x.orchest").read_text())["name"] == "example"


def test_an_unknown_extension_is_refused(tmp_path: Path) -> None:
    (tmp_path / "x.json").write_text("{}")
    message = convert_refused(tmp_path, "x.json")
    assert "the direction comes from the extension" in message


def test_the_schema_check_can_fail() -> None:
    """The vendored schema rejects what Elyra's format forbids (a link without its node)."""
    document = elyra_pipeline([elyra_node("n1", "a.py")])
    document["pipelines"][0]["nodes"][0]["inputs"][0]["links"] = [{"port_id_ref": "outPort"}]
    with pytest.raises(JsonSchemaValueException):
        pipeline_flow_validator()(document)


def test_an_elyra_pipeline_comes_back_with_its_nodes_links_and_places(tmp_path: Path) -> None:
    source = producer_consumer(tmp_path)
    assert cli("convert", source.name, cwd=tmp_path).returncode == 0
    back = cli("convert", "producer-consumer.orchest", "-o", "again.pipeline", cwd=tmp_path)
    assert back.returncode == 0, back.stderr

    def view(document: dict[str, Any]) -> dict[str, Any]:
        nodes = {}
        for node in document["pipelines"][0]["nodes"]:
            if node["op"].startswith("execute-"):
                parameters = node["app_data"]["component_parameters"]
                nodes[node["id"]] = (
                    node["op"],
                    node["app_data"]["label"],
                    parameters["filename"],
                    (node["app_data"]["ui_data"]["x_pos"], node["app_data"]["ui_data"]["y_pos"]),
                    sorted(link["node_id_ref"] for link in node["inputs"][0].get("links", [])),
                    (parameters.get("cpu"), parameters.get("memory")),
                )
        return nodes

    again = json.loads((tmp_path / "again.pipeline").read_text())
    pipeline_flow_validator()(again)
    assert view(again) == view(json.loads(source.read_text()))
    assert again["pipelines"][0]["app_data"]["properties"]["name"] == "producer-consumer"
    # Env vars come back on every node (orchest-lab holds one value a name for all steps).
    for node in again["pipelines"][0]["nodes"]:
        env = {
            e["env_var"]: e["value"] for e in node["app_data"]["component_parameters"]["env_vars"]
        }
        assert env == {"REPORT_TITLE": "Sum", "ROWS": "5"}


def test_older_env_vars_and_the_default_image_are_read(tmp_path: Path) -> None:
    environment = EnvironmentDefinition.new("my/image:1")
    environment.save(tmp_path)
    (tmp_path / "a.py").write_text("")
    node = elyra_node("n1", "a.py", env_vars=["A=1", "B=x=y", "EMPTY="])
    del node["app_data"]["component_parameters"]["runtime_image"]
    document = elyra_pipeline(
        [node], properties={"pipeline_defaults": {"runtime_image": "my/image:1"}}
    )
    write_elyra(tmp_path / "x.pipeline", document)
    done = cli("convert", "x.pipeline", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    imported = json.loads((tmp_path / "x.orchest").read_text())
    assert imported["env_variables"] == {"A": "1", "B": "x=y"}
    assert next(iter(imported["steps"].values()))["environment"] == environment.uuid
