from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from conftest import ORCHEST_PROJECT, QUICKSTART

from orchest_lab.pipeline import PipelineDocument, PipelineLoadError, validate_text


def test_an_orchest_pipeline_round_trips_with_every_field_kept(tmp_path: Path) -> None:
    source = ORCHEST_PROJECT / "data-passing.orchest"
    document = PipelineDocument.from_file(source)
    document.data["steps"]["a21f3559-911d-4f16-b1bc-a615909ad892"]["custom"] = {"kept": True}
    target = tmp_path / "copy.orchest"
    document.save(target)

    reloaded = json.loads(target.read_text())
    original = json.loads(source.read_text())
    original["steps"]["a21f3559-911d-4f16-b1bc-a615909ad892"]["custom"] = {"kept": True}
    assert reloaded == original  # services, hash, kernel and the unknown field all survive
    assert list(reloaded) == list(original)  # and the key order too


def test_invalid_json_is_reported_with_line_and_column() -> None:
    text = '{\n    "name": "x",\n    "steps": {,\n}'
    with pytest.raises(PipelineLoadError) as caught:
        PipelineDocument.from_text(text)
    issue = caught.value.issue
    assert issue.code == "invalid-json"
    assert (issue.line, issue.column) == (3, 15)
    assert "invalid JSON" in issue.message


@pytest.mark.parametrize(
    ("text", "expected"),
    [("", "empty"), ("   \n", "empty"), ("[]", "not array"), ('"x"', "not str")],
)
def test_text_that_is_not_a_pipeline_object_is_refused(text: str, expected: str) -> None:
    with pytest.raises(PipelineLoadError) as caught:
        PipelineDocument.from_text(text)
    assert all(word in caught.value.issue.message for word in expected.split())


def test_duplicate_step_keys_are_an_error_naming_the_uuid() -> None:
    text = (QUICKSTART / "quickstart.orchest").read_text()
    step_uuid = "2f6f1d2a-7c1b-4e8a-9c43-5a1b0e6d8f01"
    duplicate = f'"{step_uuid}": {{"uuid": "{step_uuid}", "title": "Again", "file_path": '
    duplicate += '"load.ipynb", "incoming_connections": []},\n'
    text = text.replace('"steps": {', '"steps": {\n' + duplicate, 1)
    result = validate_text(text)
    duplicates = [i for i in result.errors if i.code == "duplicate-uuid"]
    assert len(duplicates) == 1
    assert duplicates[0].step_uuid == step_uuid
    assert duplicates[0].pointer == f"/steps/{step_uuid}"


def test_save_is_atomic_a_failed_write_leaves_the_old_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "p.orchest"
    PipelineDocument.new("first").save(target)
    before = target.read_bytes()

    def crash(*args: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", crash)
    with pytest.raises(OSError, match="disk full"):
        PipelineDocument.new("second").save(target)
    assert target.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["p.orchest"]  # no temporary file left


def test_save_keeps_the_file_mode(tmp_path: Path) -> None:
    target = tmp_path / "p.orchest"
    PipelineDocument.new("first").save(target)
    target.chmod(0o640)
    PipelineDocument.new("second").save(target)
    assert target.stat().st_mode & 0o777 == 0o640


def test_new_pipelines_are_valid_and_get_fresh_uuids() -> None:
    a, b = PipelineDocument.new("a"), PipelineDocument.new("b")
    assert a.uuid != b.uuid
    assert validate_text(a.to_text()).issues == []
    assert a.data["version"] == "1.0.0"
