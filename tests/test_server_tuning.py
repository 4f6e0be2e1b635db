"""The server's thread switch interval is the one configured (c.OrchestLab.gil_switch_interval):
worker threads that serialise notebooks give the GIL back to the event loop that often. Once
started, the server keeps the objects it holds out of the garbage collector's passes
(c.OrchestLab.gc_freeze_at_start)."""

from __future__ import annotations

import asyncio
import gc
import sys
from collections.abc import Iterator
from typing import Any

import pytest


@pytest.fixture(autouse=True)
def python_default_interval() -> Iterator[None]:
    before = sys.getswitchinterval()
    yield
    sys.setswitchinterval(before)  # the server runs in this process
    gc.unfreeze()


@pytest.fixture
def jp_server_config(jp_server_config: dict[str, Any]) -> dict[str, Any]:
    jp_server_config["OrchestLab"] = {
        **jp_server_config.get("OrchestLab", {}),
        "gil_switch_interval": 0.002,
        "gc_freeze_at_start": True,
    }
    return jp_server_config


async def test_the_server_switches_threads_as_configured(jp_serverapp: Any) -> None:
    (app,) = jp_serverapp.extension_manager.extension_apps["orchest_lab"]
    assert app.gil_switch_interval == 0.002
    assert sys.getswitchinterval() == pytest.approx(0.002)


async def test_the_objects_of_a_started_server_are_left_out_of_collections(
    jp_serverapp: Any,
) -> None:
    for _ in range(100):  # it happens once the server's loop runs
        if gc.get_freeze_count():
            break
        await asyncio.sleep(0.01)
    assert gc.get_freeze_count() > 10_000
    # What the server makes from then on is collected as usual.
    garbage: list[object] = []
    garbage.append(garbage)
    del garbage
    assert gc.collect() >= 1
