"""Checking the shape of request bodies, with messages that name the field."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..pipeline import json_pointer
from .errors import RequestError

_KINDS: dict[type, str] = {str: "a string", dict: "an object", list: "an array", bool: "a boolean"}


def check_body(body: Any, fields: Mapping[str, type]) -> dict[str, Any]:
    """`body` as a dict whose known fields have the given types; unknown fields are refused."""
    if not isinstance(body, dict):
        raise RequestError.field("", "the request body must be a JSON object")
    unknown = sorted(set(body) - set(fields))
    if unknown:
        allowed = ", ".join(sorted(fields))
        raise RequestError.field(
            json_pointer(unknown[0]),
            f"unknown field '{unknown[0][:60]}' in the request (allowed: {allowed})",
            code="unknown-field",
        )
    for name, kind in fields.items():
        value = body.get(name)
        # bool is an int in Python: a boolean is not accepted where a number is asked.
        if value is not None and (
            not isinstance(value, kind) or isinstance(value, bool) != (kind is bool)
        ):
            raise RequestError.field(
                json_pointer(name), f"field '{name}' must be {_KINDS.get(kind, kind.__name__)}"
            )
    return body


def check_string_list(body: Mapping[str, Any], name: str) -> list[str]:
    values = body.get(name) or []
    for index, value in enumerate(values):
        if not isinstance(value, str):
            raise RequestError.field(
                json_pointer(name, index), f"field '{name}' must be an array of strings"
            )
    return list(values)
