"""A test server whose executor is the Kubernetes one, on a backend of kube_backend.py.

Modules import these fixtures; a test sets executor settings of its own with
`@pytest.mark.k8s(name=value, ...)` (over the backend's; IMAGE in them is the backend's image)."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from kube_backend import Backend, backend_params, make_backend

from orchest_lab.events import RUN

EXECUTOR = "orchest_lab.executors.kubernetes.KubernetesExecutor"
IMAGE = "<the backend's image>"
ENDED = ("SUCCESS", "FAILURE", "ABORTED")


@pytest.fixture(params=backend_params())
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Backend]:
    yield from make_backend(request.param, tmp_path)


@pytest.fixture
def jp_root_dir(backend: Backend) -> Path:
    """The server root, in the folder that step pods see."""
    root = backend.folder / "root"
    root.mkdir()
    return root


@pytest.fixture
def data_dir(backend: Backend) -> Path:
    return backend.data


@pytest.fixture
def jp_server_config(
    jp_server_config: dict[str, Any], backend: Backend, request: pytest.FixtureRequest
) -> dict[str, Any]:
    marker = request.node.get_closest_marker("k8s")
    own = json.loads(json.dumps(marker.kwargs if marker else {}).replace(IMAGE, backend.image))
    settings = backend.settings(**own)
    jp_server_config["OrchestLab"]["executor_class"] = EXECUTOR
    jp_server_config["KubernetesExecutor"] = settings
    # Jobs' runs execute in copies of the project in their folders: on the volume pods see.
    jp_server_config["OrchestLab"]["jobs_dir"] = str(backend.folder / "jobs")
    return jp_server_config


async def wait_for(condition: Callable[[], Any], timeout: float = 60.0) -> None:
    """Until `condition()` is true (a deadline against hanging, not a measure)."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        await asyncio.sleep(0.05)


async def next_event(socket: Any, run_id: str, timeout: float = 120.0) -> dict[str, Any]:
    while True:
        event: dict[str, Any] = json.loads(await asyncio.wait_for(socket.read_message(), timeout))
        if event.get("run_id") == run_id:
            return event


async def events_until_end(
    socket: Any, run_id: str, events: list[dict[str, Any]] | None = None
) -> list[dict[str, Any]]:
    """The run's events, up to its end."""
    events = [] if events is None else events
    while True:
        event = await next_event(socket, run_id)
        events.append(event)
        if event["schema_id"] == RUN and event["status"] in ENDED:
            return events
