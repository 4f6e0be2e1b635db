"""Environments built for real: isolated virtual environments with uv, their kernelspecs, and
steps running on them. The first build on a machine downloads ipykernel (uv caches it)."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import nbformat
import pytest
from api_client import call, payload, start_run, steps_by_title, wait_run
from conftest import tree_snapshot
from environment_helpers import build, create_environment, wait_built
from project_factory import write_pipeline

from orchest_lab.events import BUILD

IMPORT_IT = "import inflection\nprint(inflection.camelize('data_passing'))\n"


async def kernelspec_names(jp_fetch: Any) -> set[str]:
    response = await jp_fetch("api", "kernelspecs", method="GET")
    return set(json.loads(response.body)["kernelspecs"])


async def test_an_environment_is_isolated_and_runs_its_steps(
    jp_fetch: Any, jp_root_dir: Path
) -> None:
    project = jp_root_dir / "project"
    project.mkdir()
    with_package = await create_environment(
        jp_fetch, "project", "With inflection", "pip install inflection\n"
    )
    without = await create_environment(jp_fetch, "project", "Plain")
    built = await build(jp_fetch, "project", with_package["uuid"])
    assert built["build"]["state"] == "ready", built
    assert built["build"]["up_to_date"] is True
    assert (await build(jp_fetch, "project", without["uuid"]))["build"]["state"] == "ready"

    kernel = built["kernel_name"]
    assert kernel.startswith("orchest-env-") and kernel.endswith(with_package["uuid"])
    specs = await kernelspec_names(jp_fetch)
    assert {kernel, without["kernel_name"]} <= specs
    spec = json.loads((await jp_fetch("api", "kernelspecs", kernel)).body)
    assert spec["spec"]["display_name"] == "With inflection (project)"

    document, uuids, path = write_pipeline(
        project,
        {
            "Has it": ("has.py", []),
            "Lacks it": ("lacks.ipynb", []),
            "Has it too": ("too.ipynb", []),
        },
        {"has.py": IMPORT_IT, "lacks.ipynb": [IMPORT_IT], "too.ipynb": [IMPORT_IT]},
    )
    for title, env in (
        ("Has it", with_package),
        ("Lacks it", without),
        ("Has it too", with_package),
    ):
        document.data["steps"][uuids[title]]["environment"] = env["uuid"]
    document.save(path)
    run = await wait_run(
        jp_fetch, (await start_run(jp_fetch, {"pipeline_path": "project/p.orchest"}))["id"]
    )
    steps = steps_by_title(run)
    assert steps["Has it"]["status"] == "SUCCESS"
    assert steps["Has it too"]["status"] == "SUCCESS"
    assert steps["Lacks it"]["status"] == "FAILURE"
    assert steps["Lacks it"]["failure"]["name"] == "ModuleNotFoundError"
    with pytest.raises(ImportError):
        import inflection  # noqa: F401 - nor is it in the server's Python

    # An environment that steps use cannot be deleted; the message names them.
    response = await call(jp_fetch, "DELETE", f"environments/project/{with_package['uuid']}")
    assert response.code == 409
    assert "'Has it' of p.orchest" in payload(response)["message"]
    assert "'Has it too' of p.orchest" in payload(response)["message"]
    for title in ("Has it", "Has it too"):
        document.data["steps"][uuids[title]]["environment"] = without["uuid"]
    document.save(path)
    response = await call(jp_fetch, "DELETE", f"environments/project/{with_package['uuid']}")
    assert response.code == 204
    assert kernel not in await kernelspec_names(jp_fetch)
    assert not (project / ".orchest" / "environments" / with_package["uuid"]).exists()


async def test_unchanged_environments_are_not_rebuilt_and_builds_are_shared(
    jp_fetch: Any, jp_root_dir: Path, jp_serverapp: Any
) -> None:
    events: list[dict[str, Any]] = []

    async def on_build(logger: Any, schema_id: str, data: dict[str, Any]) -> None:
        events.append(data)

    jp_serverapp.event_logger.add_listener(schema_id=BUILD, listener=on_build)
    environment = await create_environment(jp_fetch, ".", "Once")
    first = await call(jp_fetch, "POST", f"environments/./{environment['uuid']}/build", {})
    second = await call(jp_fetch, "POST", f"environments/./{environment['uuid']}/build", {})
    assert first.code == second.code == 202
    built = await wait_built(jp_fetch, ".", environment["uuid"])
    assert built["build"]["state"] == "ready"
    log = (await call(jp_fetch, "GET", f"environments/./{environment['uuid']}/build/log")).body
    assert log.decode().count("Building 'Once'") == 1, "two requests, one build"
    await asyncio.sleep(0.1)  # listeners are called in tasks of their own
    states = [(event["state"], event["building"]) for event in events]
    assert states == [("queued", True), ("building", True), ("ready", False)], states

    again = await build(jp_fetch, ".", environment["uuid"])
    assert (again["build"]["state"], again["build"]["message"]) == ("ready", "up to date")
    assert again["build"]["hash"] == built["build"]["hash"]

    # A new name needs no build either, but the kernel's display name follows it.
    await call(jp_fetch, "PUT", f"environments/./{environment['uuid']}", {"name": "Renamed"})
    renamed = await build(jp_fetch, ".", environment["uuid"])
    assert renamed["build"]["message"] == "up to date"
    spec = json.loads((await jp_fetch("api", "kernelspecs", renamed["kernel_name"])).body)
    assert spec["spec"]["display_name"] == f"Renamed ({jp_root_dir.name})"


async def test_a_failing_setup_script_fails_the_build_and_keeps_the_good_one(
    jp_fetch: Any,
) -> None:
    environment = await create_environment(jp_fetch, ".", "Fragile")
    good = await build(jp_fetch, ".", environment["uuid"])
    assert good["build"]["state"] == "ready"
    script = "echo installing\npip install this-package-does-not-exist-orchest-lab\n"
    await call(jp_fetch, "PUT", f"environments/./{environment['uuid']}", {"setup_script": script})
    failed = await build(jp_fetch, ".", environment["uuid"])
    assert failed["build"]["state"] == "failed"
    assert failed["build"]["message"].startswith("could not run the setup script (exit status 1)")
    assert failed["build"]["up_to_date"] is False
    assert failed["kernel_name"] in await kernelspec_names(jp_fetch), "the good build serves on"
    log = (await call(jp_fetch, "GET", f"environments/./{environment['uuid']}/build/log")).body
    assert "this-package-does-not-exist-orchest-lab" in log.decode()
    assert "Build failed: could not run the setup script" in log.decode()


async def test_saving_a_pipeline_gives_its_notebooks_their_environment_kernel(
    jp_fetch: Any, jp_root_dir: Path
) -> None:
    environment = await create_environment(jp_fetch, ".", "Kernels")
    document, uuids, _ = write_pipeline(jp_root_dir, {"N": ("n.ipynb", [])}, {"n.ipynb": ["1"]})
    document.data["steps"][uuids["N"]]["environment"] = environment["uuid"]
    body = {"type": "file", "format": "text", "content": document.to_text()}
    response = await jp_fetch("api", "contents", "p.orchest", method="PUT", body=json.dumps(body))
    assert response.code == 200
    kernelspec = nbformat.read(jp_root_dir / "n.ipynb", as_version=4).metadata["kernelspec"]
    assert kernelspec == {
        "name": environment["kernel_name"],
        "display_name": f"Kernels ({jp_root_dir.name})",
        "language": "python",
    }


@pytest.mark.parametrize(
    ("method", "route", "body", "status", "message"),
    [
        ("POST", "environments", {"name": "x", "language": "cobol"}, 400, "must be one of python"),
        ("POST", "environments", {"language": "python"}, 400, "field 'name' is required"),
        ("POST", "environments", {"name": "x", "gpu_support": "yes"}, 400, "must be a boolean"),
        ("GET", "environments/./broken", None, 400, "is not valid JSON (line 1, column 2"),
        ("GET", "environments/./nope", None, 404, "has no environment 'nope'"),
        ("GET", "environments/missing/x", None, 404, "project folder 'missing' does not exist"),
        ("GET", "environments/../x/y", None, 400, "leaves the root folder"),
    ],
)
async def test_bad_environment_requests(
    jp_fetch: Any,
    jp_root_dir: Path,
    method: str,
    route: str,
    body: Any,
    status: int,
    message: str,
) -> None:
    broken = jp_root_dir / ".orchest" / "environments" / "broken"
    broken.mkdir(parents=True)
    (broken / "properties.json").write_text("{oops")
    before = tree_snapshot(jp_root_dir)
    params = {"project": "."} if route == "environments" else None
    response = await call(jp_fetch, method, route, body, params=params)
    assert response.code == status
    assert message in payload(response)["message"]
    assert tree_snapshot(jp_root_dir) == before
    listed = payload(await call(jp_fetch, "GET", "environments", params={"project": "."}))
    assert listed["environments"][0]["uuid"] == "broken"
    assert "not valid JSON" in listed["environments"][0]["error"]
