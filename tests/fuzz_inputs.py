"""Hostile inputs for the fuzz tests: JSON values and the text of request bodies, strings,
paths and query values. Everything comes from a seeded `random.Random`, so a failure found
once is found again."""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Raw:
    """JSON text sent as it is: what Python will not write (a 5,000-digit number, NaN) or
    cannot build (100,000 levels of nesting)."""

    text: str


def nested(depth: int, leaf: Any = 0, kind: str = "object") -> Any:
    """`depth` objects (or arrays) within each other, built without recursion."""
    value = leaf
    for _ in range(depth):
        value = {"a": value} if kind == "object" else [value]
    return value


def nested_text(depth: int, kind: str = "array") -> Raw:
    if kind == "array":
        return Raw("[" * depth + "]" * depth)
    return Raw('{"a":' * depth + "0" + "}" * depth)


def to_text(value: Any) -> str:
    """The JSON text of `value`, Raw parts written as they are."""
    if isinstance(value, Raw):
        return value.text
    raws: list[Raw] = []

    def placeholder(item: Any) -> str:
        if not isinstance(item, Raw):
            raise TypeError(f"not JSON: {item!r}")
        raws.append(item)
        return f"@@raw{len(raws) - 1}@@"

    text = json.dumps(value, default=placeholder)
    for index, raw in enumerate(raws):
        text = text.replace(f'"@@raw{index}@@"', raw.text, 1)
    return text


# Strings that break naive code: empty, NUL, lone surrogates, too long for a file name or a
# path, paths that climb out or are absolute, names only Windows or URLs give a meaning.
STRINGS: list[str] = [
    "",
    " ",
    "\x00",
    "a\x00b.orchest",
    "\ud800",
    "x\udfff.orchest",
    "a" * 300,
    "é" * 200,
    "a" * 5000,
    "../",
    "../../etc/passwd",
    "/etc/passwd",
    "/",
    "\\\\server\\share\\x.orchest",
    "C:\\x.orchest",
    ".",
    "..",
    "~",
    "\n",
    "%00",
    "%2e%2e/x.orchest",
    "🙂.orchest",
    "null",
    "{}",
    "a/" * 300 + "x.orchest",
    ("b" * 250 + "/") * 20 + "x.orchest",
]

NUMBERS: list[Any] = [
    0,
    -1,
    1.5,
    2**63,
    -(2**63),
    1e308,
    Raw("1e999"),
    Raw("-1e999"),
    Raw("9" * 5000),
    Raw("-" + "9" * 4300),
    Raw("0." + "1" * 5000),
    Raw("NaN"),
    Raw("Infinity"),
]

DEPTHS = [2, 99, 100, 101, 150, 600, 900]


def hostile_value(rng: random.Random, strings: list[str]) -> Any:
    """Any JSON value at all, most of them unwelcome anywhere."""
    kind = rng.randrange(10)
    if kind == 0:
        return rng.choice([None, True, False, [], {}, [None], {"": None}])
    if kind == 1:
        return rng.choice(NUMBERS)
    if kind in (2, 3, 4):
        return rng.choice(strings)
    if kind == 5:
        return nested(rng.choice(DEPTHS), rng.choice(strings), rng.choice(["object", "array"]))
    if kind == 6:
        return nested_text(rng.choice([1000, 5000, 100_000]), rng.choice(["array", "object"]))
    if kind == 7:
        return {rng.choice(strings): hostile_value(rng, strings) for _ in range(rng.randrange(4))}
    if kind == 8:
        return [rng.choice(strings) for _ in range(rng.choice([1, 3, 2000]))]
    return {f"k{i}": i for i in range(rng.choice([1, 3000]))}


def hostile_body(rng: random.Random, strings: list[str]) -> Any:
    """A request body that is not an object, or not JSON at all."""
    return rng.choice(
        [
            Raw(""),
            Raw("nul"),
            Raw("{"),
            Raw('{"a": 1, "a": 2}'),
            Raw("\ufeff{}"),
            nested_text(100_000),
            nested_text(100_000, "object"),
            hostile_value(rng, strings),
            b"\xff\xfe\x00",
            b'{"path": "\xed\xa0\x80.orchest"}',  # a surrogate as (invalid) UTF-8 bytes
        ]
    )


def body_bytes(body: Any) -> bytes:
    if isinstance(body, bytes):
        return body
    # A lone surrogate in JSON text is the escape \ud800: the text itself stays ASCII.
    return to_text(body).encode("utf-8")
