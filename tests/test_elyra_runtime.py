"""Pipelines exported to Elyra's format run in Elyra itself: `elyra-pipeline run`, Elyra's local
runtime, from the venv `make test` makes for it (.venv-elyra: Elyra would downgrade packages of
ours). The schema checks in test_elyra_convert.py cannot see what Elyra's own parser refuses."""

from __future__ import annotations

import subprocess
from pathlib import Path

import nbformat
import pytest
from elyra_venv import elyra_pipeline, elyra_version
from nbformat.v4 import new_code_cell, new_notebook
from pipeline_factory import make_pipeline
from test_elyra_convert import cli

from orchest_lab.environments.definition import EnvironmentDefinition


def elyra(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    if elyra_version() is None:
        pytest.fail("Elyra is not installed: `make .make/elyra` puts it in .venv-elyra")
    return elyra_pipeline(*args, cwd=cwd, timeout=300)


def test_an_exported_pipeline_runs_in_elyras_local_runtime(tmp_path: Path) -> None:
    """A notebook with no environment, then a script in a sub-folder with one: Elyra needs a
    runtime image for both, runs them in the order of the links, from the files' folders, with
    the pipeline's env variables."""
    environment = EnvironmentDefinition.new("python-3.11")
    environment.save(tmp_path)
    document, uuids = make_pipeline(
        {"Load": ("load.ipynb", []), "Train": ("models/train.py", ["Load"])}
    )
    document.data["steps"][uuids["Train"]]["environment"] = environment.uuid
    document.data["env_variables"] = {"MODE": "test"}
    notebook = new_notebook(metadata={"kernelspec": {"name": "python3", "display_name": "P"}})
    notebook.cells.append(
        new_code_cell(
            "import os\nopen('loaded.txt', 'w').write(os.environ['MODE'])\nprint('loaded')"
        )
    )
    nbformat.write(notebook, tmp_path / "load.ipynb")
    (tmp_path / "models").mkdir()
    (tmp_path / "models" / "train.py").write_text(
        "import os\n"
        "loaded = open('../loaded.txt').read()\n"
        "open('trained.txt', 'w').write(f\"{os.environ['MODE']}:{loaded}\")\n"
    )
    document.save(tmp_path / "p.orchest")
    exported = cli("convert", "p.orchest", cwd=tmp_path)
    assert exported.returncode == 0, exported.stderr

    done = elyra("run", "p.pipeline", cwd=tmp_path)

    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert (tmp_path / "models" / "trained.txt").read_text() == "test:test"
    ran = nbformat.read(tmp_path / "load.ipynb", as_version=4)
    assert [o.get("text") for o in ran.cells[0].outputs] == ["loaded\n"]
