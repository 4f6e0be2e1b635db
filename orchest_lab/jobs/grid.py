"""The runs of a job: for each parameter the user lists values, and the job runs every
combination of them (the Cartesian product), or the combinations the user kept of it."""

from __future__ import annotations

import itertools
import json
from typing import Any

from ..pipeline import IssueError, PipelineDocument, PlanError, json_pointer, resolve_step_refs

Combination = dict[str, Any]  # {"pipeline": {name: value}, "steps": {uuid: {name: value}}}


class GridError(IssueError):
    code = "invalid-parameters"


def parse_grid(document: PipelineDocument, raw: Any) -> dict[str, Any]:
    """`{"pipeline": {name: [values]}, "steps": {uuid-or-title: {name: [values]}}}` with steps
    as uuids. Every name must be a parameter the pipeline (or the step) has; every list of
    values must have at least one value."""
    where = "/parameters"
    if raw is None:
        return {"pipeline": {}, "steps": {}}
    if not isinstance(raw, dict) or set(raw) - {"pipeline", "steps"}:
        raise GridError("parameters must be an object with 'pipeline' and/or 'steps'", where)
    declared = document.data.get("parameters")
    pipeline = _values_of(raw.get("pipeline") or {}, declared, "the pipeline", f"{where}/pipeline")
    steps: dict[str, dict[str, list[Any]]] = {}
    steps_raw = raw.get("steps") or {}
    if not isinstance(steps_raw, dict):
        raise GridError("parameters.steps must be an object of step: {name: [values]}", where)
    for ref, values in steps_raw.items():
        at = json_pointer("parameters", "steps", ref)
        try:
            (uuid,) = resolve_step_refs(document, [ref])
        except PlanError as err:
            raise GridError(f"parameters.steps: {err}", at, code=err.issue.code) from err
        label = document.step_label(uuid)
        steps[uuid] = _values_of(values, document.step(uuid).get("parameters"), label, at)
    return {"pipeline": pipeline, "steps": steps}


def _values_of(raw: Any, declared: Any, owner: str, where: str) -> dict[str, list[Any]]:
    if not isinstance(raw, dict):
        raise GridError(
            f"the values of {owner}'s parameters must be an object of name: [values]", where
        )
    known = declared if isinstance(declared, dict) else {}
    values: dict[str, list[Any]] = {}
    for name, listed in raw.items():
        at = f"{where}/{json_pointer(name)[1:]}"
        if name not in known:
            have = ", ".join(f"'{k}'" for k in sorted(known)) or "none"
            raise GridError(
                f"{owner} has no parameter '{str(name)[:60]}' (it has: {have})",
                at,
                code="unknown-parameter",
            )
        if not isinstance(listed, list) or not listed:
            raise GridError(
                f"give '{name}' of {owner} a list of at least one value", at, code="empty-values"
            )
        values[name] = list(listed)
    return values


def expand(grid: dict[str, Any]) -> list[Combination]:
    """Every combination of the listed values, in a stable order (pipeline parameters first)."""
    axes: list[tuple[str | None, str, list[Any]]] = [
        (None, name, values) for name, values in grid["pipeline"].items()
    ]
    for uuid, params in grid["steps"].items():
        axes += [(uuid, name, values) for name, values in params.items()]
    combinations = []
    for chosen in itertools.product(*(values for _, _, values in axes)):
        combination: Combination = {"pipeline": {}, "steps": {}}
        for (uuid, name, _), value in zip(axes, chosen, strict=True):
            target = combination["steps"].setdefault(uuid, {}) if uuid else combination["pipeline"]
            target[name] = value
        combinations.append(combination)
    return combinations


def count(grid: dict[str, Any]) -> int:
    total = 1
    for values in grid["pipeline"].values():
        total *= len(values)
    for params in grid["steps"].values():
        for values in params.values():
            total *= len(values)
    return total


def parse_combinations(grid: dict[str, Any], raw: Any, limit: int) -> list[Combination]:
    """The runs of an occurrence: `raw` (the combinations kept, each one of the grid's), or the
    whole grid. Refused when empty or over `limit` runs."""
    if raw is None:
        total = count(grid)
        if total > limit:
            raise GridError(
                f"the values given make {total} runs, more than the {limit} a job may have "
                "(c.OrchestLab.max_job_runs); list fewer values",
                "/parameters",
                code="too-many-runs",
            )
        return expand(grid)
    if not isinstance(raw, list) or not raw:
        raise GridError("combinations must be a list of at least one combination", "/combinations")
    if len(raw) > limit:
        raise GridError(
            f"{len(raw)} combinations are more than the {limit} runs a job may have",
            "/combinations",
            code="too-many-runs",
        )
    seen = set()
    for index, combination in enumerate(raw):
        key = _key(combination) if isinstance(combination, dict) else None
        if key is None or not _in_grid(grid, combination):
            raise GridError(
                "each combination must be one of the grid's: {pipeline: {...}, steps: {...}} "
                "with one listed value for every parameter given values",
                f"/combinations/{index}",
                code="invalid-combination",
            )
        if key in seen:
            raise GridError("this combination is listed twice", f"/combinations/{index}")
        seen.add(key)
    return [
        {"pipeline": dict(c.get("pipeline") or {}), "steps": dict(c.get("steps") or {})}
        for c in raw
    ]


def _in_grid(grid: dict[str, Any], combination: dict[str, Any]) -> bool:
    """One listed value for every parameter of the grid, and nothing else."""
    pipeline, steps = combination.get("pipeline") or {}, combination.get("steps") or {}
    if not isinstance(pipeline, dict) or not isinstance(steps, dict):
        return False
    pairs = [(pipeline, grid["pipeline"])]
    if set(steps) != set(grid["steps"]):
        return False
    pairs += [(steps[uuid], grid["steps"][uuid]) for uuid in grid["steps"]]
    return all(
        isinstance(chosen, dict)
        and set(chosen) == set(listed)
        and all(chosen[name] in listed[name] for name in listed)
        for chosen, listed in pairs
    )


def _key(combination: dict[str, Any]) -> str | None:
    if set(combination) - {"pipeline", "steps"}:
        return None
    try:
        return json.dumps(
            {
                "pipeline": combination.get("pipeline") or {},
                "steps": combination.get("steps") or {},
            },
            sort_keys=True,
        )
    except (TypeError, ValueError):
        return None
