from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from pipeline_factory import make_pipeline

from orchest_lab.cli import main

TRAIN = "a1b2c3d4-e5f6-4789-8abc-def012345604"


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def test_the_command_is_installed(project: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "orchest_lab.cli", "validate", str(project / "quickstart.orchest")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().endswith("quickstart.orchest: valid")


def test_the_program_exits_with_its_code_and_all_its_output(project: Path) -> None:
    """The program skips the interpreter's teardown at its end: what it printed, to a pipe
    (buffered), all arrives, and so does its exit code."""
    (project / "train.ipynb").unlink()
    done = subprocess.run(
        [sys.executable, "-m", "orchest_lab.cli", "validate", "quickstart.orchest", "--json"],
        capture_output=True,
        text=True,
        check=False,
        cwd=project,
    )
    assert done.returncode == 1
    report = json.loads(done.stdout)  # the whole document, not a cut one
    assert [issue["code"] for issue in report["issues"]] == ["missing-file"]


def test_validate_an_invalid_pipeline_prints_one_line_per_issue(
    project: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(project)
    (project / "train.ipynb").unlink()
    (project / "report.sh").unlink()
    code, out, err = run(["validate", "quickstart.orchest"], capsys)
    assert code == 1
    assert out == ""
    assert err.splitlines() == [
        f"quickstart.orchest: error [missing-file] step 'Train': file 'train.ipynb' does not exist"
        f" (at /steps/{TRAIN}/file_path)",
        "quickstart.orchest: error [missing-file] step 'Report': file 'report.sh' does not exist"
        " (at /steps/f0e1d2c3-b4a5-4968-8776-655443322105/file_path)",
    ]


def test_validate_json_output(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (project / "broken.orchest").write_text('{\n  "name": "x",\n}')
    code, out, _ = run(["validate", str(project / "broken.orchest"), "--json"], capsys)
    assert code == 1
    result = json.loads(out)
    assert result["valid"] is False
    assert result["issues"][0]["code"] == "invalid-json"
    assert (result["issues"][0]["line"], result["issues"][0]["column"]) == (3, 1)


def test_validate_refuses_what_is_not_a_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(["validate", str(tmp_path / "nope.orchest")], capsys)
    assert code == 2
    assert "does not exist" in err
    code, _, err = run(["validate", str(tmp_path)], capsys)
    assert code == 2
    assert "is a folder" in err


def test_plan_shows_steps_in_order_with_reasons(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = [
        "plan",
        str(project / "quickstart.orchest"),
        "--mode",
        "downstream",
        "--steps",
        "Features",
    ]
    code, out, _ = run(argv, capsys)
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == "Execution plan of 'quickstart' (downstream: 3 of 5 steps)"
    assert [line.split()[1] for line in lines[2:5]] == ["Features", "Train", "Report"]
    assert lines[3].endswith("descendant of 'Features'")
    # Then every step with its outputs (none stored yet) and whether it runs.
    assert lines[6].startswith("Outputs:")
    assert lines[8].startswith("  [ ] ( ) Load data  out of date")
    assert "  [ ] (>) Features " in out and "  [ ] ( ) Clean " in out


def test_plan_json_and_bad_steps(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = str(project / "quickstart.orchest")
    code, out, _ = run(["plan", path, "--mode", "selection", "--steps", TRAIN, "--json"], capsys)
    assert code == 0
    assert [s["uuid"] for s in json.loads(out)["steps"]] == [TRAIN]
    code, _, err = run(["plan", path, "--mode", "selection", "--steps", "Nope"], capsys)
    assert code == 2
    assert "no step has the uuid or title 'Nope'" in err


def test_plan_of_an_invalid_pipeline_fails_with_its_issues(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    document, _ = make_pipeline({"A": ("a.py", ["B"]), "B": ("b.py", ["A"])})
    for name in ("a.py", "b.py"):
        (tmp_path / name).write_text("")
    document.save(tmp_path / "p.orchest")
    code, out, err = run(["plan", str(tmp_path / "p.orchest")], capsys)
    assert code == 1
    assert out == ""
    assert "[cycle] steps form a cycle: 'A' -> 'B' -> 'A'" in err


@pytest.mark.parametrize(
    ("fmt", "expected"),
    [
        (
            "mermaid",
            ["flowchart LR", '    s0["Load data<br/><small>load.ipynb</small>"]', "    s0 --> s1"],
        ),
        (
            "dot",
            [
                'digraph "quickstart" {',
                '    "2f6f1d2a-7c1b-4e8a-9c43-5a1b0e6d8f01" [label="Load data\\nload.ipynb"];',
            ],
        ),
    ],
)
def test_graph_as_text(
    project: Path, capsys: pytest.CaptureFixture[str], fmt: str, expected: list[str]
) -> None:
    code, out, _ = run(["graph", str(project / "quickstart.orchest"), "--format", fmt], capsys)
    assert code == 0
    lines = out.splitlines()
    assert all(line in lines for line in expected)
    assert sum("->" in line for line in lines) == 5  # the five edges of the quickstart


def test_new_creates_a_valid_empty_pipeline_and_never_overwrites(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "fresh.orchest"
    code, out, _ = run(["new", str(target)], capsys)
    assert code == 0
    data = json.loads(target.read_text())
    assert data["name"] == "fresh" and data["steps"] == {} and data["uuid"] in out
    code, _, _ = run(["validate", str(target)], capsys)
    assert code == 0

    before = target.read_text()
    code, _, err = run(["new", str(target)], capsys)
    assert code == 2 and "already exists" in err
    assert target.read_text() == before
    code, _, err = run(["new", str(tmp_path / "fresh.json")], capsys)
    assert code == 2 and "must end with .orchest" in err
