"""Steps of several runs waiting on one environment build: cancelling one run does not cancel the
build the others wait for, and a cancelled build fails the steps waiting on it, saying so."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from api_client import call, payload, start_run, steps_by_title, wait_run
from environment_helpers import create_environment
from project_factory import write_pipeline


async def wait_until(what: str, check: Callable[[], Awaitable[bool]], timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while not await check():
        assert time.monotonic() < deadline, f"still not {what} after {timeout} s"
        await asyncio.sleep(0.1)


async def gated_environment(jp_fetch: Any, gate: Path) -> dict[str, Any]:
    """An environment whose build waits, in its setup script, until `gate` exists."""
    script = f"while [ ! -e {gate} ]; do sleep 0.1; done\n"
    return await create_environment(jp_fetch, ".", "Gated", script)


def pipeline_on(folder: Path, env_uuid: str, name: str) -> str:
    document, uuids, path = write_pipeline(
        folder, {"S": ("s.py", [])}, {"s.py": "print('ran')\n"}, name=name
    )
    document.data["steps"][uuids["S"]]["environment"] = env_uuid
    document.save(path)
    return path.name


async def start_waiting_run(jp_fetch: Any, pipeline: str, env_uuid: str) -> str:
    """A run whose step has started, and so waits on the environment's build."""
    run_id: str = (await start_run(jp_fetch, {"pipeline_path": pipeline}))["id"]

    async def step_started() -> bool:
        run = payload(await call(jp_fetch, "GET", f"runs/{run_id}"))
        return bool(steps_by_title(run)["S"]["status"] == "STARTED")

    async def building() -> bool:
        environment = payload(await call(jp_fetch, "GET", f"environments/./{env_uuid}"))
        return bool(environment["build"]["building"])

    await wait_until("started", step_started)
    await wait_until("building", building)
    return run_id


async def test_cancelling_a_run_leaves_the_build_another_run_waits_for(
    jp_fetch: Any, jp_root_dir: Path, tmp_path: Path
) -> None:
    gate = tmp_path / "gate"
    environment = await gated_environment(jp_fetch, gate)
    first = await start_waiting_run(
        jp_fetch, pipeline_on(jp_root_dir, environment["uuid"], "p1"), environment["uuid"]
    )
    second = await start_waiting_run(
        jp_fetch, pipeline_on(jp_root_dir, environment["uuid"], "p2"), environment["uuid"]
    )

    cancelled = await call(jp_fetch, "DELETE", f"runs/{first}")
    assert cancelled.code == 200
    assert (await wait_run(jp_fetch, first))["status"] == "ABORTED"
    still = payload(await call(jp_fetch, "GET", f"environments/./{environment['uuid']}"))
    assert (still["build"]["state"], still["build"]["building"]) == ("building", True)

    gate.touch()  # the build goes on to the end
    run = await wait_run(jp_fetch, second, timeout=300)
    assert run["status"] == "SUCCESS", run
    assert steps_by_title(run)["S"]["status"] == "SUCCESS"


async def test_a_cancelled_build_fails_the_step_waiting_for_it(
    jp_fetch: Any, jp_root_dir: Path, tmp_path: Path
) -> None:
    environment = await gated_environment(jp_fetch, tmp_path / "gate")  # never opened
    run_id = await start_waiting_run(
        jp_fetch, pipeline_on(jp_root_dir, environment["uuid"], "p"), environment["uuid"]
    )

    response = await call(jp_fetch, "DELETE", f"environments/./{environment['uuid']}/build")
    assert response.code == 200
    assert payload(response)["build"]["state"] == "cancelled"
    run = await wait_run(jp_fetch, run_id)
    assert run["status"] == "FAILURE"
    step = steps_by_title(run)["S"]
    assert step["status"] == "FAILURE"
    assert step["failure"]["name"] == "EnvironmentUnavailable"
    assert step["failure"]["message"] == (
        f"environment 'Gated' ({environment['uuid']}) cannot be used: its build was cancelled"
    )
    assert all(s["status"] != "STARTED" for s in run["steps"])


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return False
    return state not in ("Z", "X")  # a zombie has ended; only its parent has not looked yet


async def test_stopping_a_build_kills_every_process_of_its_setup_script(
    jp_fetch: Any, tmp_path: Path
) -> None:
    # A timeout stops a build the same way (it cancels the builder): every process of the
    # running step, its process group, is killed, children that the script left behind too.
    pid_file = tmp_path / "child.pid"
    script = f"sleep 300 &\necho $! > {pid_file}.tmp\nmv {pid_file}.tmp {pid_file}\nwait\n"
    environment = await create_environment(jp_fetch, ".", "Forks", script)
    response = await call(jp_fetch, "POST", f"environments/./{environment['uuid']}/build", {})
    assert response.code == 202

    async def child_started() -> bool:
        return pid_file.exists()

    await wait_until("started", child_started, timeout=300)
    child = int(pid_file.read_text())
    assert alive(child)
    response = await call(jp_fetch, "DELETE", f"environments/./{environment['uuid']}/build")
    assert payload(response)["build"]["state"] == "cancelled"

    async def child_gone() -> bool:
        return not alive(child)

    await wait_until("killed", child_gone, timeout=20)  # a surviving `sleep 300` stays
