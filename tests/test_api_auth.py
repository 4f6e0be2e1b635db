"""Every route needs authentication on its own, not only when the server refuses
unauthenticated access globally (Jupyter Server's default still allows it)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from api_client import call

from orchest_lab.handlers import routes


@pytest.fixture
def jp_server_config() -> dict[str, object]:
    return {
        "ServerApp": {
            "jpserver_extensions": {"orchest_lab": True, "jupyter_server_terminals": False},
            "allow_unauthenticated_access": True,
        }
    }


SAMPLES = {
    "run_id": "0f1e2d3c-4b5a-4978-8695-a4b3c2d1e0f9",
    "step_uuid": "step-1",
    "project": "some/project",
    "env_uuid": "env-1",
    "job_id": "5a6b7c8d-9e0f-4a1b-8c2d-3e4f5a6b7c8d",
    "action": "trigger",
    "path": "a.ipynb",
}


def concrete(pattern: str) -> str:
    """A URL that the route pattern matches, with sample values for its parameters."""
    return re.sub(r"\(\?P<(\w+)>[^)]*\)", lambda m: SAMPLES[m.group(1)], pattern)


async def test_every_route_refuses_requests_without_credentials(jp_fetch: Any) -> None:
    checked = 0
    for pattern, handler in routes():
        route = concrete(pattern).removeprefix("orchest-lab/api/")
        for method in ("GET", "POST", "PUT", "DELETE"):
            if method.lower() not in vars(handler):
                continue
            body = {} if method in ("POST", "PUT") else None
            response = await call(jp_fetch, method, route, body, headers={"Authorization": ""})
            assert response.code == 403, f"{method} {route} answered {response.code}"
            checked += 1
    assert checked >= 4


async def test_requests_with_the_token_are_served(jp_fetch: Any) -> None:
    response = await call(jp_fetch, "GET", "pipelines")
    assert response.code == 200
