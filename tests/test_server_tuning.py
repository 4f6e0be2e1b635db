"""The server's thread switch interval is the one configured (c.OrchestLab.gil_switch_interval):
worker threads that serialise notebooks give the GIL back to the event loop that often."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from typing import Any

import pytest


@pytest.fixture(autouse=True)
def python_default_interval() -> Iterator[None]:
    before = sys.getswitchinterval()
    yield
    sys.setswitchinterval(before)  # the server runs in this process


@pytest.fixture
def jp_server_config(jp_server_config: dict[str, Any]) -> dict[str, Any]:
    jp_server_config["OrchestLab"] = {
        **jp_server_config.get("OrchestLab", {}),
        "gil_switch_interval": 0.002,
    }
    return jp_server_config


async def test_the_server_switches_threads_as_configured(jp_serverapp: Any) -> None:
    (app,) = jp_serverapp.extension_manager.extension_apps["orchest_lab"]
    assert app.gil_switch_interval == 0.002
    assert sys.getswitchinterval() == pytest.approx(0.002)
