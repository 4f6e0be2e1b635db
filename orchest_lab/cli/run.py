"""`orchest-lab run`: a pipeline run in this process, with the server's engine and executor."""

from __future__ import annotations

import argparse
import asyncio
import json
import signal
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..executors.base import DEFAULT_KERNEL
from ..pipeline import RUN_MODES
from .common import (
    EXIT_INTERRUPTED,
    EXIT_INVALID,
    EXIT_OK,
    LocalPipeline,
    add_executor_options,
    environment_builds,
    executor_maker,
    guarded,
    print_issues,
    shared_data_dir,
)

if TYPE_CHECKING:  # the executor (nbclient, jupyter_client) loads only when a run starts
    from ..executors.base import Executor
    from ..records import RunRecord
    from ..runs.engine import PreparedRun
    from .progress import ProgressPrinter

INTERRUPTED = "interrupted from the keyboard"


def register(commands: Any) -> None:
    run = commands.add_parser("run", help="run a pipeline here, without a server")
    run.add_argument("path", help="the pipeline file (*.orchest)")
    run.add_argument("--mode", choices=RUN_MODES, default="full", help="run mode (default: full)")
    run.add_argument("--steps", nargs="+", default=[], metavar="STEP", help="uuids or titles")
    run.add_argument(
        "--param",
        action="append",
        default=[],
        metavar="[STEP.]KEY=VALUE",
        help="override a pipeline parameter (KEY=VALUE) or a step's (STEP.KEY=VALUE); VALUE is "
        "read as JSON when it is JSON, else as text. Repeat for more.",
    )
    run.add_argument(
        "--data-dir", default="", help="the data folder steps share (ORCHEST_DATA_DIR)"
    )
    add_executor_options(run)
    run.add_argument("--output", action="store_true", help="also print what scripts write")
    run.add_argument("--json", action="store_true", help="print the finished run as JSON")
    run.set_defaults(handler=guarded(run_pipeline))


def run_pipeline(args: argparse.Namespace) -> int:
    from ..environments.kernelspecs import CommandKernelSpecManager

    specs = CommandKernelSpecManager()
    executor = executor_maker(args)(
        workdir=str(Path.cwd()),
        kernel_pool_size=0,
        fork_while_preloading=True,
        kernel_spec_manager=specs,
    )
    # Kernels of the default kernelspec get ready (importing, on another core) while the
    # pipeline is loaded, validated and planned.
    executor.start_early(DEFAULT_KERNEL)
    pipeline = LocalPipeline.of(args.path)
    data_dir = shared_data_dir(args.data_dir)
    from ..environments.resolver import RunEnvironments

    # Steps' environments are built first when needed, printing their logs with --output.
    builds = environment_builds(quiet=not args.output, data_dir=data_dir)
    executor.environments = RunEnvironments(builds, build_on_run=True, label=lambda p: p.name)
    from ..services.planning import RunPlanner, RunRequest

    planner = RunPlanner(pipeline.pipelines, data_dir, kernel_specs=specs)
    request = RunRequest(pipeline.source, mode=args.mode, steps=args.steps, assignments=args.param)
    planned = planner.plan(request)
    print_issues(planned.loaded.result, args.path)  # warnings
    if args.mode == "outdated":
        total = len(planned.document.steps)
        reused = total - len(planned.plan.steps)
        print(
            f"{reused} of {total} steps up to date: their stored outputs are reused",
            file=sys.stderr,
        )
    from ..records import Status
    from .progress import ProgressPrinter

    prepared = planner.prepare(planned)
    executor.workdir = prepared.record.folder or str(pipeline.pipelines.root)
    listener = ProgressPrinter(sys.stderr, show_output=args.output and not args.json)
    run = asyncio.run(_run(prepared, executor, listener))
    if args.json:
        print(json.dumps(run.to_json(), indent=2))
    if run.status is Status.SUCCESS:
        return EXIT_OK
    return EXIT_INTERRUPTED if run.reason == INTERRUPTED else EXIT_INVALID


async def _run(prepared: PreparedRun, executor: Executor, listener: ProgressPrinter) -> RunRecord:
    from ..runs.engine import RunEngine
    from ..runs.slots import StepSlots

    engine = RunEngine(executor, listener, StepSlots(0))
    loop = asyncio.get_running_loop()
    run = engine.start(prepared)

    cancelling: list[asyncio.Future[RunRecord | None]] = []

    def interrupt(reason: str) -> None:
        cancelling.append(asyncio.ensure_future(engine.cancel(run.id, reason)))

    loop.add_signal_handler(signal.SIGINT, interrupt, INTERRUPTED)
    loop.add_signal_handler(signal.SIGTERM, interrupt, "terminated")
    try:
        finished = await engine.wait(run.id)
    finally:
        loop.remove_signal_handler(signal.SIGINT)
        loop.remove_signal_handler(signal.SIGTERM)
        await executor.close()
    return finished or run
