"""Input that once made the API answer 500 ("Unhandled error"): each exact request, now a 4xx
whose message says what is wrong and where, or a validation issue with its pointer."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from api_client import call, payload

QUICKSTART_FILE = "quickstart/quickstart.orchest"
STEP = "2f6f1d2a-7c1b-4e8a-9c43-5a1b0e6d8f01"  # the quickstart's "Load data"
PIPELINE = "7e0c4a52-3b9d-4f61-a8e2-9d1c5b6f4a10"
ENVIRONMENT = "0b4cd2f6-9f4e-4bd0-8a0e-3f4c2d1e5a77"
DEEP_TEXT = '{"a":' * 100_000 + "0" + "}" * 100_000
HUGE_NUMBER = '{"name": ' + "9" * 5000 + "}"


@pytest.fixture
def jp_server_config(jp_server_config: dict[str, Any]) -> dict[str, Any]:
    # Runs started here are cancelled at once: their steps wait instead of running.
    jp_server_config["OrchestLab"]["executor_class"] = "blocking_executor.BlockingExecutor"
    return jp_server_config


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("[" * 100_000, "nested too deeply"),
        ('{"mode": ' + "9" * 5000 + "}", "4300 digits"),
        # Python reads these; written back (a run's record) no browser could read them.
        ('{"pipeline_path": "p.orchest", "parameters": {"pipeline": {"x": NaN}}}', "NaN is not"),
        ('{"pipeline_path": "p.orchest", "parameters": {"pipeline": {"x": -Infinity}}}', "-Inf"),
        ('{"pipeline_path": "p.orchest", "parameters": {"pipeline": {"x": 1e999}}}', "too large"),
    ],
)
async def test_a_request_body_that_python_cannot_read_is_a_400(
    jp_fetch: Any, body: str, expected: str
) -> None:
    for route in ("pipelines/validate", "pipelines/plan", "runs"):
        response = await call(jp_fetch, "POST", route, body)
        assert response.code == 400
        assert expected in payload(response)["message"]
        assert payload(response)["issues"][0]["code"] == "invalid-json"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (DEEP_TEXT, "too deeply"),
        (HUGE_NUMBER, "4300"),
        ('{"name": NaN}', "NaN is not a JSON number"),
        ('{"name": 1e999}', "the number 1e999 is too large"),
    ],
)
async def test_pipeline_text_that_python_cannot_read_is_invalid_json(
    jp_fetch: Any, jp_root_dir: Path, text: str, expected: str
) -> None:
    response = await call(jp_fetch, "POST", "pipelines/validate", {"content": text})
    assert response.code == 200
    (issue,) = payload(response)["issues"]
    assert issue["code"] == "invalid-json" and expected in issue["message"]

    (jp_root_dir / "p.orchest").write_text(text)
    listed = payload(await call(jp_fetch, "GET", "pipelines"))["pipelines"]
    assert [p["path"] for p in listed] == ["p.orchest"]
    assert listed[0]["error"].startswith("cannot be read") and expected in listed[0]["error"]
    for route, body in [
        ("pipelines/plan", {"path": "p.orchest", "mode": "full"}),
        ("runs", {"pipeline_path": "p.orchest"}),
    ]:
        refused = await call(jp_fetch, "POST", route, body)
        assert refused.code == 400
        assert payload(refused)["issues"][0]["code"] == "invalid-json"


def nested(depth: int) -> Any:
    value: Any = 1
    for _ in range(depth):
        value = {"a": value}
    return value


def write(root: Path, change: Any) -> str:
    """The quickstart with `change` applied, as p.orchest in the quickstart project."""
    document = json.loads((root / QUICKSTART_FILE).read_text())
    change(document)
    (root / "quickstart" / "p.orchest").write_text(json.dumps(document))
    return "quickstart/p.orchest"


def run_folders(root: Path) -> list[Path]:
    return sorted((root / "quickstart" / ".orchest").glob("pipelines/*/runs/*"))


async def start_and_cancel(jp_fetch: Any, body: dict[str, Any]) -> None:
    response = await call(jp_fetch, "POST", "runs", body)
    assert response.code == 202, payload(response)
    await call(jp_fetch, "DELETE", f"runs/{payload(response)['id']}")


async def test_validate_and_run_agree_on_the_nesting_limit(
    jp_fetch: Any, served_project: Path, jp_root_dir: Path
) -> None:
    # The document is level 1, its parameters level 2: 98 more levels make 100.
    at_limit = write(jp_root_dir, lambda d: d.__setitem__("parameters", {"x": nested(98)}))
    result = payload(await call(jp_fetch, "POST", "pipelines/validate", {"path": at_limit}))
    assert result == {"valid": True, "issues": []}
    await start_and_cancel(jp_fetch, {"pipeline_path": at_limit})

    too_deep = write(jp_root_dir, lambda d: d.__setitem__("parameters", {"x": nested(99)}))
    result = payload(await call(jp_fetch, "POST", "pipelines/validate", {"path": too_deep}))
    (issue,) = result["issues"]
    assert issue["code"] == "too-deep"
    assert issue["pointer"] == "/parameters/x" + "/a" * 98
    assert "nested more than 100 levels deep" in issue["message"]
    before = run_folders(jp_root_dir)
    refused = await call(jp_fetch, "POST", "runs", {"pipeline_path": too_deep})
    assert refused.code == 400
    assert payload(refused)["issues"] == result["issues"]
    assert run_folders(jp_root_dir) == before


@pytest.mark.parametrize(
    ("parameters", "deepest", "pointer"),
    [
        # The pipeline's parameters are at level 2 of the document, a step's at level 4.
        (lambda n: {"pipeline": {"x": nested(n)}}, 98, "/parameters/pipeline/x" + "/a" * 98),
        (
            lambda n: {"steps": {"Clean": {"x": nested(n)}}},
            96,
            "/parameters/steps/Clean/x" + "/a" * 96,
        ),
    ],
    ids=["pipeline", "step"],
)
async def test_run_parameters_obey_the_limit_of_the_pipeline_they_join(
    jp_fetch: Any,
    served_project: Path,
    jp_root_dir: Path,
    parameters: Any,
    deepest: int,
    pointer: str,
) -> None:
    body = {"pipeline_path": QUICKSTART_FILE, "parameters": parameters(deepest + 1)}
    refused = await call(jp_fetch, "POST", "runs", body)
    assert refused.code == 400
    (issue,) = payload(refused)["issues"]
    assert (issue["code"], issue["pointer"]) == ("too-deep", pointer)
    assert "with the run's parameters applied" in payload(refused)["message"]
    plan = {"path": QUICKSTART_FILE, "parameters": parameters(deepest + 1), "mode": "full"}
    planned = await call(jp_fetch, "POST", "pipelines/plan", plan)
    assert planned.code == 400 and payload(planned)["issues"] == payload(refused)["issues"]
    assert run_folders(jp_root_dir) == []
    # One level less fits: the pipeline the steps read is then 100 levels deep.
    await start_and_cancel(
        jp_fetch, {"pipeline_path": QUICKSTART_FILE, "parameters": parameters(deepest)}
    )


@pytest.mark.parametrize(
    ("change", "pointer"),
    [
        (lambda d: d["steps"][STEP].__setitem__("title", "T\ud800"), f"/steps/{STEP}/title"),
        (lambda d: d.__setitem__("parameters", {"x": ["\udfff"]}), "/parameters/x/0"),
        (lambda d: d.__setitem__("parameters", {"k\ud800": 1}), "/parameters/k\ud800"),
        (lambda d: d.__setitem__("env_variables", {"A\ud800": "x"}), "/env_variables/A\ud800"),
        (lambda d: d.__setitem__("name", "\ud800"), "/name"),
    ],
)
async def test_a_lone_surrogate_in_a_pipeline_is_an_issue_naming_its_place(
    jp_fetch: Any, served_project: Path, jp_root_dir: Path, change: Any, pointer: str
) -> None:
    path = write(jp_root_dir, change)
    result = payload(await call(jp_fetch, "POST", "pipelines/validate", {"path": path}))
    assert [(i["code"], i["pointer"]) for i in result["issues"]] == [("invalid-text", pointer)]
    refused = await call(jp_fetch, "POST", "runs", {"pipeline_path": path})
    assert refused.code == 400 and payload(refused)["issues"] == result["issues"]
    assert run_folders(jp_root_dir) == []


async def test_a_lone_surrogate_in_run_parameters_is_refused(
    jp_fetch: Any, served_project: Path, jp_root_dir: Path
) -> None:
    body = {"pipeline_path": QUICKSTART_FILE, "parameters": {"pipeline": {"x": "a\ud800"}}}
    refused = await call(jp_fetch, "POST", "runs", body)
    assert refused.code == 400
    assert payload(refused)["issues"][0]["pointer"] == "/parameters/pipeline/x"
    assert payload(refused)["issues"][0]["code"] == "invalid-text"
    assert run_folders(jp_root_dir) == []


@pytest.mark.parametrize(
    ("variables", "code", "pointer", "expected"),
    [
        ({"A\x00B": "x"}, "invalid-env-variable", "/env_variables/A\x00B", "name 'A\x00B'"),
        ({"A": "x\x00y"}, "invalid-env-variable", "/env_variables/A", "'A' holds a NUL"),
        ({"A=B": "x"}, "invalid-env-variable", "/env_variables/A=B", "must not be empty or hold"),
        ({"": "x"}, "invalid-env-variable", "/env_variables/", "must not be empty"),
        ({"A": 5}, "schema", "/env_variables/A", "must be a string"),
        (["A=1"], "schema", "/env_variables", "must be an object"),
    ],
)
async def test_environment_variables_no_environment_can_carry_are_issues(
    jp_fetch: Any,
    served_project: Path,
    jp_root_dir: Path,
    variables: Any,
    code: str,
    pointer: str,
    expected: str,
) -> None:
    path = write(jp_root_dir, lambda d: d.__setitem__("env_variables", variables))
    result = payload(await call(jp_fetch, "POST", "pipelines/validate", {"path": path}))
    (issue,) = result["issues"]
    assert (issue["code"], issue["pointer"]) == (code, pointer)
    assert expected in issue["message"]
    # No step gets such an environment: the run is refused before anything starts.
    refused = await call(jp_fetch, "POST", "runs", {"pipeline_path": path})
    assert refused.code == 400 and payload(refused)["issues"] == result["issues"]
    assert run_folders(jp_root_dir) == []


LONG_NAME = "a" * 300 + ".orchest"
LONG_PATH = ("b" * 250 + "/") * 20 + "x.orchest"


@pytest.mark.parametrize(
    ("method", "route", "body", "params", "pointer", "expected"),
    [
        ("POST", "pipelines/validate", {"path": LONG_NAME}, None, "/path", "longer than 255"),
        ("POST", "pipelines/validate", {"path": LONG_PATH}, None, "/path", "longer than 4095"),
        (
            "POST",
            "pipelines/plan",
            {"path": "quickstart/" + "a" * 300 + "/p.orchest", "mode": "full"},
            None,
            "/path",
            "longer than 255",
        ),
        ("POST", "runs", {"pipeline_path": LONG_NAME}, None, "/pipeline_path", "longer than 255"),
        ("GET", "pipelines", None, {"file": "a" * 300}, "/file", "longer than 255"),
        ("GET", "pipelines/data", None, {"path": LONG_NAME}, "/path", "longer than 255"),
        ("POST", "runs", {"pipeline_path": "a\x00.orchest"}, None, "/pipeline_path", "NUL"),
        ("POST", "runs", {"pipeline_path": "\ud800.orchest"}, None, "/pipeline_path", "surrogate"),
    ],
)
async def test_a_path_no_file_can_have_is_refused_naming_the_field(
    jp_fetch: Any,
    served_project: Path,
    method: str,
    route: str,
    body: Any,
    params: Any,
    pointer: str,
    expected: str,
) -> None:
    kwargs = {"params": params} if params else {}
    response = await call(jp_fetch, method, route, body, **kwargs)
    assert response.code == 400
    (issue,) = payload(response)["issues"]
    assert (issue["code"], issue["pointer"]) == ("invalid-path", pointer)
    assert expected in payload(response)["message"]
    assert len(payload(response)["message"]) < 300  # the path is shortened, not echoed whole


@pytest.mark.parametrize("path", ["loop.orchest", "loop/x.orchest"])
async def test_a_pipeline_file_behind_a_symlink_loop_cannot_be_read(
    jp_fetch: Any, jp_root_dir: Path, path: str
) -> None:
    (jp_root_dir / path.split("/")[0]).symlink_to(path.split("/")[0])
    for route, body in [
        ("pipelines/validate", {"path": path}),
        ("pipelines/plan", {"path": path, "mode": "full"}),
        ("runs", {"pipeline_path": path}),
    ]:
        response = await call(jp_fetch, "POST", route, body)
        assert response.code == 400
        assert "is (or passes through) a symlink loop" in payload(response)["message"]
        issue = payload(response)["issues"][0]
        assert issue["code"] == "invalid-path"
        assert issue["pointer"] == ("/path" if "path" in body else "/pipeline_path")
    response = await call(jp_fetch, "GET", "pipelines/data", params={"path": path})
    assert response.code == 400 and payload(response)["issues"][0]["pointer"] == "/path"
    listed = payload(await call(jp_fetch, "GET", "pipelines"))["pipelines"]
    errors = {p["path"]: p["error"] for p in listed}
    if path == "loop.orchest":  # a file by its name: listed, with why it cannot be read
        assert "Too many levels of symbolic links" in errors["loop.orchest"]
    else:
        assert errors == {}


def plant_loop(path: Path) -> None:
    """`path` made a symlink to itself: whoever follows it gets ELOOP."""
    if path.is_dir():
        shutil.rmtree(path)
    elif path.exists():
        path.unlink()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.symlink_to(path.name)


STATE = f".orchest/pipelines/{PIPELINE}"


@pytest.mark.parametrize(
    ("place", "refused"),
    [
        (".orchest", f"{STATE}/logs cannot be used for the run (Too many levels"),
        (".orchest/pipelines", f"{STATE}/logs cannot be used for the run (Too many levels"),
        (f"{STATE}/logs", f"{STATE}/logs cannot be used for the run (it is not a folder)"),
        (".orchest/.gitignore", ".orchest/.gitignore cannot be used for the run"),
        (".orchest/environments", None),
        (f".orchest/environments/{ENVIRONMENT}", None),
        (f"{STATE}/data/{STEP}", None),
        (f"{STATE}/data/{STEP}/HEAD", None),
    ],
)
async def test_a_symlink_loop_in_a_project_is_a_message_not_a_500(
    jp_fetch: Any, served_project: Path, jp_root_dir: Path, place: str, refused: str | None
) -> None:
    plant_loop(served_project / place)
    validated = await call(jp_fetch, "POST", "pipelines/validate", {"path": QUICKSTART_FILE})
    assert validated.code == 200 and payload(validated)["valid"] is True
    planned = await call(
        jp_fetch, "POST", "pipelines/plan", {"path": QUICKSTART_FILE, "mode": "full"}
    )
    assert planned.code == 200
    assert all(step["outputs"] == "none" for step in payload(planned)["data"])
    data = await call(jp_fetch, "GET", "pipelines/data", params={"path": QUICKSTART_FILE})
    assert data.code == 200 and payload(data)["outputs"] == []
    assert (await call(jp_fetch, "GET", "pipelines")).code == 200
    if refused is None:
        await start_and_cancel(jp_fetch, {"pipeline_path": QUICKSTART_FILE})
        return
    before = tree(served_project)
    response = await call(jp_fetch, "POST", "runs", {"pipeline_path": QUICKSTART_FILE})
    assert response.code == 400
    assert payload(response)["message"].startswith(refused)
    assert payload(response)["issues"][0]["code"] == "unusable-folder"
    assert tree(served_project) == before  # nothing of the refused run is left


async def test_a_step_file_that_is_a_symlink_loop_is_an_issue(
    jp_fetch: Any, served_project: Path
) -> None:
    plant_loop(served_project / "clean.py")
    result = payload(await call(jp_fetch, "POST", "pipelines/validate", {"path": QUICKSTART_FILE}))
    (issue,) = result["issues"]
    assert issue["code"] == "missing-file"
    assert "file 'clean.py' cannot be read (Too many levels of symbolic links)" in issue["message"]


def tree(root: Path) -> set[str]:
    return {str(p.relative_to(root)) for p in root.rglob("*")}


@pytest.mark.parametrize("head", [b"garbage", b"\xff\xfe", b"a, b, c, d, e"])
async def test_a_disk_output_whose_head_is_not_orchests_counts_as_not_stored(
    jp_fetch: Any, served_project: Path, head: bytes
) -> None:
    folder = served_project / STATE / "data" / STEP
    folder.mkdir(parents=True)
    (folder / "HEAD").write_bytes(head)
    data = await call(jp_fetch, "GET", "pipelines/data", params={"path": QUICKSTART_FILE})
    assert data.code == 200 and payload(data)["outputs"] == []
    planned = await call(
        jp_fetch, "POST", "pipelines/plan", {"path": QUICKSTART_FILE, "mode": "full"}
    )
    assert planned.code == 200


@pytest.mark.parametrize(
    ("file_path", "code"), [("a\x00.py", "invalid-file-path"), ("a\ud800.py", "invalid-text")]
)
async def test_a_step_file_path_no_file_can_have_is_one_issue(
    jp_fetch: Any, served_project: Path, jp_root_dir: Path, file_path: str, code: str
) -> None:
    path = write(jp_root_dir, lambda d: d["steps"][STEP].__setitem__("file_path", file_path))
    result = payload(await call(jp_fetch, "POST", "pipelines/validate", {"path": path}))
    assert [(i["code"], i["pointer"]) for i in result["issues"]] == [
        (code, f"/steps/{STEP}/file_path")
    ]
    refused = await call(jp_fetch, "POST", "runs", {"pipeline_path": path})
    assert refused.code == 400 and payload(refused)["issues"] == result["issues"]


async def test_a_plan_with_mode_null_is_told_the_mode_is_required(
    jp_fetch: Any, served_project: Path
) -> None:
    body = {"path": QUICKSTART_FILE, "mode": None}
    response = await call(jp_fetch, "POST", "pipelines/plan", body)
    assert response.code == 400
    assert payload(response)["issues"][0]["pointer"] == "/mode"
    assert "field 'mode' is required" in payload(response)["message"]
