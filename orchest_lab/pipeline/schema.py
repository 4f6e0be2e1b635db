"""The pipeline format as a JSON Schema, shipped in this package, and checks against it.

One compiled fastjsonschema validator answers "is it valid?" in a few milliseconds for large
pipelines. It stops at the first violation, so when it says no, the document is walked along the
schema's objects (the pipeline, its settings, each step) and each part checked on its own: every
part's first violation is reported, so a pipeline's issues name every step that breaks the schema.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from functools import cache
from importlib import resources
from typing import Any

import fastjsonschema

from .document import PipelineDocument
from .issues import Issue, json_pointer

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
def _schema_text() -> str:
    return resources.files(__package__).joinpath(SCHEMA_RESOURCE).read_text(encoding="utf-8")


def pipeline_schema() -> dict[str, Any]:
    """The schema, a fresh copy (fastjsonschema rewrites the schemas it compiles)."""
    schema: dict[str, Any] = json.loads(_schema_text())
    return schema


@cache
def _validator(part: str) -> Callable[[Any], Any]:
    """The compiled validator of a part of the schema (given as its JSON text), which may
    refer to the schema's definitions."""
    schema = {**json.loads(part), "definitions": pipeline_schema()["definitions"]}
    return fastjsonschema.compile(schema)


@cache
def _definitions() -> dict[str, Any]:
    definitions: dict[str, Any] = pipeline_schema()["definitions"]
    return definitions


@cache
def _root() -> dict[str, Any]:
    return pipeline_schema()


def _first_violation(schema: dict[str, Any], value: Any) -> Any:
    try:
        _validator(json.dumps(schema, sort_keys=True))(value)
    except fastjsonschema.JsonSchemaValueException as violation:
        return violation
    return None


def schema_issues(document: PipelineDocument) -> list[Issue]:
    if _first_violation(_root(), document.data) is None:
        return []
    return list(_walk(document, _root(), document.data, []))


def _resolve(schema: dict[str, Any]) -> dict[str, Any]:
    ref = schema.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/definitions/"):
        resolved: dict[str, Any] = _definitions()[ref.rsplit("/", 1)[1]]
        return resolved
    return schema


def _walk(
    document: PipelineDocument, schema: dict[str, Any], value: Any, path: list[str | int]
) -> Iterator[Issue]:
    """The violations of `value` at `path`: objects part by part, anything else as a whole."""
    schema = _resolve(schema)
    items = schema.get("items")
    if (
        schema.get("type") == "array"
        and isinstance(value, list)
        and isinstance(items, dict)
        and _resolve(items).get("type") == "object"
    ):
        # A list of objects (canvas notes): each one is told about on its own.
        whole = {key: rule for key, rule in schema.items() if key != "items"}
        violation = _first_violation(whole, value)
        if violation is not None:
            yield _issue(document, path, _describe(violation), bad_key=False)
            return
        for index, item in enumerate(value):
            yield from _walk(document, items, item, [*path, index])
        return
    if schema.get("type") != "object" or not isinstance(value, dict):
        violation = _first_violation(schema, value)
        if violation is not None:
            inner: list[str | int] = list(violation.path[1:])  # after "data", the part itself
            yield _issue(document, path + inner, _describe(violation), bad_key=False)
        return
    for name in schema.get("required", []):
        if name not in value:
            yield _issue(document, path, f"is missing the required field '{name}'", bad_key=False)
    known: dict[str, Any] = schema.get("properties", {})
    names = schema.get("propertyNames")
    others = schema.get("additionalProperties")
    for key, item in value.items():
        if isinstance(names, dict):
            violation = _first_violation(names, key)
            if violation is not None:
                yield _issue(document, [*path, key], _describe(violation), bad_key=True)
                continue
        if others is False and key not in known:  # a closed object: a typo, say
            hint = f" ({schema['x-message']})" if schema.get("x-message") else ""
            yield _issue(document, [*path, key], f"is not a known field{hint}", bad_key=False)
            continue
        sub = known.get(key, others if isinstance(others, dict) else None)
        if sub is not None:
            yield from _walk(document, sub, item, [*path, key])


def _issue(document: PipelineDocument, path: list[str | int], what: str, bad_key: bool) -> Issue:
    step_uuid = str(path[1]) if len(path) >= 2 and path[0] == "steps" else None
    location = f"step key '{path[-1]}'" if bad_key else _location(document, path)
    return Issue(
        "error",
        "schema",
        f"{location} {what}",
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


def _describe(violation: fastjsonschema.JsonSchemaValueException) -> str:
    definition = violation.definition if isinstance(violation.definition, dict) else {}
    custom = definition.get("x-message")
    kind, expected, instance = violation.rule, violation.rule_definition, violation.value
    if custom and kind in ("pattern", "minItems", "maxItems", "type"):
        return str(custom)
    if kind == "required":
        missing = [name for name in expected if name not in instance]
        return f"is missing the required field '{missing[0]}'" if missing else violation.message
    if kind == "type":
        wanted = _ARTICLES.get(str(expected), f"a {expected}")
        return f"must be {wanted}, not {_JSON_TYPES.get(type(instance), 'something else')}"
    if kind == "enum":
        choices = ", ".join(repr(c) for c in expected)
        return f"must be one of {choices} (got {str(instance)[:60]!r})"
    if kind == "minimum":
        return f"must be at least {expected} (got {instance!r})"
    if kind == "minLength" and expected == 1:
        return "must not be empty"
    if kind == "maxLength":
        return f"must be at most {expected} characters long"
    return str(violation.message).removeprefix("data").lstrip(". ")
