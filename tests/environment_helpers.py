"""Creating and building environments through the REST API in tests."""

from __future__ import annotations

import asyncio
import time
from typing import Any

from api_client import call, payload


async def create_environment(
    jp_fetch: Any, project: str, name: str, setup_script: str = ""
) -> dict[str, Any]:
    body = {"name": name, "setup_script": setup_script}
    response = await call(jp_fetch, "POST", "environments", body, params={"project": project})
    assert response.code == 201, payload(response)
    environment: dict[str, Any] = payload(response)
    return environment


async def wait_built(
    jp_fetch: Any, project: str, env_uuid: str, timeout: float = 300.0
) -> dict[str, Any]:
    """Poll until no build of the environment runs; the environment as it is then."""
    deadline = time.monotonic() + timeout
    while True:
        environment: dict[str, Any] = payload(
            await call(jp_fetch, "GET", f"environments/{project}/{env_uuid}")
        )
        if not environment["build"]["building"]:
            return environment
        assert time.monotonic() < deadline, "the build did not end"
        await asyncio.sleep(0.2)


async def build(jp_fetch: Any, project: str, env_uuid: str) -> dict[str, Any]:
    response = await call(jp_fetch, "POST", f"environments/{project}/{env_uuid}/build", {})
    assert response.code == 202, payload(response)
    return await wait_built(jp_fetch, project, env_uuid)
