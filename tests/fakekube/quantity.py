"""Kubernetes quantities ("500m", "2", "1.5Gi", "128M") as numbers."""

from __future__ import annotations

import re

_SUFFIXES = {
    "": 1.0,
    "m": 1e-3,
    "k": 1e3,
    "M": 1e6,
    "G": 1e9,
    "T": 1e12,
    "P": 1e15,
    "E": 1e18,
    "Ki": 2.0**10,
    "Mi": 2.0**20,
    "Gi": 2.0**30,
    "Ti": 2.0**40,
    "Pi": 2.0**50,
    "Ei": 2.0**60,
}
_QUANTITY = re.compile(r"^([0-9.]+)([eE][-+]?[0-9]+)?([a-zA-Z]*)$")


def parse_quantity(value: str | int | float) -> float:
    match = _QUANTITY.match(str(value))
    if match is None or match.group(3) not in _SUFFIXES:
        raise ValueError(f"not a quantity: {value!r}")
    number = float(match.group(1) + (match.group(2) or ""))
    return number * _SUFFIXES[match.group(3)]
