"""Random mutations of a pipeline document: fields deleted, replaced or retyped at random JSON
pointers, deep nesting, lone surrogates and NUL in values and keys, huge numbers, cycles and
self-references, hostile step files, environment variables and settings."""

from __future__ import annotations

import copy
import random
from collections.abc import Callable
from typing import Any

from fuzz_inputs import NUMBERS, STRINGS, Raw, hostile_value, nested

Path = tuple[Any, ...]  # keys and indexes from the document down

FILE_PATHS = [
    "clean.py",
    "load.ipynb",
    "../clean.py",
    "/etc/passwd.py",
    "loopdir/x.py",
    "a" * 300 + ".py",
    ("b" * 250 + "/") * 20 + "x.py",
    "x\x00.py",
    "x\ud800.py",
    "",
    ".orchest",
    "load.ipynb/..",
    "missing.ipynb",
    "clean.PY",
]
ENV_NAMES = ["GOOD", "", "A=B", "A\x00B", "A\ud800", "PATH", "ORCHEST_RUN_UUID", "a" * 300]
ENV_VALUES: list[Any] = ["x", "", "a\x00b", "\ud800", "a" * 5000, 5, None, ["x"], {"a": "b"}]


def paths(document: Any) -> list[Path]:
    """Every place in the document (its root excluded), found without recursion."""
    found: list[Path] = []
    stack: list[tuple[Any, Path]] = [(document, ())]
    while stack:
        value, at = stack.pop()
        if at:
            found.append(at)
        if isinstance(value, dict):
            stack.extend((item, (*at, key)) for key, item in value.items())
        elif isinstance(value, list):
            stack.extend((item, (*at, index)) for index, item in enumerate(value))
    return sorted(found, key=repr)


def _parent(document: Any, at: Path) -> Any:
    for part in at[:-1]:
        document = document[part]
    return document


def _retype(value: Any, rng: random.Random) -> Any:
    if isinstance(value, dict):
        return list(value.values())
    if isinstance(value, list):
        return {str(i): item for i, item in enumerate(value)}
    if isinstance(value, str):
        return rng.choice([[value], len(value), None])
    return str(value)


def _taint(text: str, rng: random.Random) -> str:
    bad = rng.choice(["\ud800", "\x00", "\udfff\ud800"])
    cut = rng.randrange(len(text) + 1)
    return text[:cut] + bad + text[cut:]


def _at_random_place(document: dict[str, Any], rng: random.Random) -> None:
    at = rng.choice([at for at in paths(document) if len(at) < 8])
    parent, key = _parent(document, at), at[-1]
    value = parent[key]
    action = rng.randrange(6)
    if action == 0:
        del parent[key]
    elif action == 1:
        parent[key] = hostile_value(rng, STRINGS)
    elif action == 2:
        parent[key] = _retype(value, rng)
    elif action == 3:
        parent[key] = nested(_depth(document, rng), value)
    elif action == 4 and isinstance(key, str):
        parent[_taint(key, rng)] = parent.pop(key)
    elif action == 4 or (action == 5 and isinstance(value, str)):
        parent[key] = _taint(value, rng) if isinstance(value, str) else _taint(str(value), rng)
    else:
        parent[key] = rng.choice(NUMBERS)


def _depth(document: dict[str, Any], rng: random.Random) -> int:
    """How deep to nest: 600 levels at most once (600 on 600 is more than the test itself
    can write as JSON), often around the limit of 100."""
    deep = max(map(len, paths(document))) > 200
    return rng.choice([1, 90, 96, 97, 98, 99, 100, 101] + ([] if deep else [600]))


def _steps(document: dict[str, Any]) -> list[dict[str, Any]]:
    steps = document.get("steps")
    if not isinstance(steps, dict):
        return []
    return [step for _, step in sorted(steps.items()) if isinstance(step, dict)]


def _connections(step: dict[str, Any]) -> list[Any]:
    connections = step.get("incoming_connections")
    if not isinstance(connections, list):
        connections = step["incoming_connections"] = []
    return connections


def _cycle(document: dict[str, Any], rng: random.Random) -> None:
    steps = _steps(document)
    if len(steps) < 2:
        return
    first, second = rng.sample(steps, 2)
    _connections(first).append(second.get("uuid"))
    _connections(second).append(first.get("uuid"))


def _self_reference(document: dict[str, Any], rng: random.Random) -> None:
    steps = _steps(document)
    if steps:
        step = rng.choice(steps)
        _connections(step).append(step.get("uuid"))


def _duplicate_step(document: dict[str, Any], rng: random.Random) -> None:
    steps = _steps(document)
    if steps and isinstance(document.get("steps"), dict):
        document["steps"][rng.choice(["copy", "x" * 65, "a/b", "\ud800"])] = copy.deepcopy(
            rng.choice(steps)
        )


def _file_path(document: dict[str, Any], rng: random.Random) -> None:
    steps = _steps(document)
    if steps:
        rng.choice(steps)["file_path"] = rng.choice(FILE_PATHS)


def _env_variables(document: dict[str, Any], rng: random.Random) -> None:
    variables = {rng.choice(ENV_NAMES): rng.choice(ENV_VALUES) for _ in range(rng.randrange(1, 3))}
    document["env_variables"] = rng.choice([variables, variables, "A=B", ["A"]])


def _parameters(document: dict[str, Any], rng: random.Random) -> None:
    steps = _steps(document)
    target = rng.choice(steps) if steps and rng.random() < 0.5 else document
    target["parameters"] = {rng.choice(["x", "\ud800", ""]): nested(_depth(document, rng), 1)}


def _settings(document: dict[str, Any], rng: random.Random) -> None:
    settings = document.setdefault("settings", {})
    if isinstance(settings, dict):
        name = rng.choice(["max_steps_parallelism", "data_passing_memory_size", "auto_eviction"])
        settings[name] = rng.choice(
            [*NUMBERS, "1e400GB", "9" * 400 + "GB", "0KB", "-1MB", "1 GB", True, None]
        )


def _huge_number(document: dict[str, Any], rng: random.Random) -> None:
    steps = _steps(document)
    if steps:
        step = rng.choice(steps)
        if not isinstance(step.get("meta_data"), dict):
            step["meta_data"] = {}
        step["meta_data"]["position"] = [Raw("9" * 5000), Raw("1e999")]


def _drop_optional(document: dict[str, Any], rng: random.Random) -> None:
    steps = _steps(document)
    if steps and rng.random() < 0.7:
        step = rng.choice(steps)
        step.pop(rng.choice(["environment", "kernel", "meta_data", "parameters"]), None)
    else:
        document.pop(rng.choice(["parameters", "services"]), None)


def _unknown_field(document: dict[str, Any], rng: random.Random) -> None:
    steps = _steps(document)
    target = rng.choice(steps) if steps and rng.random() < 0.5 else document
    target[rng.choice(["custom", "x-note", "é"])] = rng.choice([{"kept": [1, 2]}, "text", None])


def _fine_env_variables(document: dict[str, Any], rng: random.Random) -> None:
    document["env_variables"] = {"GREETING": rng.choice(["hello", "", "é 🙂", "a=b"])}


# Mutations a valid pipeline may survive: runs get started, and validate and runs are seen
# agreeing on valid pipelines too.
BENIGN: list[Callable[[dict[str, Any], random.Random], None]] = [
    _drop_optional,
    _unknown_field,
    _fine_env_variables,
    _parameters,
]

MUTATIONS: list[Callable[[dict[str, Any], random.Random], None]] = [
    _at_random_place,
    _at_random_place,
    _at_random_place,
    _cycle,
    _self_reference,
    _duplicate_step,
    _file_path,
    _file_path,
    _env_variables,
    _env_variables,
    _parameters,
    _parameters,
    _settings,
    _huge_number,
]


def mutated(document: dict[str, Any], rng: random.Random) -> dict[str, Any]:
    """A copy of `document` with one to three random mutations (a third of the time only
    mutations a pipeline may survive)."""
    result = copy.deepcopy(document)
    kinds = BENIGN if rng.random() < 0.35 else MUTATIONS
    for _ in range(rng.randrange(1, 4)):
        rng.choice(kinds)(result, rng)
    return result
