"""Runs of pipelines under the server root: starting, listing, cancelling, and their logs."""

from __future__ import annotations

import asyncio
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..fs import read_from
from ..records import RunRecord
from ..runs.engine import PreparedRun, RunConflict, RunEngine
from ..runs.prepare import run_log_dir
from ..store import RunStore
from .errors import Conflict, NotFound
from .planning import RunPlanner


@dataclass
class LogChunk:
    text: str
    offset: int  # where the next read should start
    step_running: bool  # more may come


class RunService:
    def __init__(self, planner: RunPlanner, engine: RunEngine, store: RunStore | None) -> None:
        self.planner = planner
        self.engine = engine
        self.store = store

    @property
    def root(self) -> Path:
        return self.planner.pipelines.root

    def prepare(self, body: Any) -> PreparedRun:
        """Check a run request and prepare the run; nothing starts. Blocking (reads files)."""
        return self.planner.run_body(body)

    async def start(self, prepared: PreparedRun) -> RunRecord:
        try:
            return self.engine.start(prepared)
        except RunConflict as err:
            # Refused: the folder prepared for the run goes (it holds only its definition).
            if prepared.record.log_dir is not None:
                run_dir = Path(prepared.record.log_dir).parent
                await asyncio.to_thread(shutil.rmtree, run_dir, True)
            raise Conflict(str(err)) from err

    async def list_runs(self, pipeline_path: str | None = None) -> list[dict[str, Any]]:
        active = [r for r in self.engine.active() if pipeline_path in (None, r.pipeline_path)]
        # A summary counts every step of the run: off the loop, runs can be big.
        summaries = {
            s["id"]: s for s in await asyncio.to_thread(lambda: [r.summary_json() for r in active])
        }
        if self.store is not None:
            for summary in await self.store.summaries(pipeline_path=pipeline_path):
                summaries.setdefault(summary["id"], summary)
        return sorted(summaries.values(), key=lambda s: str(s["created_at"]), reverse=True)

    async def store_summaries(self, **query: Any) -> list[dict[str, Any]]:
        """Summaries of stored runs (see RunStore.summaries), as listed."""
        if self.store is None:
            return []
        return await self.store.summaries(**query)

    async def delete_records(self, run_ids: list[str]) -> None:
        if self.store is not None:
            await self.store.delete(run_ids)

    async def get(self, run_id: str) -> RunRecord:
        run = self.engine.get(run_id)
        if run is None and self.store is not None:
            run = await self.store.get(run_id)
        if run is None:
            raise NotFound(f"there is no run '{run_id}'")
        return run

    async def cancel(self, run_id: str) -> RunRecord:
        run = await self.engine.cancel(run_id, reason="cancelled by the user")
        return run if run is not None else await self.get(run_id)

    def read_log(self, run: RunRecord, step_uuid: str, offset: int) -> LogChunk:
        """The step's log from byte `offset` on. Blocking (reads a file)."""
        step = run.steps.get(step_uuid)
        if step is None:
            raise NotFound(f"run '{run.id}' has no step '{step_uuid}'")
        text, next_offset = read_from(run_log_dir(run, self.root) / f"{step_uuid}.log", offset)
        running = self.engine.get(run.id) is not None and not step.status.ended
        return LogChunk(text, next_offset, running)
