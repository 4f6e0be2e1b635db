"""The pipeline format as a JSON Schema, shipped in this package, and checks against it.

A compiled fastjsonschema validator answers "is it valid?" in a few milliseconds for large
pipelines; only when it says no does jsonschema walk the document to list every violation.
jsonschema is imported then, not before: importing it costs over a second on some machines.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING, Any

import fastjsonschema

from .document import PipelineDocument
from .issues import Issue, json_pointer

if TYPE_CHECKING:
    import jsonschema

SCHEMA_RESOURCE = "schemas/pipeline-1.0.0.schema.json"

_JSON_TYPES = {
    dict: "an object",
    list: "an array",
    str: "a string",
    bool: "a boolean",
    int: "an integer",
    float: "a number",
    type(None): "null",
}
_ARTICLES = {"object": "an object", "array": "an array", "integer": "an integer"}


@cache
def pipeline_schema() -> dict[str, Any]:
    text = resources.files(__package__).joinpath(SCHEMA_RESOURCE).read_text(encoding="utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema


@cache
def _fast_validator() -> Callable[[Any], Any]:
    return fastjsonschema.compile(pipeline_schema())


@cache
def _full_validator() -> jsonschema.Draft7Validator:
    import jsonschema

    return jsonschema.Draft7Validator(pipeline_schema())


def schema_issues(document: PipelineDocument) -> list[Issue]:
    try:
        _fast_validator()(document.data)
        return []
    except fastjsonschema.JsonSchemaException:
        pass
    errors = sorted(_full_validator().iter_errors(document.data), key=lambda e: list(e.path))
    return [_issue_from_error(document, error) for error in errors]


def _issue_from_error(document: PipelineDocument, error: jsonschema.ValidationError) -> Issue:
    path: list[str | int] = list(error.absolute_path)
    bad_key = "propertyNames" in error.absolute_schema_path
    if bad_key:  # the error is about a key of the object at `path`, not a value
        path.append(str(error.instance))
    step_uuid = str(path[1]) if len(path) >= 2 and path[0] == "steps" else None
    location = f"step key '{path[-1]}'" if bad_key else _location(document, path)
    return Issue(
        "error",
        "schema",
        f"{location} {_describe(error)}",
        pointer=json_pointer(*path),
        step_uuid=step_uuid,
    )


def _location(document: PipelineDocument, path: list[str | int]) -> str:
    if len(path) >= 2 and path[0] == "steps":
        step = document.step_label(str(path[1]))
        rest = path[2:]
        return f"{step}, field '{_dotted(rest)}'" if rest else step
    return f"field '{_dotted(path)}'" if path else "the pipeline"


def _dotted(path: list[str | int]) -> str:
    return "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in path).lstrip(".")


def _describe(error: jsonschema.ValidationError) -> str:
    custom = error.schema.get("x-message") if isinstance(error.schema, dict) else None
    kind, expected, instance = error.validator, error.validator_value, error.instance
    if custom and kind in ("pattern", "minItems", "maxItems", "type"):
        return str(custom)
    if kind == "required":
        missing = [name for name in expected if name not in instance]
        return f"is missing the required field '{missing[0]}'" if missing else error.message
    if kind == "type":
        wanted = _ARTICLES.get(str(expected), f"a {expected}")
        return f"must be {wanted}, not {_JSON_TYPES.get(type(instance), 'something else')}"
    if kind == "enum":
        choices = ", ".join(repr(c) for c in expected)
        return f"must be one of {choices} (got {instance!r})"
    if kind == "minimum":
        return f"must be at least {expected} (got {instance!r})"
    if kind == "minLength" and expected == 1:
        return "must not be empty"
    if kind == "maxLength":
        return f"must be at most {expected} characters long"
    return str(error.message)
