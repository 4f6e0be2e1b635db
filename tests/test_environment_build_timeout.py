"""A build that takes longer than `c.OrchestLab.build_timeout` fails, and every process it
started is stopped, so that it does not hold the build slots of other environments."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import Any

import pytest
from environment_helpers import build, create_environment


@pytest.fixture
def jp_server_config(jp_server_config: dict[str, Any]) -> dict[str, Any]:
    jp_server_config["OrchestLab"]["build_timeout"] = 2
    return jp_server_config


def build_processes(env_uuid: str) -> list[int]:
    """Live processes of the environment's builds: every one has its venv as VIRTUAL_ENV."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            environ = (entry / "environ").read_bytes().split(b"\0")
        except OSError:  # gone, or not ours
            continue
        marker = f"/{env_uuid}/builds/".encode()
        if any(v.startswith(b"VIRTUAL_ENV=") and marker in v for v in environ):
            found.append(int(entry.name))
    return found


async def test_a_build_over_the_timeout_fails_and_its_processes_are_stopped(
    jp_fetch: Any, jp_root_dir: Path
) -> None:
    environment = await create_environment(jp_fetch, ".", "Slow", "sleep 60 &\nsleep 60\n")
    failed = await build(jp_fetch, ".", environment["uuid"])
    assert failed["build"]["state"] == "failed", failed["build"]
    assert failed["build"]["message"].startswith("the build took longer than 2 s"), failed
    # SIGKILL was sent to the whole process group before the build ended; wait until the
    # kernel has taken them all (a `sleep 60` that survived would stay well past the deadline).
    deadline = time.monotonic() + 20
    while build_processes(environment["uuid"]):
        assert time.monotonic() < deadline, build_processes(environment["uuid"])
        await asyncio.sleep(0.1)
