from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from api_client import call, payload
from conftest import tree_snapshot

LOAD = "2f6f1d2a-7c1b-4e8a-9c43-5a1b0e6d8f01"
TRAIN = "a1b2c3d4-e5f6-4789-8abc-def012345604"


async def test_list_pipelines_finds_every_pipeline_under_the_root(
    jp_fetch: Any, served_project: Path, jp_root_dir: Path
) -> None:
    (jp_root_dir / "other" / "deep").mkdir(parents=True)
    (jp_root_dir / "other" / "deep" / "broken.orchest").write_text("{ not json")
    (jp_root_dir / "node_modules").mkdir()
    (jp_root_dir / "node_modules" / "skipped.orchest").write_text("{}")
    (jp_root_dir / ".hidden").mkdir()
    (jp_root_dir / ".hidden" / "skipped.orchest").write_text("{}")

    response = await call(jp_fetch, "GET", "pipelines")
    assert response.code == 200
    pipelines = payload(response)["pipelines"]
    assert [p["path"] for p in pipelines] == [
        "other/deep/broken.orchest",
        "quickstart/quickstart.orchest",
    ]
    broken, quickstart = pipelines
    assert quickstart == {
        "path": "quickstart/quickstart.orchest",
        "name": "quickstart",
        "uuid": "7e0c4a52-3b9d-4f61-a8e2-9d1c5b6f4a10",
        "step_count": 5,
        "project": "quickstart",
        "error": None,
    }
    assert broken["error"].startswith("cannot be read")


async def test_listing_does_not_follow_symlinks_out_of_the_root(
    jp_fetch: Any, jp_root_dir: Path, tmp_path: Path
) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.orchest").write_text('{"name": "secret"}')
    (jp_root_dir / "link.orchest").symlink_to(outside / "secret.orchest")
    (jp_root_dir / "linked-folder").symlink_to(outside)
    response = await call(jp_fetch, "GET", "pipelines")
    assert payload(response)["pipelines"] == []


async def test_validate_a_pipeline_file(jp_fetch: Any, served_project: Path) -> None:
    response = await call(
        jp_fetch, "POST", "pipelines/validate", {"path": "quickstart/quickstart.orchest"}
    )
    assert response.code == 200
    assert payload(response) == {"valid": True, "issues": []}

    (served_project / "train.ipynb").unlink()
    response = await call(
        jp_fetch, "POST", "pipelines/validate", {"path": "quickstart/quickstart.orchest"}
    )
    result = payload(response)
    assert result["valid"] is False
    assert result["issues"] == [
        {
            "severity": "error",
            "code": "missing-file",
            "message": "step 'Train': file 'train.ipynb' does not exist",
            "pointer": f"/steps/{TRAIN}/file_path",
            "step_uuid": TRAIN,
        }
    ]


async def test_validate_unsaved_content_in_the_context_of_its_file(
    jp_fetch: Any, served_project: Path
) -> None:
    text = (served_project / "quickstart.orchest").read_text()
    broken = text.replace('"incoming_connections": []', f'"incoming_connections": ["{TRAIN}"]')
    response = await call(
        jp_fetch,
        "POST",
        "pipelines/validate",
        {"path": "quickstart/quickstart.orchest", "content": broken},
    )
    issues = payload(response)["issues"]
    assert [i["code"] for i in issues] == ["cycle"]
    assert "'Load data' -> 'Clean' -> 'Train' -> 'Load data'" in issues[0]["message"]
    assert set(issues[0]["related_step_uuids"]) >= {LOAD, TRAIN}

    response = await call(jp_fetch, "POST", "pipelines/validate", {"content": '{"name": 1,'})
    (issue,) = payload(response)["issues"]
    assert (issue["code"], issue["line"], issue["column"]) == ("invalid-json", 1, 12)


async def test_validate_an_inline_pipeline_object(jp_fetch: Any, served_project: Path) -> None:
    pipeline = json.loads((served_project / "quickstart.orchest").read_text())
    response = await call(jp_fetch, "POST", "pipelines/validate", {"pipeline": pipeline})
    assert payload(response) == {"valid": True, "issues": []}


@pytest.mark.parametrize(
    ("body", "status", "message"),
    [
        ({"path": "../outside.orchest"}, 400, "leaves the root folder"),
        ({"path": "/etc/passwd"}, 400, "is absolute"),
        ({"path": "quickstart/load.ipynb"}, 400, "is not a pipeline file"),
        ({"path": "nowhere.orchest"}, 404, "does not exist"),
        ({"path": "quickstart/quickstart.orchest", "bogus": 1}, 400, "unknown field 'bogus'"),
        ({"path": 3}, 400, "field 'path' must be a string"),
        ({"pipeline": "text"}, 400, "field 'pipeline' must be an object"),
        ({"content": "{}", "pipeline": {}}, 400, "not both"),
        ({}, 400, "give the pipeline"),
        ([1, 2], 400, "must be a JSON object"),
        ("{not json", 400, "not valid JSON"),
    ],
)
async def test_bad_validate_requests_are_refused_with_a_message(
    jp_fetch: Any, served_project: Path, jp_root_dir: Path, body: Any, status: int, message: str
) -> None:
    before = tree_snapshot(jp_root_dir)
    response = await call(jp_fetch, "POST", "pipelines/validate", body)
    assert response.code == status
    assert message in payload(response)["message"]
    assert tree_snapshot(jp_root_dir) == before


async def test_symlinked_pipelines_leading_out_are_refused(
    jp_fetch: Any, jp_root_dir: Path, tmp_path: Path
) -> None:
    outside = tmp_path / "outside.orchest"
    outside.write_text("{}")
    (jp_root_dir / "link.orchest").symlink_to(outside)
    response = await call(jp_fetch, "POST", "pipelines/validate", {"path": "link.orchest"})
    assert response.code == 400
    assert "symlink" in payload(response)["message"]


async def test_plan_a_run(jp_fetch: Any, served_project: Path) -> None:
    body = {"path": "quickstart/quickstart.orchest", "mode": "incoming", "steps": ["Train"]}
    response = await call(jp_fetch, "POST", "pipelines/plan", body)
    assert response.code == 200
    plan = payload(response)
    assert plan["mode"] == "incoming"
    assert plan["selected"] == [TRAIN]
    assert [s["title"] for s in plan["steps"]] == ["Load data", "Clean", "Features", "Train"]
    assert [s["level"] for s in plan["steps"]] == [0, 1, 1, 2]
    assert plan["steps"][0]["reason"] == "ancestor of 'Train'"
    assert plan["issues"] == []


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"mode": "sideways"}, "mode must be one of"),
        ({}, "field 'mode' is required"),
        ({"mode": "selection"}, "needs at least one selected step"),
        ({"mode": "selection", "steps": ["ghost"]}, "no step has the uuid or title 'ghost'"),
        ({"mode": "selection", "steps": "Train"}, "field 'steps' must be an array"),
    ],
)
async def test_bad_plan_requests_are_refused(
    jp_fetch: Any, served_project: Path, body: dict[str, Any], message: str
) -> None:
    body = {"path": "quickstart/quickstart.orchest", **body}
    response = await call(jp_fetch, "POST", "pipelines/plan", body)
    assert response.code == 400
    assert message in payload(response)["message"]


async def test_plan_of_an_invalid_pipeline_returns_its_issues(
    jp_fetch: Any, served_project: Path
) -> None:
    (served_project / "clean.py").unlink()
    body = {"path": "quickstart/quickstart.orchest", "mode": "full"}
    response = await call(jp_fetch, "POST", "pipelines/plan", body)
    assert response.code == 400
    error = payload(response)
    assert error["message"].startswith(
        "pipeline 'quickstart/quickstart.orchest' is not valid (1 error)"
    )
    assert [i["code"] for i in error["issues"]] == ["missing-file"]


async def test_pipelines_that_run_a_given_file(
    jp_fetch: Any, served_project: Path, jp_root_dir: Path
) -> None:
    (jp_root_dir / "other.orchest").write_text(
        (served_project / "quickstart.orchest").read_text().replace("train.ipynb", "x.ipynb")
    )
    response = await call(jp_fetch, "GET", "pipelines", params={"file": "quickstart/train.ipynb"})
    (found,) = payload(response)["pipelines"]
    assert found["path"] == "quickstart/quickstart.orchest"
    assert found["steps"] == [{"uuid": TRAIN, "title": "Train"}]
    response = await call(jp_fetch, "GET", "pipelines", params={"file": "../etc/passwd"})
    assert response.code == 400
