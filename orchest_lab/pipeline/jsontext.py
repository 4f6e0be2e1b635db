"""Reading JSON as the standard defines it. Python's reader also takes NaN and Infinity, and
turns numbers too large for a float (1e999) into infinity; written back (a run's record, the
pipeline its steps read) they become NaN and Infinity, which no browser or other JSON reader
accepts. So they are refused where JSON comes in."""

from __future__ import annotations

import json
import math
from typing import Any


def loads(text: str | bytes, **kwargs: Any) -> Any:
    """`json.loads`, raising ValueError for NaN, Infinity and numbers beyond a float's range."""
    return json.loads(text, parse_constant=_constant, parse_float=_finite, **kwargs)


def _constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def _finite(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"the number {text[:40]} is too large")
    return value
