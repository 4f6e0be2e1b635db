"""`orchest-lab job run PATH --grid KEY=[values] ...`: a one-off job in this process, as the
server runs jobs: a snapshot of the project, one run per combination of the listed values (in
parallel up to --parallel), a line per run as it ends; exit 1 when a run failed, Ctrl-C cancels.
Steps run on the executor `orchest-lab run` would use (--executor, --set, the configuration).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import signal
import sys
import time
import uuid as uuid_lib
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .common import (
    EXIT_INTERRUPTED,
    EXIT_INVALID,
    EXIT_OK,
    CommandError,
    LocalPipeline,
    add_executor_options,
    environment_builds,
    executor_maker,
    guarded,
    shared_data_dir,
)

if TYPE_CHECKING:
    from collections.abc import Callable

    from ..executors.base import Executor
    from ..records import JobRecord, RunRecord, StepRecord


def register(commands: Any) -> None:
    job = commands.add_parser("job", help="run a pipeline as a job (a snapshot, a grid of runs)")
    actions = job.add_subparsers(dest="action", metavar="ACTION", required=True)
    run = actions.add_parser("run", help="run every combination of the listed values, here")
    run.add_argument("path", help="the pipeline file (*.orchest)")
    run.add_argument(
        "--grid",
        action="append",
        default=[],
        metavar="[STEP.]KEY=JSON_LIST",
        help="the values of a pipeline parameter (KEY) or a step's (STEP.KEY), as a JSON list; "
        "the runs are every combination. Repeat for more.",
    )
    run.add_argument("--parallel", type=int, default=2, help="runs at once (default: 2)")
    run.add_argument("--data-dir", default="", help="the data folder steps share")
    run.add_argument("--jobs-dir", default="", help="where the job's folder goes")
    add_executor_options(run)
    run.set_defaults(handler=guarded(run_job))


def run_job(args: argparse.Namespace) -> int:
    from jupyter_core.paths import jupyter_data_dir

    from ..jobs.grid import parse_combinations, parse_grid
    from ..jobs.snapshot import take_snapshot
    from ..pipeline import IssueError
    from ..records import JobRecord
    from ..services.errors import RequestError
    from ..services.planning import RunPlanner, RunRequest

    if args.parallel < 1:
        raise CommandError("--parallel must be at least 1")
    pipeline = LocalPipeline.of(args.path)
    make_executor = executor_maker(args)  # refused before the snapshot is taken
    data_dir = shared_data_dir(args.data_dir)
    planner = RunPlanner(pipeline.pipelines, data_dir)
    planned = planner.plan(RunRequest(pipeline.source))
    try:
        grid = parse_grid(planned.document, _grid(planned.document, args.grid))
        combinations = parse_combinations(grid, None, limit=10_000)
    except IssueError as err:
        raise RequestError.from_issue(err) from err
    location = planner.location_of(planned.loaded)
    jobs_dir = Path(args.jobs_dir or Path(jupyter_data_dir()) / "orchest-lab" / "jobs").absolute()
    job_id = str(uuid_lib.uuid4())
    root = pipeline.pipelines.root
    job = JobRecord(
        id=job_id,
        name=f"{planned.document.name or Path(args.path).stem} (command line)",
        pipeline_path=pipeline.relative,
        project=location.shown(location.project) if location.project != root else "",
        pipeline_uuid=planned.document.uuid or "",
        pipeline_name=planned.document.name or Path(args.path).stem,
        folder=str(jobs_dir / job_id),
        schedule=None,
        parameters=grid,
        combinations=combinations,
    )
    print(f"Snapshot of {location.project} in {job.folder}", file=sys.stderr)
    take_snapshot(location.project, Path(job.folder) / "snapshot", 0, [data_dir, jobs_dir])
    print(f"{len(combinations)} run{'s' if len(combinations) != 1 else ''}", file=sys.stderr)
    counts = asyncio.run(_run(job, root, data_dir, args.parallel, make_executor))
    failed = counts.get("FAILURE", 0) + counts.get("ABORTED", 0)
    summary = ", ".join(f"{n} {status.lower()}" for status, n in counts.items() if n)
    print(f"Job {'FAILED' if failed else 'SUCCEEDED'}: {summary}; runs in {job.folder}/runs")
    if counts.get("interrupted"):
        return EXIT_INTERRUPTED
    return EXIT_INVALID if failed else EXIT_OK


def _grid(document: Any, texts: list[str]) -> dict[str, Any]:
    """--grid assignments as the grid of the API: values as JSON lists."""
    from ..runs.parameters import parse_assignment

    grid: dict[str, Any] = {"pipeline": {}, "steps": {}}
    for text in texts:
        step, key, raw = parse_assignment(document, text)
        try:
            values = json.loads(raw)
        except ValueError:
            values = None
        if not isinstance(values, list):
            raise CommandError(f"--grid {text}: the values must be a JSON list, such as [1, 2, 3]")
        target = grid["steps"].setdefault(step, {}) if step else grid["pipeline"]
        target[key] = values
    return grid


async def _run(
    job: JobRecord,
    root: Path,
    data_dir: Path,
    parallel: int,
    make_executor: Callable[..., Executor],
) -> dict[str, int]:
    from ..environments.resolver import RunEnvironments
    from ..jobs.manager import JobManager
    from ..runs.engine import RunEngine
    from ..runs.slots import StepSlots
    from ..services.job_launch import prepare_job_run
    from ..store import Database, RunStore
    from ..store.jobs import JobStore

    builds = environment_builds(quiet=True, data_dir=data_dir)
    executor = make_executor(
        workdir=str(root),
        kernel_pool_size=min(parallel, 4),
        environments=RunEnvironments(builds, build_on_run=True, label=lambda p: p.name),
    )
    database = Database(Path(job.folder) / "job.db")
    engine = RunEngine(executor, _RunLines(len(job.combinations)), StepSlots(0), RunStore(database))

    def prepare(job: JobRecord, combination: dict[str, Any]) -> Any:
        return prepare_job_run(job, combination, root=root, data_dir=data_dir)

    manager = JobManager(
        JobStore(database),
        RunStore(database),
        engine,
        prepare,
        _Quiet(),
        max_parallel_runs=parallel,
    )
    loop = asyncio.get_running_loop()
    interrupted: list[bool] = []

    def interrupt() -> None:
        interrupted.append(True)
        cancelling.append(asyncio.ensure_future(manager.cancel(job)))

    cancelling: list[asyncio.Future[None]] = []
    loop.add_signal_handler(signal.SIGINT, interrupt)
    loop.add_signal_handler(signal.SIGTERM, interrupt)
    try:
        await manager.start()
        await manager.add(job)
        while manager.busy(job.id):
            await asyncio.sleep(0.05)
        await asyncio.gather(*cancelling)
    finally:
        loop.remove_signal_handler(signal.SIGINT)
        loop.remove_signal_handler(signal.SIGTERM)
        await manager.close()
        await executor.close()
        await database.flush()
        database.close()
    counts = {k: v for k, v in manager.runs_of(job.id).items() if k not in ("total", "queued")}
    if interrupted:
        counts["interrupted"] = 1
    return counts


class _RunLines:
    """A line per run as it ends, with its parameters."""

    def __init__(self, total: int) -> None:
        self.total = total
        self.ended = 0
        self.began: dict[str, float] = {}

    def run_changed(self, run: RunRecord) -> None:
        if run.status.value == "STARTED":
            self.began[run.id] = time.monotonic()
        elif run.status.ended:
            self.ended += 1
            took = time.monotonic() - self.began.get(run.id, time.monotonic())
            values = {**run.parameters.get("pipeline", {})}
            for step_values in run.parameters.get("steps", {}).values():
                values.update(step_values)
            shown = " ".join(f"{k}={json.dumps(v)}" for k, v in values.items())
            print(
                f"  [{self.ended}/{self.total}] {run.status.value:<8} {shown}  ({took:.1f} s)",
                file=sys.stderr,
                flush=True,
            )

    def step_changed(self, run: RunRecord, step: StepRecord) -> None:
        pass

    def cell(self, run: RunRecord, *args: Any) -> None:
        pass

    def stream(self, run: RunRecord, *args: Any) -> None:
        pass


class _Quiet:
    def job_changed(
        self, job: JobRecord, runs: dict[str, int], last_run: dict[str, Any] | None = None
    ) -> None:
        pass

    def job_deleted(self, job: JobRecord) -> None:
        pass
