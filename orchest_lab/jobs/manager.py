"""The jobs of a server, at work: their schedules fire, each occurrence starts one run per
combination (at most `max_parallel_runs` job runs at once, behind interactive runs), and as
runs end the job's status, retention and failure webhook follow.

Every occurrence that fires is claimed in the store first: one that was claimed (by a racing
request, or before a restart) never fires again. State lives in the store; a restart loads it,
and the schedule goes on.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime
import functools
import logging
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol

from ..records import JobRecord, JobStatus, RunRecord, Status
from ..runs.engine import PreparedRun, RunEngine
from ..store.jobs import JobStore
from ..store.runs import RunStore
from .folders import folder_size, run_dir
from .schedule import Schedule, parse_time, utc_now

log = logging.getLogger(__name__)

PrepareRun = Callable[[JobRecord, dict[str, Any]], PreparedRun]  # blocking


class JobListener(Protocol):
    def job_changed(
        self, job: JobRecord, runs: dict[str, int], last_run: dict[str, Any] | None = None
    ) -> None: ...

    def job_deleted(self, job: JobRecord) -> None: ...


class RunFailureHook(Protocol):
    def run_failed(self, job: JobRecord, run: RunRecord) -> None: ...


class JobBusy(Exception):
    """The job's runs of an earlier occurrence have not ended."""


def _next_time(job: JobRecord) -> datetime.datetime | None:
    """When the job fires next, if it is waiting to (not paused, cancelled or ended)."""
    if job.status not in (JobStatus.STARTED, JobStatus.PENDING):
        return None
    return parse_time(job.next_run_at)


def schedule_of(job: JobRecord) -> Schedule:
    raw = job.schedule or {}
    if "cron" in raw:
        return Schedule(cron=raw["cron"], timezone=raw.get("timezone", "UTC"))
    if "at" in raw:
        return Schedule(at=parse_time(raw["at"]))
    return Schedule()


class JobManager:
    def __init__(
        self,
        store: JobStore,
        runs: RunStore,
        engine: RunEngine,
        prepare: PrepareRun,
        listener: JobListener,
        *,
        max_parallel_runs: int = 4,
        on_failure: RunFailureHook | None = None,
        clock: Callable[[], datetime.datetime] = utc_now,
    ) -> None:
        self.store = store
        self.runs = runs
        self.engine = engine
        self.prepare = prepare
        self.listener = listener
        self.on_failure = on_failure
        self.clock = clock  # the time it is (tests set it)
        self.jobs: dict[str, JobRecord] = {}
        self._slots = asyncio.Semaphore(max_parallel_runs) if max_parallel_runs > 0 else None
        self._in_flight: dict[str, set[asyncio.Task[None]]] = {}  # job id -> its run tasks
        self._counts: dict[str, dict[str, int]] = {}  # job id -> runs by status
        self._last: dict[str, dict[str, Any]] = {}  # job id -> its last run that ended
        self._tidying: set[asyncio.Task[None]] = set()
        self._wake = asyncio.Event()
        self._scheduler: asyncio.Task[None] | None = None

    # --- life ----------------------------------------------------------------------------------

    async def start(self) -> None:
        """Load the jobs, settle those a stop interrupted, and start the schedule."""
        counts = await self.runs.job_counts()
        self._last = await self.runs.job_last_runs()
        for job in await self.store.all():
            self.jobs[job.id] = job
            self._counts[job.id] = dict(counts.get(job.id, {}))
            if job.status is JobStatus.STARTED and not schedule_of(job).recurring:
                # Its runs were stopped with the server (they are ABORTED): the job ends so.
                self._end_one_off(job)
        self._scheduler = asyncio.ensure_future(self._schedule())

    async def close(self) -> None:
        if self._scheduler is not None:
            self._scheduler.cancel()
            await asyncio.gather(self._scheduler, return_exceptions=True)
        tasks = [t for tasks in self._in_flight.values() for t in tasks]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    # --- jobs ----------------------------------------------------------------------------------

    async def add(self, job: JobRecord) -> None:
        """A new job: saved, and run now or scheduled."""
        self.jobs[job.id] = job
        self._counts[job.id] = {}
        schedule = schedule_of(job)
        if schedule.recurring:
            job.status = JobStatus.STARTED
            job.last_occurrence = job.created_at  # counted from its making: nothing to catch up
            self._set_next(job, schedule, self.clock())
        elif schedule.at is not None:
            job.next_run_at = schedule.at.isoformat()
        else:
            self._launch(job)
        self._changed(job)
        if not schedule.recurring and schedule.at is None:
            await self.store.claim(job.id, job.created_at)
        self._wake.set()

    def runs_of(self, job_id: str) -> dict[str, int]:
        counts = dict(self._counts.get(job_id, {}))
        queued = sum(1 for t in self._in_flight.get(job_id, ()) if not t.done())
        counts["total"] = sum(v for k, v in counts.items() if k != "queued")
        counts["queued"] = max(0, queued - counts.get("STARTED", 0))
        return counts

    def last_run(self, job_id: str) -> dict[str, Any] | None:
        """The job's run that ended last: {id, status, finished_at}, or None."""
        last = self._last.get(job_id)
        return dict(last) if last is not None else None

    def run_deleted(self, job: JobRecord, run_id: str, status: Status) -> None:
        """An ended run of the job was deleted: it is counted no more, nor its last."""
        self._forget(job, run_id, status)
        self._changed(job)

    def _forget(self, job: JobRecord, run_id: str, status: Status) -> None:
        counts = self._counts.setdefault(job.id, {})
        counts[status.value] = max(0, counts.get(status.value, 0) - 1)
        if (self._last.get(job.id) or {}).get("id") == run_id:
            del self._last[job.id]

    def busy(self, job_id: str) -> bool:
        return any(not t.done() for t in self._in_flight.get(job_id, ()))

    async def trigger(self, job: JobRecord) -> None:
        """Run the job now (its combinations once). JobBusy while runs of it are in flight, so
        that two racing triggers run it once."""
        if self.busy(job.id):
            raise JobBusy(job.id)
        self._launch(job)  # marks it busy before anything is awaited
        await self.store.claim(job.id, f"trigger:{self.clock().isoformat()}")

    def pause(self, job: JobRecord) -> None:
        job.status, job.next_run_at = JobStatus.PAUSED, None
        self._changed(job)

    def resume(self, job: JobRecord) -> None:
        schedule = schedule_of(job)
        moment = self.clock()
        job.status = JobStatus.STARTED if schedule.recurring else JobStatus.PENDING
        job.last_occurrence = moment.isoformat()  # what was missed while paused is not run
        self._set_next(job, schedule, moment)
        self._changed(job)
        self._wake.set()

    def update(self, job: JobRecord) -> None:
        """The job's schedule or settings changed: its next time follows."""
        if job.status in (JobStatus.STARTED, JobStatus.PENDING):
            schedule = schedule_of(job)
            if schedule.recurring and job.last_occurrence is None:
                job.last_occurrence = self.clock().isoformat()
            self._set_next(job, schedule, self.clock())
        self._changed(job)
        self._wake.set()

    async def cancel(self, job: JobRecord) -> None:
        """Stop the job: its runs are cancelled (queued ones never start), nothing more runs."""
        job.status, job.next_run_at = JobStatus.ABORTED, None
        await self._stop_runs(job.id)
        self._changed(job)

    async def delete(self, job: JobRecord) -> None:
        await self._stop_runs(job.id)
        self.jobs.pop(job.id, None)
        self._counts.pop(job.id, None)
        self._last.pop(job.id, None)
        await self.store.delete(job.id)
        await asyncio.to_thread(shutil.rmtree, job.folder, True)
        self.listener.job_deleted(job)

    async def _stop_runs(self, job_id: str) -> None:
        tasks = list(self._in_flight.get(job_id, ()))
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    # --- schedule ------------------------------------------------------------------------------

    async def tick(self) -> None:
        """Fire every job whose time has come."""
        moment = self.clock()
        for job in list(self.jobs.values()):
            when = _next_time(job)
            if when is not None and when <= moment:
                await self._fire_due(job, moment)

    async def _schedule(self) -> None:
        while True:
            await self.tick()
            self._wake.clear()
            upcoming = [t for t in map(_next_time, self.jobs.values()) if t is not None]
            wait = max(0.0, (min(upcoming) - self.clock()).total_seconds()) if upcoming else None
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=wait)

    async def _fire_due(self, job: JobRecord, moment: datetime.datetime) -> None:
        schedule = schedule_of(job)
        occurrence = schedule.due(parse_time(job.last_occurrence), moment)
        if occurrence is not None:
            job.last_occurrence = occurrence.isoformat()
            # Claimed before it runs: an occurrence fires once, whatever races or restarts.
            if await self.store.claim(job.id, occurrence.isoformat()):
                if self.busy(job.id):
                    log.warning(
                        "job %s: its %s runs were skipped, the last ones still run",
                        job.id,
                        occurrence.isoformat(),
                    )
                else:
                    self._launch(job)
        self._set_next(job, schedule, moment)
        self._changed(job)

    def _set_next(self, job: JobRecord, schedule: Schedule, moment: datetime.datetime) -> None:
        following = schedule.next_after(moment)
        job.next_run_at = following.isoformat() if following is not None else None

    # --- runs ----------------------------------------------------------------------------------

    def _launch(self, job: JobRecord) -> None:
        if not schedule_of(job).recurring:
            job.status = JobStatus.STARTED
        tasks = self._in_flight.setdefault(job.id, set())
        for combination in job.combinations:
            task = asyncio.ensure_future(self._run(job, combination))
            tasks.add(task)
            task.add_done_callback(functools.partial(self._run_task_done, job))
        self._changed(job)

    async def _run(self, job: JobRecord, combination: dict[str, Any]) -> None:
        if self._slots is None:
            await self._run_now(job, combination)
            return
        async with self._slots:
            await self._run_now(job, combination)

    async def _run_now(self, job: JobRecord, combination: dict[str, Any]) -> None:
        try:
            prepared = await asyncio.to_thread(self.prepare, job, combination)
        except Exception as err:  # the snapshot cannot run (a bad parameter, a missing file)
            log.warning("job %s: a run could not start: %s", job.id, err)
            self._count(job, Status.FAILURE)
            return
        run = self.engine.start(prepared)
        self._count(job, Status.STARTED)
        self._changed(job)  # queued -> running
        try:
            ended = await self.engine.wait(run.id) or run
        except asyncio.CancelledError:
            ended = await self.engine.cancel(run.id, "the job was cancelled") or run
            self._ended(job, ended)
            raise
        self._ended(job, ended)

    def _count(self, job: JobRecord, status: Status, before: Status | None = None) -> None:
        counts = self._counts.setdefault(job.id, {})
        if before is not None:
            counts[before.value] = max(0, counts.get(before.value, 0) - 1)
        counts[status.value] = counts.get(status.value, 0) + 1

    def _ended(self, job: JobRecord, run: RunRecord) -> None:
        self._count(job, run.status, before=Status.STARTED)
        last = self._last.get(job.id)
        # The run that ended last (ties by id, as the store finds it after a restart): runs in
        # parallel may be told out of order.
        if last is None or (run.finished_at or "", run.id) >= (
            last["finished_at"] or "",
            last["id"],
        ):
            self._last[job.id] = {
                "id": run.id,
                "status": run.status.value,
                "finished_at": run.finished_at,
            }
        if run.status is Status.FAILURE and self.on_failure is not None:
            self.on_failure.run_failed(job, run)
        self._changed(job)

    def _run_task_done(self, job: JobRecord, task: asyncio.Task[None]) -> None:
        tasks = self._in_flight.get(job.id)
        if tasks is not None:
            tasks.discard(task)
        if job.id not in self.jobs:
            return
        if not self.busy(job.id):
            if not schedule_of(job).recurring and job.status is JobStatus.STARTED:
                self._end_one_off(job)
            tidying = asyncio.ensure_future(self._after_runs(job))
            self._tidying.add(tidying)
            tidying.add_done_callback(self._tidying.discard)
        self._changed(job)

    def _end_one_off(self, job: JobRecord) -> None:
        counts = self._counts.get(job.id, {})
        good = counts.get(Status.SUCCESS.value, 0) == len(job.combinations) and all(
            n == 0 for s, n in counts.items() if s != Status.SUCCESS.value
        )
        job.status = JobStatus.SUCCESS if good else JobStatus.FAILURE
        job.next_run_at = None

    async def _after_runs(self, job: JobRecord) -> None:
        """Retention, then the job's disk use (files are walked in a thread)."""
        try:
            if job.max_retained_runs:
                await self._retain(job, job.max_retained_runs)
            job.disk_bytes = await asyncio.to_thread(folder_size, Path(job.folder))
            self._changed(job)
        except Exception:
            log.warning("job %s: could not tidy its runs", job.id, exc_info=True)

    async def _retain(self, job: JobRecord, keep: int) -> None:
        rows = await self.store.run_rows(job.id)
        ended = [(run_id, status) for run_id, status, _ in rows if Status(status).ended]
        excess = ended[: max(0, len(ended) - keep)]
        if not excess:
            return
        for run_id, status in excess:
            await asyncio.to_thread(shutil.rmtree, run_dir(job, run_id), True)
            self._forget(job, run_id, Status(status))
        await self.runs.delete([run_id for run_id, _ in excess])

    def _changed(self, job: JobRecord) -> None:
        if job.id not in self.jobs:
            return
        self.store.save(job)
        self.listener.job_changed(job, self.runs_of(job.id), self.last_run(job.id))
