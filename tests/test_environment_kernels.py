"""Kernels of built environments, as JupyterLab starts them, and runs when an environment is not
built and the server does not build it on its own."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import nbformat
import pytest
from api_client import call, start_run, steps_by_title, wait_run
from environment_helpers import build, create_environment
from jupyter_client.asynchronous.client import AsyncKernelClient
from project_factory import write_pipeline


@pytest.fixture
def jp_server_config(jp_server_config: dict[str, Any]) -> dict[str, Any]:
    jp_server_config["OrchestLab"]["build_environments_on_run"] = False
    return jp_server_config


async def test_a_kernel_of_an_environment_works_in_the_project_with_its_variables(
    jp_fetch: Any, jp_root_dir: Path, jp_serverapp: Any, data_dir: Path
) -> None:
    (jp_root_dir / "project" / "sub").mkdir(parents=True)
    environment = await build(
        jp_fetch, "project", (await create_environment(jp_fetch, "project", "K"))["uuid"]
    )
    body = json.dumps({"name": environment["kernel_name"], "path": "project/sub"})
    kernel = json.loads((await jp_fetch("api", "kernels", method="POST", body=body)).body)
    manager = jp_serverapp.kernel_manager.get_kernel(kernel["id"])
    client: AsyncKernelClient = manager.client()
    client.start_channels()
    try:
        await client.wait_for_ready(timeout=60)
        code = (
            "import os, sys, json\n"
            "print(json.dumps([os.getcwd(), sys.prefix, os.environ.get('ORCHEST_PROJECT_DIR'),\n"
            "    os.environ.get('ORCHEST_DATA_DIR'), os.environ.get('ORCHEST_PROJECT_UUID')]))"
        )
        printed: list[str] = []
        await client.execute_interactive(
            code, output_hook=lambda m: printed.append(m["content"].get("text", ""))
        )
    finally:
        client.stop_channels()
        await jp_fetch("api", "kernels", kernel["id"], method="DELETE")
    cwd, prefix, project_dir, shared, project_id = json.loads("".join(printed))
    assert cwd == project_dir == str(jp_root_dir / "project")  # the project, not "sub"
    assert shared == str(data_dir)
    assert environment["kernel_name"] == f"orchest-env-{project_id}-{environment['uuid']}"
    assert "environments" in prefix, "the kernel runs on the environment's own Python"


async def test_a_step_whose_environment_is_not_built_fails_saying_so(
    jp_fetch: Any, jp_root_dir: Path
) -> None:
    environment = await create_environment(jp_fetch, ".", "Never built")
    document, uuids, path = write_pipeline(
        jp_root_dir, {"S": ("s.py", []), "N": ("n.ipynb", [])}, {"s.py": "", "n.ipynb": ["1"]}
    )
    for uuid in uuids.values():
        document.data["steps"][uuid]["environment"] = environment["uuid"]
    document.data["steps"][uuids["N"]]["environment"] = "not-defined-here"
    document.save(path)
    run = await wait_run(
        jp_fetch, (await start_run(jp_fetch, {"pipeline_path": "p.orchest"}))["id"]
    )
    script, notebook = steps_by_title(run)["S"], steps_by_title(run)["N"]
    assert script["failure"]["name"] == "EnvironmentUnavailable"
    assert script["failure"]["message"].startswith("environment 'Never built' is not built")
    assert "orchest-lab env build" in script["failure"]["message"]
    assert notebook["failure"]["message"].startswith(
        "the step's environment not-defined-here cannot be used"
    )


async def test_a_step_cannot_name_an_environment_outside_the_project(
    jp_fetch: Any, jp_root_dir: Path, tmp_path: Path
) -> None:
    outside = tmp_path / "elsewhere"
    (outside / "evil").mkdir(parents=True)
    (outside / "evil" / "properties.json").write_text('{"name": "Evil", "language": "python"}')
    (outside / "evil" / "setup_script.sh").write_text(f"touch {tmp_path / 'pwned'}\n")
    document, uuids, path = write_pipeline(jp_root_dir, {"S": ("s.py", [])}, {"s.py": ""})
    relative = Path("..", "..", "..", *outside.parts[1:], "evil").as_posix()
    document.data["steps"][uuids["S"]]["environment"] = f"../../{relative}"
    document.save(path)
    run = await wait_run(
        jp_fetch, (await start_run(jp_fetch, {"pipeline_path": "p.orchest"}))["id"]
    )
    failure = steps_by_title(run)["S"]["failure"]
    assert "is not an environment uuid" in failure["message"]
    assert not (tmp_path / "pwned").exists()


async def test_environments_whose_uuids_differ_only_in_case_have_kernels_of_their_own(
    jp_fetch: Any, jp_root_dir: Path
) -> None:
    # Jupyter's kernelspec names ignore case: "ENVX" and "envx" must not share one.
    project = jp_root_dir / "project"
    for env_uuid in ("ENVX", "envx"):
        folder = project / ".orchest" / "environments" / env_uuid
        folder.mkdir(parents=True)
        (folder / "properties.json").write_text(json.dumps({"name": f"Env {env_uuid}"}))
    built = {env_uuid: await build(jp_fetch, "project", env_uuid) for env_uuid in ("ENVX", "envx")}
    lower, upper = built["envx"]["kernel_name"], built["ENVX"]["kernel_name"]
    project_id = json.loads(
        (await call(jp_fetch, "GET", "environments", params={"project": "project"})).body
    )["project_uuid"]
    assert lower == f"orchest-env-{project_id}-envx", "lowercase uuids keep Orchest's name"
    assert upper != lower and upper.startswith(lower)
    pythons = {}
    for env_uuid, environment in built.items():
        assert environment["build"]["state"] == "ready", environment
        spec = json.loads((await jp_fetch("api", "kernelspecs", environment["kernel_name"])).body)
        assert spec["spec"]["display_name"] == f"Env {env_uuid} (project)"
        pythons[env_uuid] = spec["spec"]["argv"][0]
        assert f"/{env_uuid}/builds/" in pythons[env_uuid]

    # Steps run on their own environment's Python.
    document, uuids, path = write_pipeline(
        project,
        {"Upper": ("upper.py", []), "Lower": ("lower.py", [])},
        {
            name: f"import sys\nopen('{name}.txt', 'w').write(sys.executable)\n"
            for name in ("upper.py", "lower.py")
        },
    )
    document.data["steps"][uuids["Upper"]]["environment"] = "ENVX"
    document.data["steps"][uuids["Lower"]]["environment"] = "envx"
    document.save(path)
    run = await wait_run(
        jp_fetch, (await start_run(jp_fetch, {"pipeline_path": "project/p.orchest"}))["id"]
    )
    assert run["status"] == "SUCCESS", run
    assert (project / "upper.py.txt").read_text() == pythons["ENVX"]
    assert (project / "lower.py.txt").read_text() == pythons["envx"]

    # Deleting one leaves the other's kernel alone.
    path.unlink()  # no step uses it then
    assert (await call(jp_fetch, "DELETE", "environments/project/ENVX")).code == 204
    specs = json.loads((await jp_fetch("api", "kernelspecs")).body)["kernelspecs"]
    assert lower in specs and upper not in specs


async def test_an_environment_with_ipykernel_6_runs_its_steps_on_fresh_forked_kernels(
    jp_fetch: Any, jp_root_dir: Path
) -> None:
    """Projects' environments may pin ipykernel 6, which greets no iopub subscriber and builds
    its shell otherwise: their steps' kernels are still forked from the environment's own
    zygote (which imported the environment's pyarrow, as preloaded modules are), and each step
    gets a kernel nothing ran on."""
    project = jp_root_dir / "project"
    project.mkdir()
    created = await create_environment(
        jp_fetch, "project", "Old kernel", "pip install --quiet 'ipykernel>=6.29,<7'\n"
    )
    environment = await build(jp_fetch, "project", created["uuid"])
    assert environment["build"]["state"] == "ready", environment
    cell = (
        "import sys, ipykernel\n"
        "major = ipykernel.__version__.split('.')[0]\n"
        "print(major, 'pyarrow' in sys.modules, 'seen' in globals())\n"
        "seen = True"
    )
    document, uuids, path = write_pipeline(
        project,
        {"A": ("a.ipynb", []), "B": ("b.ipynb", ["A"])},
        {"a.ipynb": [cell], "b.ipynb": [cell]},
    )
    for uuid in uuids.values():
        document.data["steps"][uuid]["environment"] = created["uuid"]
    document.save(path)
    started = await start_run(jp_fetch, {"pipeline_path": "project/p.orchest"})
    run = await wait_run(jp_fetch, started["id"])
    assert [s["status"] for s in steps_by_title(run).values()] == ["SUCCESS", "SUCCESS"], run
    for name in ("a.ipynb", "b.ipynb"):
        notebook = nbformat.read(project / name, as_version=4)
        printed = "".join(o.get("text", "") for o in notebook.cells[0].outputs)
        assert printed == "6 True False\n", name
