"""`orchest-lab validate | plan | graph | new`: the pipeline model from the command line."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from ..pipeline import (
    PIPELINE_SUFFIX,
    RUN_MODES,
    ExecutionPlan,
    PipelineDocument,
    to_dot,
    to_mermaid,
)
from .common import (
    EXIT_INVALID,
    EXIT_OK,
    CommandError,
    LocalPipeline,
    guarded,
    print_issues,
)


def register(commands: Any) -> None:
    validate = commands.add_parser("validate", help="check a pipeline; exit 1 when it is invalid")
    validate.add_argument("path", help="the pipeline file (*.orchest)")
    validate.add_argument("--json", action="store_true", help="print the result as JSON")
    validate.set_defaults(handler=guarded(run_validate))

    plan = commands.add_parser("plan", help="show which steps a run executes, in order, and why")
    plan.add_argument("path", help="the pipeline file (*.orchest)")
    plan.add_argument("--mode", choices=RUN_MODES, default="full", help="run mode (default: full)")
    plan.add_argument(
        "--steps", nargs="+", default=[], metavar="STEP", help="selected steps: uuids or titles"
    )
    plan.add_argument(
        "--param",
        action="append",
        default=[],
        metavar="[STEP.]KEY=VALUE",
        help="a parameter of the run to plan, as for `run` (parameters change fingerprints)",
    )
    plan.add_argument("--json", action="store_true", help="print the plan as JSON")
    plan.set_defaults(handler=guarded(run_plan))

    graph = commands.add_parser("graph", help="print the step graph as Mermaid or Graphviz DOT")
    graph.add_argument("path", help="the pipeline file (*.orchest)")
    graph.add_argument("--format", choices=("mermaid", "dot"), default="mermaid")
    graph.set_defaults(handler=guarded(run_graph))

    new = commands.add_parser("new", help="create a new, empty pipeline with a fresh uuid")
    new.add_argument("path", help="the file to create (*.orchest); it must not exist yet")
    new.add_argument("--name", help="the pipeline's name (default: the file name)")
    new.set_defaults(handler=guarded(run_new))


def run_validate(args: argparse.Namespace) -> int:
    pipeline = LocalPipeline.of(args.path)
    result = pipeline.pipelines.validate(pipeline.source)
    if args.json:
        print(json.dumps({"path": str(args.path), **result.to_json()}, indent=2))
    else:
        print_issues(result, args.path)
        if result.valid:
            print(f"{args.path}: valid" + (" (with warnings)" if result.issues else ""))
    return EXIT_OK if result.valid else EXIT_INVALID


def run_plan(args: argparse.Namespace) -> int:
    from ..services.planning import RunPlanner, RunRequest
    from .common import shared_data_dir

    pipeline = LocalPipeline.of(args.path)
    planner = RunPlanner(pipeline.pipelines, shared_data_dir())
    request = RunRequest(pipeline.source, mode=args.mode, steps=args.steps, assignments=args.param)
    planned = planner.plan(request, with_data=True)
    print_issues(planned.loaded.result, args.path)  # warnings
    plan, document = planned.plan, planned.document
    if args.json:
        issues = [i.to_json() for i in planned.loaded.result.issues]
        print(json.dumps({**plan.to_json(), "issues": issues}, indent=2))
        return EXIT_OK
    total = len(document.steps)
    print(f"Execution plan of '{document.name}' ({plan.mode}: {len(plan.steps)} of {total} steps)")
    rows = [("level", "step", "file", "why")]
    rows += [(str(s.level), s.title, s.file_path, s.reason) for s in plan.steps]
    widths = [max(len(row[i]) for row in rows) for i in range(3)]
    for row in rows:
        cells = "  ".join(cell.ljust(w) for cell, w in zip(row[:3], widths, strict=True))
        print(f"  {cells}  {row[3]}")
    _print_data(plan)
    return EXIT_OK


def _print_data(plan: ExecutionPlan) -> None:
    """Every step with its outputs, like job-orchestra's execution plan."""
    if not plan.state:
        return
    print()
    print("Outputs: [*] stored, up to date  [~] stored, out of date  [ ] none stored")
    print("         (>) runs  ( ) does not run")
    width = max(len(s.title) for s in plan.state)
    for step in plan.state:
        data = step.data
        stored = ("[*]" if data.up_to_date else "[~]") if data.available else "[ ]"
        status = "up to date" if data.up_to_date else f"out of date: {data.why}"
        print(f"  {stored} {'(>)' if step.planned else '( )'} {step.title.ljust(width)}  {status}")


def run_graph(args: argparse.Namespace) -> int:
    pipeline = LocalPipeline.of(args.path)
    loaded = pipeline.pipelines.load(pipeline.source)
    if loaded.document is None:  # not a pipeline at all; a graph of an invalid one is drawn
        print_issues(loaded.result, args.path)
        return EXIT_INVALID
    document = loaded.document
    sys.stdout.write(to_mermaid(document) if args.format == "mermaid" else to_dot(document))
    return EXIT_OK


def run_new(args: argparse.Namespace) -> int:
    path = Path(args.path)
    if path.suffix != PIPELINE_SUFFIX:
        raise CommandError(f"'{args.path}' must end with {PIPELINE_SUFFIX}")
    if path.exists():
        raise CommandError(f"'{args.path}' already exists; it was left as it is")
    if not path.parent.is_dir():
        raise CommandError(f"folder '{path.parent}' does not exist")
    document = PipelineDocument.new(args.name or path.stem)
    with open(path, "x", encoding="utf-8") as f:  # "x": never overwrite, even in a race
        f.write(document.to_text())
    print(f"created {args.path} (pipeline uuid {document.uuid})")
    return EXIT_OK
