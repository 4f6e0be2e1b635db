"""How fast jobs are: a grid of runs, snapshots, and the scheduler's cost to the event loop.

1. A 100-run grid of a 3-step notebook pipeline through the job manager (as the server runs
   it), against the same 100 runs made by `orchest-lab run` invocations one after another.
   Goal: the 100 runs finish in at most 60 s.
2. Snapshot cost per MiB of project (many files, as a repository has), against `cp -r` of the
   same tree. Goal: at most 1.5x.
3. The scheduler: the event loop's lateness (p99 of how late a 5 ms timer fires) with 1,000 cron
   jobs in the store, against no jobs. Goal: at most 5 ms more.
Set BENCH_JOBS_RUNS to run fewer than 100 runs (the baseline then runs as many).
"""

from __future__ import annotations

import asyncio
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import nbformat
from nbformat.v4 import new_code_cell, new_notebook

from orchest_lab.executors.local import LocalExecutor
from orchest_lab.jobs.manager import JobManager
from orchest_lab.jobs.snapshot import take_snapshot
from orchest_lab.pipeline import PipelineDocument
from orchest_lab.records import JobRecord, now
from orchest_lab.runs.engine import RunEngine
from orchest_lab.runs.slots import StepSlots
from orchest_lab.services.job_launch import prepare_job_run
from orchest_lab.store import Database, RunStore
from orchest_lab.store.jobs import JobStore

RUNS = int(os.environ.get("BENCH_JOBS_RUNS", "100"))


class Quiet:
    def __getattr__(self, name: str) -> Any:
        return lambda *args: None


def three_step_project(folder: Path) -> Path:
    document = PipelineDocument.new("grid")
    document.data["parameters"] = {"seed": 0}
    previous: list[str] = []
    for i, name in enumerate(("load", "fit", "report")):
        notebook = new_notebook(metadata={"kernelspec": {"name": "python3", "display_name": "P"}})
        notebook.cells.append(
            new_code_cell(f"import orchest\nx = orchest.get_pipeline_param('seed') + {i}")
        )
        nbformat.write(notebook, folder / f"{name}.ipynb")
        step = f"step-{i}"
        document.data["steps"][step] = {
            "uuid": step,
            "title": name,
            "file_path": f"{name}.ipynb",
            "incoming_connections": previous,
            "environment": "",
            "parameters": {},
        }
        previous = [step]
    path = folder / "grid.orchest"
    document.save(path)
    return path


def job_of(folder: Path, jobs: Path, runs: int) -> JobRecord:
    job_id = str(uuid.uuid4())
    job = JobRecord(
        id=job_id,
        name="bench",
        pipeline_path="grid.orchest",
        project="",
        pipeline_uuid="",
        pipeline_name="grid",
        folder=str(jobs / job_id),
        schedule=None,
        parameters={"pipeline": {"seed": list(range(runs))}, "steps": {}},
        combinations=[{"pipeline": {"seed": i}, "steps": {}} for i in range(runs)],
    )
    take_snapshot(folder, Path(job.folder) / "snapshot", 0, [jobs])
    return job


async def grid_in_manager(folder: Path, jobs: Path, runs: int) -> tuple[float, int]:
    job = job_of(folder, jobs, runs)
    executor = LocalExecutor(workdir=str(folder))  # the server's default pool
    database = Database(jobs / "bench.db")
    store = RunStore(database)
    engine = RunEngine(executor, Quiet(), StepSlots(32), store)
    data = folder / "data"

    def prepare(job: JobRecord, combination: dict[str, Any]) -> Any:
        return prepare_job_run(job, combination, root=folder, data_dir=data)

    manager = JobManager(JobStore(database), store, engine, prepare, Quiet(), max_parallel_runs=4)
    await manager.start()
    try:
        began = time.perf_counter()
        await manager.add(job)
        while manager.busy(job.id):
            await asyncio.sleep(0.02)
        took = time.perf_counter() - began
    finally:
        await manager.close()
        await executor.close()
        database.close()
    return took, manager.runs_of(job.id).get("SUCCESS", 0)


def grid_by_commands(folder: Path, runs: int) -> float:
    began = time.perf_counter()
    for seed in range(runs):
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "orchest_lab.cli",
                "run",
                "grid.orchest",
                "--param",
                f"seed={seed}",
                "--data-dir",
                "data",
            ],
            cwd=folder,
            capture_output=True,
            text=True,
            check=False,
        )
        assert done.returncode == 0, done.stderr
    return time.perf_counter() - began


def grid() -> None:
    print(f"1. a {RUNS}-run grid of a 3-step notebook pipeline")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "project"
        folder.mkdir()
        three_step_project(folder)
        baseline = grid_by_commands(folder, RUNS)
        print(
            f"   baseline: {RUNS} orchest-lab run, one after another  {baseline:7.1f} s"
            f"   {RUNS / baseline * 60:6.1f} runs/min"
        )
        took, succeeded = asyncio.run(grid_in_manager(folder, Path(tmp) / "jobs", RUNS))
        assert succeeded == RUNS, f"{succeeded} of {RUNS} runs succeeded"
        print(
            f"   a job of {RUNS} runs (4 at once)                {took:7.1f} s"
            f"   {RUNS / took * 60:6.1f} runs/min   {took / baseline:.2f}x baseline"
            f"   (goal: 100 runs <= 60 s)"
        )


def snapshots() -> None:
    print("2. snapshot of a project: 2,000 files in 100 folders, 100 MiB")
    with tempfile.TemporaryDirectory() as tmp:
        project = Path(tmp) / "project"
        for d in range(100):
            folder = project / f"pkg{d}"
            folder.mkdir(parents=True)
            for f in range(20):
                (folder / f"m{f}.py").write_bytes(os.urandom(50 * 1024 + d * 10))
        size = sum(p.stat().st_size for p in project.rglob("*") if p.is_file()) / 2**20
        copies, snaps = [], []
        for i in range(3):
            began = time.perf_counter()
            subprocess.run(["cp", "-r", str(project), f"{tmp}/cp{i}"], check=True)
            copies.append(time.perf_counter() - began)
            began = time.perf_counter()
            take_snapshot(project, Path(tmp) / f"snap{i}", 0)
            snaps.append(time.perf_counter() - began)
        cp, snap = statistics.median(copies), statistics.median(snaps)
        print(f"   baseline: cp -r        {cp * 1000 / size:6.2f} ms/MiB")
        ratio = snap / cp
        print(
            f"   take_snapshot          {snap * 1000 / size:6.2f} ms/MiB   {ratio:.2f}x baseline"
            " (goal <= 1.5)"
        )


async def lateness(seconds: float) -> list[float]:
    late = []
    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        began = time.perf_counter()
        await asyncio.sleep(0.005)
        late.append((time.perf_counter() - began - 0.005) * 1000)
    return late


async def scheduler_with(jobs: int, folder: Path) -> list[float]:
    database = Database(folder / f"sched-{jobs}.db")
    store = RunStore(database)
    manager = JobManager(
        JobStore(database),
        store,
        RunEngine(Quiet(), Quiet(), StepSlots(0)),  # type: ignore[arg-type]
        lambda job, combination: None,
        Quiet(),
    )  # type: ignore[arg-type,return-value]
    await manager.start()
    for i in range(jobs):
        minute = i % 60
        job = JobRecord(
            id=str(uuid.uuid4()),
            name=f"cron {i}",
            pipeline_path="p.orchest",
            project="",
            pipeline_uuid="",
            pipeline_name="p",
            folder=str(folder / "none"),
            schedule={"cron": f"{minute} 3 * * *", "timezone": "Europe/Amsterdam"},
            parameters={"pipeline": {}, "steps": {}},
            combinations=[{"pipeline": {}, "steps": {}}],
            created_at=now(),
        )
        await manager.add(job)
    await database.flush()
    try:
        return await lateness(5.0)
    finally:
        await manager.close()
        database.close()


def scheduler() -> None:
    print("3. the event loop's lateness (a 5 ms timer, 5 s), p99")
    with tempfile.TemporaryDirectory() as tmp:
        base = asyncio.run(scheduler_with(0, Path(tmp)))
        loaded = asyncio.run(scheduler_with(1000, Path(tmp)))
    b99 = statistics.quantiles(base, n=100)[98]
    l99 = statistics.quantiles(loaded, n=100)[98]
    print(f"   baseline: no jobs           p99 {b99:6.2f} ms")
    print(f"   1,000 cron jobs             p99 {l99:6.2f} ms   +{l99 - b99:.2f} ms (goal <= 5 ms)")


def main() -> int:
    scheduler()
    snapshots()
    grid()
    return 0


if __name__ == "__main__":
    sys.exit(main())
