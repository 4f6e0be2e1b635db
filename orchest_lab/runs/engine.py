"""The run engine: an asyncio scheduler over the step graph of each run.

Steps start as soon as all the steps they wait for succeeded, up to the run's own parallelism
and the server-wide cap. A failing step fails the run: what depends on it is skipped, independent
branches finish. Cancelling a run stops every step at once. The engine knows nothing of HTTP and
nothing of how a step runs: that is the executor's business.

Every status change costs the event loop O(1) (plus its event and its row in the store), so that
runs of thousands of steps are started, watched and cancelled with the server answering.
"""

from __future__ import annotations

import asyncio
import heapq
import logging
import math
from collections.abc import Awaitable
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol, TypeVar

from ..executors.base import Executor, StepFailed, StepTask
from ..records import CellUpdate, RunRecord, Status, StepFailure, StepRecord, now
from .listener import RunListener
from .slots import INTERACTIVE, JOB, StepSlots

log = logging.getLogger(__name__)
T = TypeVar("T")

# Steps ended in one go before the loop is given back to other work (a cancel of a big run).
ENDED_PER_TURN = 25


class RunConflict(Exception):
    """A run that cannot start now: a notebook it writes is being written by another run."""


class RunSaver(Protocol):
    """Keeps runs durably, without making the caller wait."""

    def add(self, run: RunRecord) -> None: ...

    def save_run(self, run: RunRecord) -> None: ...

    def save_step(self, run: RunRecord, step: StepRecord) -> None: ...


class RunHooks(Protocol):
    """What happens around a run beyond running its steps (its data: see data/run_hooks.py).
    Called in a worker thread; a failing hook is logged and changes no status."""

    def step_succeeded(self, run: RunRecord, step_uuid: str) -> None: ...

    def run_ended(self, run: RunRecord, status: Status) -> None:
        """The run ends with `status` (its record says so once the hook returned)."""


@dataclass
class PreparedRun:
    """A run ready to start: its record (steps PENDING, in plan order) and its step tasks."""

    record: RunRecord
    tasks: dict[str, StepTask]
    max_parallel: int = 0  # the pipeline's max_steps_parallelism; 0 means no limit
    hooks: RunHooks | None = None


class RunOutputRelay:
    """Hands a step's live output to the run listener, saying which run it belongs to."""

    def __init__(self, listener: RunListener, run: RunRecord) -> None:
        self._listener = listener
        self._run = run

    def cell(self, task: StepTask, update: CellUpdate) -> None:
        self._listener.cell(self._run, task.step_uuid, task.output_path, update)

    def stream(self, task: StepTask, name: str, text: str) -> None:
        self._listener.stream(self._run, task.step_uuid, task.output_path, name, text)


class _StepGraph:
    """Which steps of a run can start: a count of unfinished parents per step, in plan order."""

    def __init__(self, run: RunRecord) -> None:
        self.order = {uuid: index for index, uuid in enumerate(run.steps)}
        self.children: dict[str, list[str]] = {uuid: [] for uuid in run.steps}
        self.waiting: dict[str, int] = {}
        self.ready: list[tuple[int, str]] = []
        for uuid, step in run.steps.items():
            for parent in step.waits_for:
                self.children[parent].append(uuid)
            self.waiting[uuid] = len(step.waits_for)
            if not step.waits_for:
                self.ready.append((self.order[uuid], uuid))
        heapq.heapify(self.ready)

    def succeeded(self, uuid: str) -> None:
        for child in self.children[uuid]:
            self.waiting[child] -= 1
            if self.waiting[child] == 0:
                heapq.heappush(self.ready, (self.order[child], child))

    def next_ready(self) -> str | None:
        return heapq.heappop(self.ready)[1] if self.ready else None


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
        self._writing: dict[Path, RunRecord] = {}  # notebooks being written, by their run

    # --- API -----------------------------------------------------------------------------------

    def start(self, prepared: PreparedRun) -> RunRecord:
        """Start the run; RunConflict when a notebook it would write is another run's now (two
        runs writing one notebook would stop each other)."""
        run = prepared.record
        notebooks = [t.output_file for t in prepared.tasks.values() if t.kind == "notebook"]
        for notebook in notebooks:
            other = self._writing.get(notebook)
            if other is not None:
                step = next(t for t in prepared.tasks.values() if t.output_file == notebook)
                raise RunConflict(
                    f"{step.output_path} is being written by run {other.id} of pipeline "
                    f"'{other.pipeline_name}'; wait for that run to end, or cancel it"
                )
        for notebook in notebooks:
            self._writing[notebook] = run
        if self.saver is not None:
            self.saver.add(run)
        self.listener.run_changed(run)
        task = asyncio.ensure_future(self._drive(prepared))
        self._active[run.id] = (run, task)
        task.add_done_callback(lambda _: self._forget(run, notebooks))
        return run

    def _forget(self, run: RunRecord, notebooks: list[Path]) -> None:
        self._active.pop(run.id, None)
        for notebook in notebooks:
            if self._writing.get(notebook) is run:
                del self._writing[notebook]

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
        if run_id not in self._abort_reasons:
            self._abort_reasons[run_id] = reason
            entry[1].cancel()
        return await asyncio.shield(entry[1])

    async def shutdown(self, reason: str = "the server stopped") -> None:
        await asyncio.gather(*(self.cancel(run_id, reason) for run_id in list(self._active)))

    # --- scheduling ----------------------------------------------------------------------------

    async def _drive(self, prepared: PreparedRun) -> RunRecord:
        run, tasks = prepared.record, prepared.tasks
        # No more step tasks than can run: a task beyond the server's slots would only wait
        # (10,000 of them created at once held the loop for most of a second).
        limit = min(prepared.max_parallel or math.inf, self.slots.capacity or math.inf)
        priority = JOB if run.kind == "job" else INTERACTIVE
        run.status, run.started_at = Status.STARTED, now()
        self._changed(run)
        graph = _StepGraph(run)
        running: dict[asyncio.Task[None], str] = {}
        # Step tasks queue themselves here when they end: waiting on all of them at each end
        # (asyncio.wait) would cost the loop O(steps running) every time, O(n^2) for a big run.
        ended: asyncio.Queue[asyncio.Task[None]] = asyncio.Queue()
        started: set[str] = set()
        status = Status.ABORTED
        try:
            try:
                await self.executor.prepare(list(tasks.values()))
            except Exception:  # getting ready early is an optimisation: the steps still run
                log.warning("run %s: the executor could not prepare it", run.id, exc_info=True)
            while True:
                while len(running) < limit and (uuid := graph.next_ready()) is not None:
                    if run.steps[uuid].status is not Status.PENDING:
                        continue  # skipped meanwhile
                    step_run = self._run_step(run, run.steps[uuid], tasks[uuid], priority, prepared)
                    step_task = asyncio.ensure_future(step_run)
                    step_task.add_done_callback(ended.put_nowait)
                    running[step_task] = uuid
                    started.add(uuid)
                if not running:
                    break
                done = [await ended.get()]
                while not ended.empty():
                    done.append(ended.get_nowait())
                for finished in done:
                    uuid = running.pop(finished)
                    if run.steps[uuid].status is Status.SUCCESS:
                        graph.succeeded(uuid)
                    else:
                        self._skip_after(run, graph, uuid)
            failed = any(s.status is not Status.SUCCESS for s in run.steps.values())
            status = Status.FAILURE if failed else Status.SUCCESS
        except asyncio.CancelledError:
            reason = self._abort_reasons.setdefault(run.id, "cancelled")
            for step_task in running:
                step_task.cancel()
            await _to_the_end(asyncio.gather(*running, return_exceptions=True))
            await _to_the_end(self._abort_unfinished(run, reason))
            self._abort_reasons.pop(run.id, None)
            run.reason = reason
        except Exception as err:  # a bug must end the run, not leave it running forever
            log.error("run %s: the engine failed", run.id, exc_info=True)
            run.reason = f"orchest-lab failed while running it: {type(err).__name__}: {err}"
        finally:
            self.executor.release([t for u, t in tasks.items() if u not in started])
            if prepared.hooks is not None:
                try:  # it ends before the run does, even when the run was cancelled
                    hook = prepared.hooks.run_ended
                    await _to_the_end(asyncio.to_thread(hook, run, status))
                except Exception:
                    log.warning("run %s: its end hook failed", run.id, exc_info=True)
            # Its status and end time change together: a run seen ended has ended.
            run.status, run.finished_at = status, now()
            self._changed(run)
        return run

    def _skip_after(self, run: RunRecord, graph: _StepGraph, uuid: str) -> None:
        """Skip every step that depends on a step that did not succeed (each step once)."""
        blocked = [uuid]
        while blocked:
            parent = run.steps[blocked.pop()]
            what = "failed" if parent.status is Status.FAILURE else "was skipped or aborted"
            for child_uuid in graph.children[parent.uuid]:
                child = run.steps[child_uuid]
                if child.status is Status.PENDING:
                    self._end_step(run, child, Status.SKIPPED, reason=f"'{parent.title}' {what}")
                    blocked.append(child_uuid)

    async def _abort_unfinished(self, run: RunRecord, reason: str) -> None:
        unfinished = [step for step in run.steps.values() if not step.status.ended]
        for count, step in enumerate(unfinished, 1):
            self._end_step(run, step, Status.ABORTED, reason=reason)
            if count % ENDED_PER_TURN == 0:
                await asyncio.sleep(0)  # let the server answer between batches

    async def _run_step(
        self,
        run: RunRecord,
        step: StepRecord,
        task: StepTask,
        priority: int,
        prepared: PreparedRun,
    ) -> None:
        async with self.slots.slot(priority):
            step.status, step.started_at = Status.STARTED, now()
            self._step_changed(run, step)
            try:
                await self.executor.run(task, RunOutputRelay(self.listener, run))
            except asyncio.CancelledError:
                current = asyncio.current_task()
                if run.id in self._abort_reasons or (current and current.cancelling()):
                    raise
                # Cancelled from inside (something the step waited for was cancelled), not
                # by a cancel of the run: the step fails, it is not left running.
                failure = StepFailure("Cancelled", "the step was stopped before it finished")
                self._end_step(run, step, Status.FAILURE, failure=failure)
            except Exception as err:
                if run.id in self._abort_reasons:
                    # Stopping a step can look like a failure to it (nbclient reports a killed
                    # kernel as dead); during a cancel, every unfinished step is ABORTED.
                    raise asyncio.CancelledError from None
                self._fail_step(run, step, err)
            else:
                if prepared.hooks is not None:
                    try:  # recorded before the step counts as done, so a plan right after sees it
                        await asyncio.to_thread(prepared.hooks.step_succeeded, run, step.uuid)
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
            self.saver.save_step(run, step)

    def _changed(self, run: RunRecord) -> None:
        self.listener.run_changed(run)
        if self.saver is not None:
            self.saver.save_run(run)


async def _to_the_end(awaitable: Awaitable[T]) -> T:
    """Await work a run must finish before it ends, even if it is cancelled again meanwhile."""
    future = asyncio.ensure_future(awaitable)
    while True:
        try:
            return await asyncio.shield(future)
        except asyncio.CancelledError:
            if future.done():
                return future.result()
