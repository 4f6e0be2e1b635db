"""`orchest-lab validate | plan | graph | new`: the pipeline model from the command line."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..fs import is_within
from ..pipeline import (
    PIPELINE_SUFFIX,
    RUN_MODES,
    ExecutionPlan,
    PipelineDocument,
    PipelineLoadError,
    PlanError,
    ValidationContext,
    ValidationResult,
    make_plan,
    to_dot,
    to_mermaid,
    validate_document,
)

if TYPE_CHECKING:
    from ..data.state import PipelineData

EXIT_OK, EXIT_INVALID, EXIT_USAGE = 0, 1, 2


class CommandError(Exception):
    """Bad input from the command line: printed as `orchest-lab: error: ...`, exit status 2."""


def register(commands: Any) -> None:
    validate = commands.add_parser("validate", help="check a pipeline; exit 1 when it is invalid")
    validate.add_argument("path", help="the pipeline file (*.orchest)")
    validate.add_argument("--json", action="store_true", help="print the result as JSON")
    validate.set_defaults(handler=_guarded(run_validate))

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
    plan.set_defaults(handler=_guarded(run_plan))

    graph = commands.add_parser("graph", help="print the step graph as Mermaid or Graphviz DOT")
    graph.add_argument("path", help="the pipeline file (*.orchest)")
    graph.add_argument("--format", choices=("mermaid", "dot"), default="mermaid")
    graph.set_defaults(handler=_guarded(run_graph))

    new = commands.add_parser("new", help="create a new, empty pipeline with a fresh uuid")
    new.add_argument("path", help="the file to create (*.orchest); it must not exist yet")
    new.add_argument("--name", help="the pipeline's name (default: the file name)")
    new.set_defaults(handler=_guarded(run_new))


def run_validate(args: argparse.Namespace) -> int:
    path = _pipeline_path(args.path)
    result = _validate(path)
    if args.json:
        print(json.dumps({"path": str(args.path), **result.to_json()}, indent=2))
    else:
        _print_issues(result, args.path)
        if result.valid:
            print(f"{args.path}: valid" + (" (with warnings)" if result.issues else ""))
    return EXIT_OK if result.valid else EXIT_INVALID


def run_plan(args: argparse.Namespace) -> int:
    path = _pipeline_path(args.path)
    document, result = _load_valid(path, args.path)
    if document is None:
        return EXIT_INVALID
    from ..runs.parameters import ParameterError, parse_parameters
    from .run import _assignments

    try:
        parameters = parse_parameters(document, _assignments(document, args.param))
        data = pipeline_data_of(path, document, parameters)
        plan = make_plan(document, args.mode, args.steps, state=data.plan_state())
    except (PlanError, ParameterError) as err:
        raise CommandError(str(err)) from err
    if args.json:
        print(
            json.dumps({**plan.to_json(), "issues": [i.to_json() for i in result.issues]}, indent=2)
        )
        return EXIT_OK
    total = len(document.steps)
    print(f"Execution plan of '{document.name}' ({plan.mode}: {len(plan.steps)} of {total} steps)")
    rows = [("level", "step", "file", "why")]
    rows += [(str(s.level), s.title, s.file_path, s.reason) for s in plan.steps]
    widths = [max(len(row[i]) for row in rows) for i in range(3)]
    for row in rows:
        print(
            "  "
            + "  ".join(cell.ljust(w) for cell, w in zip(row[:3], widths, strict=True))
            + "  "
            + row[3]
        )
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


def pipeline_data_of(
    path: Path, document: PipelineDocument, parameters: dict[str, Any] | None = None
) -> PipelineData:
    """Fingerprints, last successes and stored outputs of a valid pipeline file's steps."""
    from ..data.outputs import memory_root_from_env
    from ..data.state import pipeline_data

    project = _context(path).project_root or path.parent
    return pipeline_data(document, path, project, memory_root_from_env(), parameters)


def run_graph(args: argparse.Namespace) -> int:
    path = _pipeline_path(args.path)
    document = _load(path, args.path)
    if document is None:
        return EXIT_INVALID
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


# --- helpers -------------------------------------------------------------------------------------


def _guarded(command: Any) -> Any:
    def run(args: argparse.Namespace) -> int:
        try:
            return int(command(args))
        except CommandError as err:
            print(f"orchest-lab: error: {err}", file=sys.stderr)
            return EXIT_USAGE

    return run


def _pipeline_path(given: str) -> Path:
    path = Path(given)
    if not path.exists():
        raise CommandError(f"'{given}' does not exist")
    if path.is_dir():
        raise CommandError(f"'{given}' is a folder; give a pipeline file (*{PIPELINE_SUFFIX})")
    return path.absolute()


def _context(path: Path) -> ValidationContext:
    # The project may sit above the pipeline, but we look no higher than the working directory.
    cwd = Path.cwd()
    boundary = cwd if is_within(path, cwd) else path.parent
    return ValidationContext.for_pipeline_file(path, boundary)


def _load(path: Path, shown: str) -> PipelineDocument | None:
    try:
        return PipelineDocument.from_file(path)
    except PipelineLoadError as err:
        _print_issues(ValidationResult([err.issue]), shown)
    except UnicodeDecodeError:
        print(f"{shown}: error: the file is not UTF-8 text", file=sys.stderr)
    return None


def _validate(path: Path) -> ValidationResult:
    try:
        document = PipelineDocument.from_file(path)
    except PipelineLoadError as err:
        return ValidationResult([err.issue])
    return validate_document(document, _context(path))


def _load_valid(path: Path, shown: str) -> tuple[PipelineDocument | None, ValidationResult]:
    document = _load(path, shown)
    if document is None:
        return None, ValidationResult()
    result = validate_document(document, _context(path))
    _print_issues(result, shown)
    return (document if result.valid else None), result


def _print_issues(result: ValidationResult, shown: str) -> None:
    for issue in result.issues:
        print(issue.format_line(shown), file=sys.stderr)
