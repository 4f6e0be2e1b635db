"""Checking the shape of request bodies, with messages that name the field."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .errors import RequestError

_KINDS: dict[type, str] = {str: "a string", dict: "an object", list: "an array", bool: "a boolean"}


def check_body(body: Any, fields: Mapping[str, type]) -> dict[str, Any]:
    """`body` as a dict whose known fields have the given types; unknown fields are refused."""
    if not isinstance(body, dict):
        raise RequestError("the request body must be a JSON object")
    unknown = sorted(set(body) - set(fields))
    if unknown:
        allowed = ", ".join(sorted(fields))
        raise RequestError(f"unknown field '{unknown[0]}' in the request (allowed: {allowed})")
    for name, kind in fields.items():
        if name in body and body[name] is not None and not isinstance(body[name], kind):
            raise RequestError(f"field '{name}' must be {_KINDS.get(kind, kind.__name__)}")
    return body


def check_string_list(body: Mapping[str, Any], name: str) -> list[str]:
    values = body.get(name) or []
    if not all(isinstance(v, str) for v in values):
        raise RequestError(f"field '{name}' must be an array of strings")
    return list(values)
