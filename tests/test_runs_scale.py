"""Big runs: the server keeps answering while a run of thousands of steps starts and is
cancelled (each status change costs the event loop O(1), and the loop is given back in between).
"""

from __future__ import annotations

import asyncio
import json
import logging
from pathlib import Path
from typing import Any

import pytest
from api_client import call, payload, start_run
from pipeline_factory import make_pipeline

from orchest_lab.events import STEP

STEPS = 2000


@pytest.fixture
def jp_server_config(jp_server_config: dict[str, Any]) -> dict[str, Any]:
    jp_server_config["OrchestLab"]["executor_class"] = "blocking_executor.BlockingExecutor"
    return jp_server_config


def write_big_pipeline(folder: Path) -> None:
    """Step 0, then STEPS - 1 steps that wait for it, all running one script."""
    (folder / "step.py").write_text("")
    steps = {"s0": ("step.py", [])}
    steps.update({f"s{i}": ("step.py", ["s0"]) for i in range(1, STEPS)})
    document, _ = make_pipeline(steps)
    document.save(folder / "big.orchest")


class LoopTurns:
    """Counts the event loop's turns: a task that runs once per turn of the loop."""

    def __init__(self) -> None:
        self.count = 0
        self._task = asyncio.ensure_future(self._tick())

    async def _tick(self) -> None:
        while True:
            self.count += 1
            await asyncio.sleep(0)

    def stop(self) -> None:
        self._task.cancel()


class AbortTurns(logging.Handler):
    """Notes the loop turn of every step event that says ABORTED (handlers of the event bus
    are called as each event is emitted)."""

    def __init__(self, turns: LoopTurns) -> None:
        super().__init__()
        self.turns = turns
        self.seen: list[int] = []

    def emit(self, record: logging.LogRecord) -> None:
        event = record.msg if isinstance(record.msg, dict) else json.loads(str(record.msg))
        if event.get("__schema__") == STEP and event.get("status") == "ABORTED":
            self.seen.append(self.turns.count)


async def test_a_run_of_2000_steps_is_cancelled_with_the_server_answering(
    jp_fetch: Any, jp_root_dir: Path, jp_serverapp: Any
) -> None:
    write_big_pipeline(jp_root_dir)
    run = await start_run(jp_fetch, {"pipeline_path": "big.orchest"})
    while payload(await call(jp_fetch, "GET", f"runs/{run['id']}"))["steps"][0]["status"] in (
        "PENDING",
    ):
        await asyncio.sleep(0.02)

    turns = LoopTurns()
    aborts = AbortTurns(turns)
    jp_serverapp.event_logger.register_handler(aborts)
    cancel = asyncio.ensure_future(call(jp_fetch, "DELETE", f"runs/{run['id']}"))
    statuses = []
    while not cancel.done():
        statuses.append(await jp_fetch("api", "status"))
    turns.stop()
    jp_serverapp.event_logger.remove_handler(aborts)
    cancelled = payload(await cancel)

    assert cancelled["status"] == "ABORTED"
    assert {s["status"] for s in cancelled["steps"]} == {"ABORTED"}
    assert len(cancelled["steps"]) == STEPS
    assert statuses and all(r.code == 200 for r in statuses)
    # Ending 2,000 steps gives the loop back between batches (a cancel that ended them all in
    # one go left the server unanswering for as long as it took: 54 s for 1,000 steps).
    assert len(aborts.seen) == STEPS
    assert len(set(aborts.seen)) >= STEPS // 200, f"ended in {len(set(aborts.seen))} turns"

    listed = payload(await call(jp_fetch, "GET", "runs"))["runs"]
    summary = next(r for r in listed if r["id"] == run["id"])
    assert summary["steps"] == {"ABORTED": STEPS}
    assert summary["progress"] == {"done": STEPS, "total": STEPS}
