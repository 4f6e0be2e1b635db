"""Calling the REST API through pytest-jupyter's `jp_fetch`, with JSON in and out."""

from __future__ import annotations

import json
from typing import Any

from tornado.httpclient import HTTPResponse


async def call(
    jp_fetch: Any, method: str, route: str, body: Any = None, **kwargs: Any
) -> HTTPResponse:
    if body is not None:
        kwargs["body"] = body if isinstance(body, (str, bytes)) else json.dumps(body)
    elif method in ("POST", "PUT"):
        kwargs["body"] = b""
    response: HTTPResponse = await jp_fetch(
        "orchest-lab", "api", *route.split("/"), method=method, raise_error=False, **kwargs
    )
    return response


def payload(response: HTTPResponse) -> Any:
    return json.loads(response.body)


async def start_run(jp_fetch: Any, body: dict[str, Any]) -> dict[str, Any]:
    response = await call(jp_fetch, "POST", "runs", body)
    assert response.code == 202, payload(response)
    run: dict[str, Any] = payload(response)
    return run


async def wait_run(jp_fetch: Any, run_id: str, timeout: float = 60.0) -> dict[str, Any]:
    """Poll until the run ended (tests may poll; the UI gets events)."""
    import asyncio
    import time

    deadline = time.monotonic() + timeout
    while True:
        run: dict[str, Any] = payload(await call(jp_fetch, "GET", f"runs/{run_id}"))
        if run["status"] in ("SUCCESS", "FAILURE", "ABORTED"):
            return run
        assert time.monotonic() < deadline, f"run still {run['status']} after {timeout} s"
        await asyncio.sleep(0.05)


def steps_by_title(run: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {step["title"]: step for step in run["steps"]}
