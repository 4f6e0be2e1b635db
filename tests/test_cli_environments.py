"""`orchest-lab env list | build | delete` on a real project, with real builds."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import QUICKSTART
from test_cli import run

from orchest_lab.environments.definition import EnvironmentDefinition

ENV = "0b4cd2f6-9f4e-4bd0-8a0e-3f4c2d1e5a77"  # the quickstart's environment


@pytest.fixture(autouse=True)
def private_jupyter_data(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Builds and kernelspecs go to a folder of the test's own."""
    monkeypatch.setenv("JUPYTER_DATA_DIR", str(tmp_path / "jupyter-data"))


def test_list_build_and_delete(
    project: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    broken = project / ".orchest" / "environments" / "broken"
    broken.mkdir()
    (broken / "properties.json").write_text('{"name": "B", "language": "cobol"}')
    code, out, _ = run(["env", "list", str(project)], capsys)
    assert code == 0
    lines = out.splitlines()
    assert lines[0].split() == ["uuid", "name", "language", "build"]
    assert lines[1].split()[0] == ENV and lines[1].endswith("none")
    assert "broken: .orchest/environments/broken/properties.json: field 'language'" in lines[2]

    code, out, err = run(["env", "build", str(project), "Python 3"], capsys)
    assert code == 0, err
    assert out.strip() == f"Python 3 ({ENV}): ready"
    assert "Building 'Python 3'" in err  # the log, as it came
    kernelspec = tmp_path / "jupyter-data" / "kernels"
    assert [p.name for p in kernelspec.iterdir()] == [f"orchest-env-{_project_id(project)}-{ENV}"]
    code, out, _ = run(["env", "list", str(project)], capsys)
    assert out.splitlines()[1].endswith("ready")

    code, _, err = run(["env", "delete", str(project), ENV], capsys)
    assert code == 2
    assert "is used by step 'Load data' of quickstart.orchest" in err
    unused = EnvironmentDefinition.new("Unused")
    unused.save(project)
    code, out, _ = run(["env", "delete", str(project), "Unused"], capsys)
    assert code == 0 and out.strip() == f"deleted environment 'Unused' ({unused.uuid})"
    assert not (project / ".orchest" / "environments" / unused.uuid).exists()


def test_building_all_reports_a_broken_definition(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (project / ".orchest" / "environments" / ENV / "properties.json").write_text("[]")
    code, _, err = run(["env", "build", str(project)], capsys)
    assert code == 2
    assert "properties.json must hold a JSON object" in err
    assert QUICKSTART.exists()


def _project_id(project: Path) -> str:
    from orchest_lab.pipeline.project import project_uuid

    return project_uuid(project)
