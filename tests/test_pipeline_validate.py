from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from conftest import ORCHEST_PROJECT
from pipeline_factory import make_pipeline, write_step_files

from orchest_lab.pipeline import (
    Issue,
    PipelineDocument,
    ValidationContext,
    validate_document,
)
from orchest_lab.pipeline.plan import make_plan


def validate_in(folder: Path, document: PipelineDocument) -> list[Issue]:
    path = folder / "p.orchest"
    document.save(path)
    return validate_document(document, ValidationContext.for_pipeline_file(path, folder)).issues


def codes(issues: list[Issue]) -> list[str]:
    return [i.code for i in issues]


def test_the_orchest_example_project_is_valid(tmp_path: Path) -> None:
    project = tmp_path / "project"
    shutil.copytree(ORCHEST_PROJECT, project)
    document = PipelineDocument.from_file(project / "data-passing.orchest")
    context = ValidationContext.for_pipeline_file(project / "data-passing.orchest", tmp_path)
    result = validate_document(document, context)
    assert result.valid
    # Its one service is named in a warning: orchest-lab does not start services.
    assert [(i.severity, i.code) for i in result.issues] == [("warning", "services-not-started")]
    assert "'streamlit'" in result.issues[0].message


def test_quickstart_is_valid(project: Path) -> None:
    document = PipelineDocument.from_file(project / "quickstart.orchest")
    context = ValidationContext.for_pipeline_file(project / "quickstart.orchest", project)
    assert validate_document(document, context).issues == []


def test_schema_violations_name_the_step_and_the_field() -> None:
    document, uuids = make_pipeline({"Load": ("load.py", [])})
    step = document.data["steps"][uuids["Load"]]
    step["incoming_connections"] = "nope"
    del step["file_path"]
    document.data["settings"]["data_passing_memory_size"] = "lots"
    issues = validate_document(document).issues
    messages = {i.pointer: i.message for i in issues}
    assert messages[f"/steps/{uuids['Load']}/incoming_connections"] == (
        "step 'Load', field 'incoming_connections' must be an array, not a string"
    )
    assert (
        messages[f"/steps/{uuids['Load']}"]
        == "step 'Load' is missing the required field 'file_path'"
    )
    assert "'1GB'" in messages["/settings/data_passing_memory_size"]
    assert all(i.severity == "error" and i.code == "schema" for i in issues)
    assert {i.step_uuid for i in issues} == {uuids["Load"], None}


def test_a_step_uuid_with_a_slash_is_refused_since_it_names_files() -> None:
    document, _ = make_pipeline({})
    document.data["steps"]["../../evil"] = {
        "uuid": "../../evil",
        "title": "Evil",
        "file_path": "x.py",
        "incoming_connections": [],
    }
    issues = validate_document(document).issues
    assert "/steps/..~1..~1evil" in {i.pointer for i in issues}
    assert any("not a valid uuid" in i.message for i in issues)


def test_uuid_mismatch_and_duplicates() -> None:
    document, uuids = make_pipeline({"A": ("a.py", []), "B": ("b.py", [])})
    document.data["steps"][uuids["B"]]["uuid"] = uuids["A"]
    issues = validate_document(document).issues
    assert codes(issues) == ["uuid-mismatch", "duplicate-uuid"]
    assert issues[0].message == (
        f"step 'B' is stored under key '{uuids['B']}' but its uuid is '{uuids['A']}'"
    )


def test_connections_to_unknown_steps_and_repeated_connections() -> None:
    document, uuids = make_pipeline({"A": ("a.py", []), "B": ("b.py", ["A", "A"])})
    document.data["steps"][uuids["B"]]["incoming_connections"].append("ghost")
    issues = validate_document(document).issues
    assert [(i.code, i.severity, i.pointer) for i in issues] == [
        ("duplicate-connection", "warning", f"/steps/{uuids['B']}/incoming_connections/1"),
        ("unknown-connection", "error", f"/steps/{uuids['B']}/incoming_connections/2"),
    ]
    assert "'ghost'" in issues[1].message and "step 'B'" in issues[1].message


def test_cycles_are_reported_with_the_steps_in_order() -> None:
    document, uuids = make_pipeline(
        {
            "Start": ("s.py", []),
            "A": ("a.py", ["Start", "C"]),
            "B": ("b.py", ["A"]),
            "C": ("c.py", ["B"]),
            "Self": ("self.py", ["Self"]),
        }
    )
    issues = validate_document(document).issues
    assert codes(issues) == ["cycle", "cycle"]
    assert (
        issues[0].message
        == "steps form a cycle: 'A' -> 'B' -> 'C' -> 'A'; a pipeline must be acyclic"
    )
    assert issues[0].related_step_uuids == (uuids["A"], uuids["B"], uuids["C"])
    assert issues[1].message.startswith("steps form a cycle: 'Self' -> 'Self'")


def test_missing_files_and_empty_file_paths(tmp_path: Path) -> None:
    document, uuids = make_pipeline({"A": ("a.py", []), "B": ("missing.ipynb", []), "C": ("", [])})
    (tmp_path / "a.py").write_text("")
    issues = validate_in(tmp_path, document)
    assert [(i.code, i.step_uuid) for i in issues] == [
        ("missing-file", uuids["B"]),
        ("no-file", uuids["C"]),
    ]
    assert issues[0].message == "step 'B': file 'missing.ipynb' does not exist"


def test_file_paths_leaving_the_project(tmp_path: Path) -> None:
    project, outside = tmp_path / "project", tmp_path / "outside"
    (project / ".orchest").mkdir(parents=True)
    (project / "pipelines").mkdir()
    outside.mkdir()
    (outside / "evil.py").write_text("")
    (project / "link.py").symlink_to(outside / "evil.py")
    (project / "shared.py").write_text("")
    document, uuids = make_pipeline(
        {
            "Up": ("../../outside/evil.py", []),
            "Abs": (str(outside / "evil.py"), []),
            "Link": ("../link.py", []),
            "Fine": ("../shared.py", []),  # '..' that stays inside the project is allowed
        }
    )
    path = project / "pipelines" / "p.orchest"
    document.save(path)
    context = ValidationContext.for_pipeline_file(path, tmp_path)
    assert context.project_root == project
    issues = validate_document(document, context).issues
    assert [(i.code, i.step_uuid) for i in issues] == [
        ("path-outside-project", uuids["Up"]),
        ("path-outside-project", uuids["Abs"]),
        ("path-outside-project", uuids["Link"]),
    ]
    assert "leaves the project" in issues[0].message
    assert "absolute" in issues[1].message
    assert "symlink" in issues[2].message


@pytest.mark.parametrize("file_path", ["data.csv", "Makefile", "notes.txt"])
def test_unsupported_file_types(tmp_path: Path, file_path: str) -> None:
    document, _ = make_pipeline({"A": (file_path, [])})
    write_step_files(tmp_path, document)
    issues = validate_in(tmp_path, document)
    assert codes(issues) == ["unsupported-file-type"]
    assert ".ipynb" in issues[0].message


def test_all_orchest_step_file_types_are_accepted(tmp_path: Path) -> None:
    files = ["a.ipynb", "b.py", "c.R", "d.sh", "e.jl", "f.js"]
    document, _ = make_pipeline({f: (f, []) for f in files})
    write_step_files(tmp_path, document)
    assert validate_in(tmp_path, document) == []


def test_unknown_environments_are_warnings(project: Path) -> None:
    document = PipelineDocument.from_file(project / "quickstart.orchest")
    step = next(iter(document.steps.values()))
    step["environment"] = "not-an-environment"
    issues = validate_in(project, document)
    assert [(i.code, i.severity) for i in issues] == [("unknown-environment", "warning")]
    assert "not-an-environment" in issues[0].message


def test_without_a_location_only_the_document_is_checked() -> None:
    document, _ = make_pipeline({"A": ("missing.py", [])})
    assert validate_document(document).issues == []


def test_declared_services_are_named_in_a_warning() -> None:
    document, _ = make_pipeline({"A": ("a.py", [])})
    document.data["services"] = {"redis": {"image": "redis"}, "tensorboard": {"command": "tb"}}
    issues = validate_document(document).issues
    (warning,) = [i for i in issues if i.code == "services-not-started"]
    assert warning.severity == "warning" and warning.pointer == "/services"
    assert "'redis', 'tensorboard'" in warning.message
    assert validate_document(document).valid  # a warning: the pipeline still runs


def test_canvas_notes_are_accepted_and_checked() -> None:
    document, _ = make_pipeline({"Load": ("load.py", [])})
    document.data["notes"] = [
        {"uuid": "n1", "text": "Data comes from the lake", "position": [10, -20]},
        {"uuid": "n2", "text": "", "position": [0, 0], "size": [240, 120]},
    ]
    assert validate_document(document).issues == []

    document.data["notes"] = [
        {"uuid": "n1", "text": "ok", "position": "here"},
        {"uuid": "a/b", "text": 3, "position": [0, 0]},
        {"text": "no uuid", "position": [0, 0], "size": [0, 10]},
    ]
    issues = validate_document(document).issues
    assert all(i.code == "schema" and i.severity == "error" for i in issues)
    pointers = {i.pointer for i in issues}
    assert {"/notes/0/position", "/notes/1/uuid", "/notes/1/text", "/notes/2"} <= pointers
    assert "/notes/2/size/0" in pointers or "/notes/2/size" in pointers
    position = next(i for i in issues if i.pointer == "/notes/0/position")
    assert "position" in position.message and "[x, y]" in position.message


def test_notes_survive_a_save_and_do_not_change_the_plan(tmp_path: Path) -> None:
    document, uuids = make_pipeline({"Load": ("load.py", [])})
    note = {"uuid": "n1", "text": "Why this step", "position": [5, 5]}
    document.data["notes"] = [note]
    path = tmp_path / "p.orchest"
    document.save(path)
    again = PipelineDocument.from_file(path)
    assert again.data["notes"] == [note]
    assert list(again.steps) == [uuids["Load"]]
    # A run plans the steps only: the note is no step.
    planned = make_plan(again, "full").steps
    assert [step.uuid for step in planned] == [uuids["Load"]]
