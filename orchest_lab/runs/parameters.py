"""Run parameters: overrides of the pipeline's and the steps' parameters for one run."""

from __future__ import annotations

import copy
from typing import Any

from ..pipeline import (
    IssueError,
    PipelineDocument,
    PlanError,
    json_pointer,
    jsontext,
    resolve_step_refs,
    structure_issues,
)

# Where a run's parameters land in the pipeline its steps read (`effective_pipeline`): the
# pipeline's parameters object is at level 2 of the document, a step's at level 4.
_PIPELINE_LEVEL, _STEP_LEVEL = 2, 4
_RULE = "with the run's parameters applied, a pipeline"


class ParameterError(IssueError):
    code = "invalid-parameters"


def parse_parameters(document: PipelineDocument, raw: Any) -> dict[str, Any]:
    """`{"pipeline": {name: value}, "steps": {uuid-or-title: {name: value}}}`, both optional;
    step references become uuids. Raises ParameterError saying what is wrong and where."""
    if raw is None:
        return {"pipeline": {}, "steps": {}}
    if not isinstance(raw, dict):
        raise ParameterError(
            "parameters must be an object with 'pipeline' and/or 'steps'", "/parameters"
        )
    unknown = sorted(set(raw) - {"pipeline", "steps"})
    if unknown:
        raise ParameterError(
            f"parameters has an unknown key '{unknown[0][:60]}'; use 'pipeline' and 'steps'",
            json_pointer("parameters", unknown[0]),
        )
    pipeline = raw.get("pipeline") or {}
    if not isinstance(pipeline, dict):
        raise ParameterError(
            "parameters.pipeline must be an object of name: value", "/parameters/pipeline"
        )
    steps_raw = raw.get("steps") or {}
    if not isinstance(steps_raw, dict):
        raise ParameterError(
            "parameters.steps must be an object of step: {name: value}", "/parameters/steps"
        )
    _check_values(pipeline, ("parameters", "pipeline"), _PIPELINE_LEVEL)
    steps: dict[str, dict[str, Any]] = {}
    for ref, values in steps_raw.items():
        at = json_pointer("parameters", "steps", ref)
        try:
            (uuid,) = resolve_step_refs(document, [ref])
        except PlanError as err:
            raise ParameterError(f"parameters.steps: {err}", at, code=err.issue.code) from err
        if not isinstance(values, dict):
            raise ParameterError(
                f"parameters.steps['{ref[:60]}'] must be an object of name: value", at
            )
        _check_values(values, ("parameters", "steps", ref), _STEP_LEVEL)
        steps.setdefault(uuid, {}).update(values)
    return {"pipeline": dict(pipeline), "steps": steps}


def _check_values(values: dict[str, Any], at: tuple[str, ...], level: int) -> None:
    """Run parameters obey the limits of the pipeline they become part of: validating a pipeline
    and running it with parameters agree."""
    issues = structure_issues(values, at, level, _RULE)
    if issues:
        first = issues[0]
        raise ParameterError(first.message, first.pointer, code=first.code)


def parse_assignment(document: PipelineDocument, text: str) -> tuple[str | None, str, str]:
    """A command line `KEY=VALUE` or `STEP.KEY=VALUE` as (step uuid or None, key, value)."""
    if "=" not in text:
        raise ParameterError(f"'{text}' is not KEY=VALUE or STEP.KEY=VALUE", "/parameters")
    target, value = text.split("=", 1)
    # The step part may itself contain dots (a title): try the longest one that names a step.
    parts = target.split(".")
    for cut in range(len(parts) - 1, 0, -1):
        step_ref, key = ".".join(parts[:cut]), ".".join(parts[cut:])
        try:
            (uuid,) = resolve_step_refs(document, [step_ref])
        except PlanError:
            continue
        return uuid, key, value
    if not target:
        raise ParameterError(f"'{text}' has no parameter name before '='", "/parameters")
    return None, target, value


def assignments_to_parameters(document: PipelineDocument, texts: list[str]) -> dict[str, Any]:
    """Command line assignments as parameters; VALUE is read as JSON when it is JSON."""
    parameters: dict[str, Any] = {"pipeline": {}, "steps": {}}
    for text in texts:
        step, key, raw = parse_assignment(document, text)
        try:
            value = jsontext.loads(raw)
        except RecursionError as err:
            raise ParameterError(f"'{key}' is nested too deeply to be read", "/parameters") from err
        except ValueError:
            value = raw
        target = parameters["steps"].setdefault(step, {}) if step else parameters["pipeline"]
        target[key] = value
    _check_values(parameters["pipeline"], ("parameters", "pipeline"), _PIPELINE_LEVEL)
    for uuid, values in parameters["steps"].items():
        _check_values(values, ("parameters", "steps", uuid), _STEP_LEVEL)
    return parameters


def effective_pipeline(document: PipelineDocument, parameters: dict[str, Any]) -> dict[str, Any]:
    """The pipeline definition with the run's parameters applied, as its steps will read it."""
    data = copy.deepcopy(document.data)
    if parameters["pipeline"]:
        data.setdefault("parameters", {}).update(parameters["pipeline"])
    for uuid, values in parameters["steps"].items():
        data["steps"][uuid].setdefault("parameters", {}).update(values)
    return data
