"""Execution plans: which steps a run of a given mode executes, in what order, and why.

Given what is known of the steps' outputs (`StepData`, computed elsewhere: this stays pure), a
plan also tells for every step whether its outputs are available and up to date, and the mode
`outdated` runs only the steps that are not.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, cast

from .dag import RUN_MODES, Dag, RunMode
from .document import PipelineDocument
from .issues import IssueError

_MAX_NAMED = 3  # how many steps a reason names before it says "and N more"


class PlanError(IssueError):
    """A plan request that cannot be satisfied: bad mode, unknown or ambiguous steps."""

    code = "invalid-plan"


@dataclass(frozen=True)
class StepData:
    """What is known of a step's outputs: its current fingerprint, whether an output of it is
    stored, and whether it is up to date (and if not, why)."""

    fingerprint: str
    available: bool
    up_to_date: bool
    why: str = ""  # why it is out of date

    def to_json(self) -> dict[str, Any]:
        return {
            "fingerprint": self.fingerprint,
            "outputs": "available" if self.available else "none",
            "up_to_date": self.up_to_date,
            "why": self.why or None,
        }


@dataclass(frozen=True)
class PlannedStep:
    uuid: str
    title: str
    file_path: str
    reason: str
    waits_for: tuple[str, ...]  # parents that are part of this plan
    level: int  # length of the longest chain of planned parents: steps of a level can run together

    def to_json(self) -> dict[str, Any]:
        return {
            "uuid": self.uuid,
            "title": self.title,
            "file_path": self.file_path,
            "reason": self.reason,
            "waits_for": list(self.waits_for),
            "level": self.level,
        }


@dataclass(frozen=True)
class StepState:
    """A step of the pipeline, planned or not, with what is known of its outputs."""

    uuid: str
    title: str
    planned: bool
    data: StepData

    def to_json(self) -> dict[str, Any]:
        return {"uuid": self.uuid, "title": self.title, "runs": self.planned, **self.data.to_json()}


@dataclass(frozen=True)
class ExecutionPlan:
    mode: RunMode
    selected: tuple[str, ...]
    steps: tuple[PlannedStep, ...]
    # Every step of the pipeline in order, when the state of the outputs was given.
    state: tuple[StepState, ...] | None = None

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "mode": self.mode,
            "selected": list(self.selected),
            "steps": [s.to_json() for s in self.steps],
        }
        if self.state is not None:
            data["data"] = [s.to_json() for s in self.state]
        return data


def parse_mode(mode: Any) -> RunMode:
    if mode not in RUN_MODES:
        raise PlanError(
            f"mode must be one of {', '.join(RUN_MODES)} (got {str(mode)[:40]!r})",
            "/mode",
            code="invalid-mode",
        )
    return cast(RunMode, mode)


def resolve_step_refs(
    document: PipelineDocument, refs: Iterable[Any], where: str = "/steps"
) -> list[str]:
    """Step uuids for references that are uuids or (unique) titles, in the order given. Errors
    point at `where`/<index> of the request."""
    steps = document.steps
    by_title: dict[str, list[str]] = {}
    for uuid, step in steps.items():
        title = step.get("title")
        if isinstance(title, str):
            by_title.setdefault(title, []).append(uuid)
    resolved: list[str] = []
    for index, ref in enumerate(refs):
        at = f"{where}/{index}"
        if not isinstance(ref, str):
            raise PlanError(
                f"steps must be given as uuids or titles (strings), got {str(ref)[:40]!r}",
                at,
                code="invalid-step-ref",
            )
        if ref in steps:
            uuid = ref
        elif len(by_title.get(ref, [])) == 1:
            uuid = by_title[ref][0]
        elif ref in by_title:
            raise PlanError(
                f"several steps are titled '{ref}' ({', '.join(by_title[ref])}); name one by uuid",
                at,
                code="ambiguous-step",
            )
        else:
            raise PlanError(f"no step has the uuid or title '{ref}'", at, code="unknown-step")
        if uuid not in resolved:
            resolved.append(uuid)
    return resolved


def make_plan(
    document: PipelineDocument,
    mode: Any,
    step_refs: Sequence[Any] = (),
    dag: Dag | None = None,
    state: Mapping[str, StepData] | None = None,
) -> ExecutionPlan:
    """The plan of a run. The document should be valid (a cycle raises CycleError). `state`:
    what is known of each step's outputs (needed by the mode `outdated`)."""
    run_mode = parse_mode(mode)
    dag = dag or Dag.from_steps(document.steps)
    selected = resolve_step_refs(document, step_refs) if run_mode != "full" else []
    if run_mode not in ("full", "outdated") and not selected:
        raise PlanError(
            f"mode '{run_mode}' needs at least one selected step", "/steps", code="no-selection"
        )
    members = dag.steps_for_mode(run_mode, selected)
    if run_mode == "outdated":
        if state is None:
            raise PlanError(
                "mode 'outdated' needs to know which outputs are up to date: plan a pipeline "
                "file of a project, not unsaved content",
                "/mode",
                code="outdated-needs-file",
            )
        members = {u for u in members if u not in state or not state[u].up_to_date}
    order = dag.topological_order(members)
    if run_mode == "outdated":
        assert state is not None
        reasons = {u: _why_outdated(state.get(u)) for u in order}
    else:
        reasons = _reasons(document, dag, run_mode, set(selected), order)
    levels: dict[str, int] = {}
    planned = []
    for uuid in order:
        waits_for = tuple(p for p in dag.parents[uuid] if p in members)
        levels[uuid] = 1 + max((levels[p] for p in waits_for), default=-1)
        file_path = document.step(uuid).get("file_path")
        planned.append(
            PlannedStep(
                uuid,
                document.step_title(uuid),
                file_path if isinstance(file_path, str) else "",
                reasons[uuid],
                waits_for,
                levels[uuid],
            )
        )
    states = None
    if state is not None:
        unknown = StepData("", available=False, up_to_date=False, why="unknown")
        states = tuple(
            StepState(u, document.step_title(u), u in members, state.get(u, unknown))
            for u in dag.topological_order()
        )
    return ExecutionPlan(run_mode, tuple(selected), tuple(planned), states)


def _why_outdated(data: StepData | None) -> str:
    return f"out of date: {data.why}" if data is not None and data.why else "out of date"


def _reasons(
    document: PipelineDocument, dag: Dag, mode: RunMode, selected: set[str], order: list[str]
) -> dict[str, str]:
    if mode == "full":
        return dict.fromkeys(order, "part of the pipeline")
    if mode == "selection":
        return dict.fromkeys(order, "selected")
    # For each step, a few of the selected steps it leads to (incoming) or comes from
    # (downstream), propagated along the order so the whole pass stays linear.
    walk = reversed(order) if mode == "incoming" else iter(order)
    neighbours = dag.children if mode == "incoming" else dag.parents
    members = set(order)
    via: dict[str, list[str]] = {}
    for uuid in walk:
        found: list[str] = []
        for n in neighbours[uuid]:
            if n not in members:
                continue
            for s in ([n] if n in selected else []) + via.get(n, []):
                if s not in found and len(found) <= _MAX_NAMED:
                    found.append(s)
        via[uuid] = found
    relation = "ancestor of" if mode == "incoming" else "descendant of"
    reasons = {}
    for uuid in order:
        if uuid in selected:
            reasons[uuid] = "selected"
            continue
        names = [f"'{document.step_title(s)}'" for s in via[uuid][:_MAX_NAMED]]
        more = " and more" if len(via[uuid]) > _MAX_NAMED else ""
        reasons[uuid] = f"{relation} {', '.join(names)}{more}"
    return reasons
