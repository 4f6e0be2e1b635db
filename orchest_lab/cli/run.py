"""`orchest-lab run`: a pipeline run in this process, with the server's engine and executor."""

from __future__ import annotations

import argparse
import asyncio
import json
import signal
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..pipeline import (
    RUN_MODES,
    CycleError,
    PipelineDocument,
    PlanError,
    find_project_root,
    make_plan,
)
from ..runs.parameters import ParameterError, parse_assignment, parse_parameters
from .environments import environment_builds
from .pipelines import (
    EXIT_INVALID,
    EXIT_OK,
    CommandError,
    _guarded,
    _load_valid,
    _pipeline_path,
    pipeline_data_of,
)

if TYPE_CHECKING:  # the executor (nbclient, jupyter_client) loads only when a run starts
    from ..executors.local import LocalExecutor
    from ..runs.engine import PreparedRun
    from ..runs.models import RunRecord
    from .progress import ProgressPrinter

EXIT_INTERRUPTED = 130


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
    run.add_argument("--output", action="store_true", help="also print what scripts write")
    run.add_argument("--json", action="store_true", help="print the finished run as JSON")
    run.set_defaults(handler=_guarded(run_pipeline))


def run_pipeline(args: argparse.Namespace) -> int:
    path = _pipeline_path(args.path)
    document, _ = _load_valid(path, args.path)
    if document is None:
        return EXIT_INVALID
    fingerprints = None
    try:
        parameters = parse_parameters(document, _assignments(document, args.param))
        state = None
        if args.mode == "outdated":  # which steps run depends on what is stored and up to date
            data = pipeline_data_of(path, document, parameters)
            state, fingerprints = data.plan_state(), data.fingerprints
        plan = make_plan(document, args.mode, args.steps, state=state)
    except (PlanError, CycleError, ParameterError) as err:
        raise CommandError(str(err)) from err
    if args.mode == "outdated":
        reused = len(document.steps) - len(plan.steps)
        print(
            f"{reused} of {len(document.steps)} steps up to date: their stored outputs are reused",
            file=sys.stderr,
        )
    from ..environments.resolver import RunEnvironments
    from ..executors.local import LocalExecutor
    from ..runs.data_dir import resolve_data_dir
    from ..runs.kernels import notebook_kernel_chooser
    from ..runs.models import Status
    from ..runs.prepare import RunLocation, prepare_run
    from .progress import ProgressPrinter

    cwd = Path.cwd()
    root = cwd if path.is_relative_to(cwd) else path.parent
    location = RunLocation(root, path, find_project_root(path, root))
    data_dir = resolve_data_dir(args.data_dir)
    # Steps' environments are built first when needed, printing their logs with --output.
    builds = environment_builds(quiet=not args.output, data_dir=data_dir)
    executor = LocalExecutor(
        neutral_cwd=str(location.project),
        pool_size=0,
        environments=RunEnvironments(builds, build_on_run=True, label=lambda p: p.name),
    )
    prepared = prepare_run(
        location,
        document,
        plan,
        parameters,
        data_dir=data_dir,
        choose_kernel=notebook_kernel_chooser(executor.kernel_spec_manager),
        fingerprints=fingerprints,
    )
    listener = ProgressPrinter(sys.stderr, show_output=args.output and not args.json)
    run = asyncio.run(_run(prepared, executor, listener))
    if args.json:
        print(json.dumps(run.to_json(), indent=2))
    if run.status is Status.SUCCESS:
        return EXIT_OK
    return EXIT_INTERRUPTED if run.reason == INTERRUPTED else EXIT_INVALID


INTERRUPTED = "interrupted from the keyboard"


async def _run(
    prepared: PreparedRun, executor: LocalExecutor, listener: ProgressPrinter
) -> RunRecord:
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


def _assignments(document: PipelineDocument, texts: list[str]) -> dict[str, Any]:
    parameters: dict[str, Any] = {"pipeline": {}, "steps": {}}
    for text in texts:
        step, key, raw = parse_assignment(document, text)
        try:
            value = json.loads(raw)
        except ValueError:
            value = raw
        target = parameters["steps"].setdefault(step, {}) if step else parameters["pipeline"]
        target[key] = value
    return parameters
