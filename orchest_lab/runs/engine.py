"""The run engine: an asyncio scheduler over the step graph of each run.

Steps start as soon as all the steps they wait for succeeded, up to the run's own parallelism
and the server-wide cap. A failing step fails the run: what depends on it is skipped, independent
branches finish. Cancelling a run stops every step at once. The engine knows nothing of HTTP and
nothing of how a step runs: that is the executor's business.
"""

from __future__ import annotations

import asyncio
import logging
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from ..executors.base import Executor, StepFailed, StepTask
from .listener import RunListener
from .models import RunRecord, Status, StepFailure, StepRecord, now
from .slots import INTERACTIVE, JOB, StepSlots

log = logging.getLogger(__name__)


class RunSaver(Protocol):
    def save_soon(self, run: RunRecord) -> None: ...


class RunHooks(Protocol):
    """What happens around a run beyond running its steps (its data: see data/run_hooks.py).
    Called in a worker thread for a step, synchronously at the end of the run; a failing hook
    is logged and changes no status."""

    def step_succeeded(self, run: RunRecord, step_uuid: str) -> None: ...

    def run_ended(self, run: RunRecord) -> None: ...


@dataclass
class PreparedRun:
    """A run ready to start: its record (steps PENDING, in plan order) and its step tasks."""

    record: RunRecord
    tasks: dict[str, StepTask]
    max_parallel: int = 0  # the pipeline's max_steps_parallelism; 0 means no limit
    hooks: RunHooks | None = None


class _Output:
    """Forwards a step's live output to the listener with its run."""

    def __init__(self, listener: RunListener, run: RunRecord) -> None:
        self._listener = listener
        self._run = run

    def cell(self, task: StepTask, *args: Any) -> None:
        self._listener.cell(self._run, task.step_uuid, task.output_path, *args)

    def stream(self, task: StepTask, name: str, text: str) -> None:
        self._listener.stream(self._run, task.step_uuid, task.output_path, name, text)


class RunEngine:
    def __init__(
        self,
        executor: Executor,
        listener: RunListener,
        slots: StepSlots,
        saver: RunSaver | None = None,
    ) -> None:
        self.executor = executor
        self.listener = listener
        self.slots = slots
        self.saver = saver
        self._active: dict[str, tuple[RunRecord, asyncio.Task[RunRecord]]] = {}
        self._abort_reasons: dict[str, str] = {}
        self.on_finished: list[Callable[[RunRecord], None]] = []

    # --- API -----------------------------------------------------------------------------------

    def start(self, prepared: PreparedRun) -> RunRecord:
        run = prepared.record
        self._changed(run)
        task = asyncio.ensure_future(self._drive(prepared))
        self._active[run.id] = (run, task)
        task.add_done_callback(lambda _: self._active.pop(run.id, None))
        return run

    def active(self) -> list[RunRecord]:
        return [run for run, _ in self._active.values()]

    def get(self, run_id: str) -> RunRecord | None:
        entry = self._active.get(run_id)
        return entry[0] if entry else None

    async def wait(self, run_id: str) -> RunRecord | None:
        entry = self._active.get(run_id)
        return await asyncio.shield(entry[1]) if entry else None

    async def cancel(self, run_id: str, reason: str = "cancelled") -> RunRecord | None:
        """Stop a run and wait until all its steps stopped; None when it is not running."""
        entry = self._active.get(run_id)
        if entry is None:
            return None
        self._abort_reasons.setdefault(run_id, reason)
        entry[1].cancel()
        return await asyncio.shield(entry[1])

    async def shutdown(self, reason: str = "the server stopped") -> None:
        await asyncio.gather(*(self.cancel(run_id, reason) for run_id in list(self._active)))

    # --- scheduling ----------------------------------------------------------------------------

    async def _drive(self, prepared: PreparedRun) -> RunRecord:
        run, tasks = prepared.record, prepared.tasks
        limit = prepared.max_parallel or math.inf
        priority = JOB if run.kind == "job" else INTERACTIVE
        run.status, run.started_at = Status.STARTED, now()
        self._changed(run)
        self.executor.prepare(list(tasks.values()))
        running: dict[asyncio.Task[None], str] = {}
        started: set[str] = set()
        try:
            while True:
                for uuid in self._ready(run, started):
                    if len(running) >= limit:
                        break
                    step_task = asyncio.ensure_future(
                        self._run_step(run, run.steps[uuid], tasks[uuid], priority, prepared.hooks)
                    )
                    running[step_task] = uuid
                    started.add(uuid)
                if not running:
                    break
                done, _ = await asyncio.wait(running, return_when=asyncio.FIRST_COMPLETED)
                for finished in done:
                    running.pop(finished)
            failed = any(s.status is not Status.SUCCESS for s in run.steps.values())
            run.status = Status.FAILURE if failed else Status.SUCCESS
        except asyncio.CancelledError:
            reason = self._abort_reasons.setdefault(run.id, "cancelled")
            for step_task in running:
                step_task.cancel()
            await asyncio.gather(*running, return_exceptions=True)
            del self._abort_reasons[run.id]
            for step in run.steps.values():
                if not step.status.ended:
                    self._end_step(run, step, Status.ABORTED, reason=reason)
            run.status, run.reason = Status.ABORTED, reason
        finally:
            self.executor.release([t for u, t in tasks.items() if u not in started])
            if prepared.hooks is not None:
                try:  # synchronous: a cancel cannot interrupt it, and it ends before the run does
                    prepared.hooks.run_ended(run)
                except Exception:
                    log.warning("run %s: its end hook failed", run.id, exc_info=True)
            run.finished_at = now()
            self._changed(run)
            for callback in self.on_finished:
                callback(run)
        return run

    def _ready(self, run: RunRecord, started: set[str]) -> list[str]:
        """Steps that can start now (PENDING and not yet handed to a task, which may still wait
        for a slot). Skips those whose parents did not succeed, in plan order, so that a skip
        reaches grandchildren in the same pass."""
        ready = []
        for step in run.steps.values():
            if step.status is not Status.PENDING or step.uuid in started:
                continue
            parents = [run.steps[p] for p in step.waits_for]
            blocked = next(
                (p for p in parents if p.status.ended and p.status is not Status.SUCCESS), None
            )
            if blocked is not None:
                what = "failed" if blocked.status is Status.FAILURE else "was skipped or aborted"
                self._end_step(run, step, Status.SKIPPED, reason=f"'{blocked.title}' {what}")
            elif all(p.status is Status.SUCCESS for p in parents):
                ready.append(step.uuid)
        return ready

    async def _run_step(
        self,
        run: RunRecord,
        step: StepRecord,
        task: StepTask,
        priority: int,
        hooks: RunHooks | None = None,
    ) -> None:
        async with self.slots.slot(priority):
            step.status, step.started_at = Status.STARTED, now()
            self._step_changed(run, step)
            try:
                await self.executor.run(task, _Output(self.listener, run))
            except asyncio.CancelledError:
                raise
            except Exception as err:
                if run.id in self._abort_reasons:
                    # Stopping a step can look like a failure to it (nbclient reports a killed
                    # kernel as dead); during a cancel, every unfinished step is ABORTED.
                    raise asyncio.CancelledError from None
                self._fail_step(run, step, err)
            else:
                if hooks is not None:
                    try:  # recorded before the step counts as done, so a plan right after sees it
                        await asyncio.to_thread(hooks.step_succeeded, run, step.uuid)
                    except Exception:
                        log.warning("step %s: its success hook failed", step.uuid, exc_info=True)
                self._end_step(run, step, Status.SUCCESS)

    def _fail_step(self, run: RunRecord, step: StepRecord, error: Exception) -> None:
        if isinstance(error, StepFailed):
            self._end_step(run, step, Status.FAILURE, failure=error.failure)
            return
        # A bug must fail the step, not the server.
        log.error("step %s of run %s crashed", step.uuid, run.id, exc_info=error)
        failure = StepFailure(type(error).__name__, str(error) or repr(error))
        self._end_step(run, step, Status.FAILURE, failure=failure)

    # --- records -------------------------------------------------------------------------------

    def _end_step(
        self,
        run: RunRecord,
        step: StepRecord,
        status: Status,
        failure: StepFailure | None = None,
        reason: str | None = None,
    ) -> None:
        step.status, step.failure, step.reason = status, failure, reason
        if step.started_at is not None:
            step.finished_at = now()
        self._step_changed(run, step)

    def _step_changed(self, run: RunRecord, step: StepRecord) -> None:
        self.listener.step_changed(run, step)
        if self.saver is not None:
            self.saver.save_soon(run)

    def _changed(self, run: RunRecord) -> None:
        self.listener.run_changed(run)
        if self.saver is not None:
            self.saver.save_soon(run)
