"""The scheduler of jobs, on a clock the test sets: an occurrence fires once, whatever races or
restarts happen, and after downtime the missed times run once."""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any

from blocking_executor import InstantExecutor

from orchest_lab.jobs.manager import JobManager
from orchest_lab.records import JobRecord, JobStatus, RunRecord, Status
from orchest_lab.runs.engine import PreparedRun, RunEngine
from orchest_lab.runs.slots import StepSlots
from orchest_lab.store import Database, RunStore
from orchest_lab.store.jobs import JobStore

UTC = datetime.timezone.utc


class Quiet:
    def __getattr__(self, name: str) -> Any:
        return lambda *args: None


class Clock:
    def __init__(self, moment: datetime.datetime) -> None:
        self.moment = moment

    def __call__(self) -> datetime.datetime:
        return self.moment


class Recorder:
    """A job listener that keeps what it was told: (status, runs, last run), or DELETED."""

    def __init__(self) -> None:
        self.told: list[tuple[str, dict[str, int], dict[str, Any] | None]] = []

    def job_changed(
        self, job: JobRecord, runs: dict[str, int], last_run: dict[str, Any] | None = None
    ) -> None:
        self.told.append((job.status.value, dict(runs), last_run))

    def job_deleted(self, job: JobRecord) -> None:
        self.told.append(("DELETED", {}, None))


class Server:
    """What a server holds of jobs: its database, engine and job manager."""

    def __init__(self, state: Path, clock: Clock, listener: Any = None) -> None:
        self.database = Database(state / "state.db")
        self.runs = RunStore(self.database)
        self.started: list[dict[str, Any]] = []
        self.engine = RunEngine(InstantExecutor(), Quiet(), StepSlots(0), self.runs)
        self.manager = JobManager(
            JobStore(self.database),
            self.runs,
            self.engine,
            self.prepare,
            listener or Quiet(),
            clock=clock,
        )

    def prepare(self, job: JobRecord, combination: dict[str, Any]) -> PreparedRun:
        self.started.append(combination)
        record = RunRecord(
            f"run-{len(self.started)}-{id(self)}",
            job.pipeline_path,
            "u",
            "p",
            "",
            "full",
            [],
            combination,
            kind="job",
            job_id=job.id,
        )
        return PreparedRun(record, {})

    async def stop(self) -> None:
        await self.manager.close()
        await self.database.flush()
        self.database.close()


def hourly_job(created: datetime.datetime) -> JobRecord:
    return JobRecord(
        id="0b0e4c1a-3c5f-4d9e-8a7b-6c5d4e3f2a1b",
        name="hourly",
        pipeline_path="p.orchest",
        project="",
        pipeline_uuid="u",
        pipeline_name="p",
        folder="/nonexistent",
        schedule={"cron": "0 * * * *", "timezone": "UTC"},
        parameters={"pipeline": {}, "steps": {}},
        combinations=[{"pipeline": {"x": 1}, "steps": {}}, {"pipeline": {"x": 2}, "steps": {}}],
        created_at=created.isoformat(),
    )


async def settle(server: Server) -> None:
    """Wait until the runs the manager started have ended."""
    for run in server.engine.active():
        await server.engine.wait(run.id)
    while any(server.manager.busy(job_id) for job_id in server.manager.jobs):
        import asyncio

        await asyncio.sleep(0.01)


async def test_a_cron_job_fires_each_time_once_across_a_restart(tmp_path: Path) -> None:
    clock = Clock(datetime.datetime(2026, 3, 1, 9, 30, tzinfo=UTC))
    first = Server(tmp_path, clock)
    await first.manager.start()
    job = hourly_job(clock.moment)
    await first.manager.add(job)
    assert job.status is JobStatus.STARTED and job.next_run_at == "2026-03-01T10:00:00+00:00"

    clock.moment = datetime.datetime(2026, 3, 1, 10, 0, 5, tzinfo=UTC)
    await first.manager.tick()
    await first.manager.tick()  # the same time, looked at again: nothing more
    await settle(first)
    assert len(first.started) == 2  # one occurrence, two combinations
    await first.stop()

    # The server restarts within the same hour: the 10:00 runs are not run again.
    second = Server(tmp_path, clock)
    await second.manager.start()
    await second.manager.tick()
    await settle(second)
    assert second.started == []
    assert second.manager.runs_of(job.id)["SUCCESS"] == 2
    restored = second.manager.jobs[job.id]
    assert restored.next_run_at == "2026-03-01T11:00:00+00:00"

    # Down from 10:30 to 13:10: 11:00, 12:00 and 13:00 were missed; they run once, not thrice.
    await second.stop()
    clock.moment = datetime.datetime(2026, 3, 1, 13, 10, tzinfo=UTC)
    third = Server(tmp_path, clock)
    await third.manager.start()
    await third.manager.tick()
    await settle(third)
    assert len(third.started) == 2
    assert third.manager.jobs[job.id].next_run_at == "2026-03-01T14:00:00+00:00"
    await third.stop()


async def test_two_servers_on_one_store_fire_an_occurrence_once(tmp_path: Path) -> None:
    clock = Clock(datetime.datetime(2026, 3, 1, 9, 30, tzinfo=UTC))
    one = Server(tmp_path, clock)
    await one.manager.start()
    await one.manager.add(hourly_job(clock.moment))
    await one.database.flush()
    other = Server(tmp_path, clock)
    await other.manager.start()
    clock.moment = datetime.datetime(2026, 3, 1, 10, 0, 1, tzinfo=UTC)
    await one.manager.tick()
    await other.manager.tick()
    await settle(one)
    await settle(other)
    assert len(one.started) + len(other.started) == 2
    await one.stop()
    await other.stop()


async def test_listeners_hear_runs_start_and_end_the_last_run_and_the_deletion(
    tmp_path: Path,
) -> None:
    clock = Clock(datetime.datetime(2026, 3, 1, 9, 30, tzinfo=UTC))
    recorder = Recorder()
    server = Server(tmp_path, clock, recorder)
    await server.manager.start()
    job = hourly_job(clock.moment)
    await server.manager.add(job)
    assert server.manager.last_run(job.id) is None
    await server.manager.trigger(job)
    await settle(server)
    # Each run was told when it started (queued -> running), and when it ended.
    running = [runs for _, runs, _ in recorder.told if runs.get("STARTED")]
    assert running and running[0]["STARTED"] >= 1
    _, runs, last = recorder.told[-1]
    assert runs["SUCCESS"] == 2 and runs["total"] == 2
    assert last is not None and last["status"] == "SUCCESS" and last["id"].startswith("run-")
    assert server.manager.last_run(job.id) == last
    await server.stop()

    # A restart finds the last run in the store.
    again = Server(tmp_path, clock, Recorder())
    await again.manager.start()
    restored = again.manager.last_run(job.id)
    assert restored is not None and restored["id"] == last["id"]
    assert restored["status"] == "SUCCESS"

    # A deleted run is counted no more, and is no longer the last.
    again.manager.run_deleted(again.manager.jobs[job.id], last["id"], Status.SUCCESS)
    assert again.manager.runs_of(job.id)["SUCCESS"] == 1
    assert again.manager.last_run(job.id) is None

    # Deleting the job is told as such.
    recorder = Recorder()
    again.manager.listener = recorder
    await again.manager.delete(again.manager.jobs[job.id])
    assert recorder.told == [("DELETED", {}, None)]
    await again.stop()
