"""Running code through orchest-lab needs the permission Jupyter Server asks before code runs in
a kernel: a user without it may read and edit pipelines but neither run them nor build
environments (their setup scripts are code too)."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
from api_client import call, payload
from conftest import QUICKSTART
from jupyter_server.auth.authorizer import Authorizer

ENV = "0b4cd2f6-9f4e-4bd0-8a0e-3f4c2d1e5a77"  # the quickstart's environment


class NoCodeAuthorizer(Authorizer):  # type: ignore[misc]
    """Allows everything but executing code in kernels."""

    def is_authorized(self, handler: Any, user: Any, action: str, resource: str) -> bool:
        return not (resource == "kernels" and action == "execute")


@pytest.fixture
def jp_server_config(jp_server_config: dict[str, Any]) -> dict[str, Any]:
    jp_server_config["ServerApp"]["authorizer_class"] = NoCodeAuthorizer
    return jp_server_config


async def test_running_code_needs_the_kernels_execute_permission(
    jp_fetch: Any, jp_root_dir: Path
) -> None:
    shutil.copytree(QUICKSTART, jp_root_dir / "quickstart")
    pipeline = "quickstart/quickstart.orchest"
    refused = await call(jp_fetch, "POST", "runs", {"pipeline_path": pipeline})
    assert refused.code == 403
    build = await call(jp_fetch, "POST", f"environments/quickstart/{ENV}/build")
    assert build.code == 403
    assert payload(await call(jp_fetch, "GET", "runs"))["runs"] == []

    # What runs no code is still allowed.
    assert (await call(jp_fetch, "GET", "pipelines")).code == 200
    plan = await call(jp_fetch, "POST", "pipelines/plan", {"path": pipeline, "mode": "full"})
    assert plan.code == 200
    environment = await call(jp_fetch, "GET", f"environments/quickstart/{ENV}")
    assert environment.code == 200
