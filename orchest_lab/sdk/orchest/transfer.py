"""Passing data between steps: `output()` in a step, `get_inputs()` in the steps after it.

Outputs go to memory by default: one Arrow IPC file per step in a shared-memory folder of the
pipeline, read back in place (no copy) by the steps that use them. An output that does not fit
in the pipeline's `data_passing_memory_size` goes to disk, with a warning. `output_to_disk`
writes to `.orchest/pipelines/<pipeline>/data/<step>/` as Orchest did, and reads what Orchest
wrote. A step has one output: writing again replaces it, and when it was written both ways the
newest write is read.
"""

from __future__ import annotations

import os
import sys
import warnings
from enum import Enum
from typing import Any

from . import _context, _disk, _serialize, _store
from .config import Config
from .error import (
    DataInvalidNameError,
    DeserializationError,
    InputNameCollisionError,
    MemoryFallbackWarning,
    OutputNotFoundError,
    SerializationError,
)


class Serialization(Enum):
    """How an output is stored (Orchest's names)."""

    ARROW_TABLE = 0
    ARROW_BATCH = 1
    PICKLE = 2


_HERE = os.path.dirname(os.path.abspath(__file__))
_last_output_name: Any = -1  # -1: nothing was output yet in this process
_get_inputs_called = False


def _warn(message: str, category: type[Warning] = RuntimeWarning) -> None:
    """A warning attributed to the user's line that called the SDK."""
    frame, level = sys._getframe(0), 1
    while frame.f_back is not None and os.path.dirname(frame.f_code.co_filename) == _HERE:
        frame, level = frame.f_back, level + 1
    warnings.warn(message, category, stacklevel=level)


def _check_name(name: Any) -> None:
    if name is not None and not isinstance(name, str):
        raise DataInvalidNameError(f"an output name must be a string or None, not {name!r}")
    if name == Config._RESERVED_UNNAMED_OUTPUTS_STR:
        raise DataInvalidNameError(
            f"'{name}' is reserved: get_inputs() lists unnamed outputs under it; "
            "use name=None for an unnamed output"
        )
    if name is not None and Config.__METADATA_SEPARATOR__ in name:
        raise DataInvalidNameError(
            f"an output name cannot contain '{Config.__METADATA_SEPARATOR__}' (got {name!r})"
        )


def _note_output(name: str | None) -> None:
    global _last_output_name
    if (
        not Config.silence_multiple_data_transfer_calls_warning
        and _last_output_name != -1
        and _last_output_name != name
    ):
        _warn(
            "This step output data before: a step has one output, and this one replaces it "
            "whatever its name. Output a dict to pass several objects. (Silence this with "
            "orchest.Config.silence_multiple_data_transfer_calls_warning = True.)"
        )
    _last_output_name = name


def _metadata(context: _context.Context, name: str | None) -> dict[str, Any]:
    return {
        "timestamp": _store.utc_timestamp(),
        "name": name,
        "step_uuid": context.step_uuid,
        "pipeline_uuid": context.pipeline_uuid,
        "run_uuid": context.run_uuid,
        "fingerprint": context.fingerprint,
    }


def _encode(data: Any) -> _serialize.Encoded:
    try:
        return _serialize.encode(data)
    except Exception as err:
        raise SerializationError(
            f"the output ({type(data).__name__}) cannot be stored: {type(err).__name__}: {err}"
        ) from err


def output(data: Any, name: str | None = None) -> None:
    """Output `data` for the steps that follow, under `name` (None: unnamed).

    Goes to memory; when it does not fit, to disk with a warning (MemoryFallbackWarning). When
    steps do not share memory (each runs in a pod of its own), to disk.
    """
    if not _store.memory_shared():
        output_to_disk(data, name)
        return
    output_to_memory(data, name, disk_fallback=True)


def output_to_memory(data: Any, name: str | None, disk_fallback: bool = True) -> None:
    """Output `data` to the pipeline's memory store. When it does not fit, or when steps do not
    share memory, write it to disk (with a warning), or with `disk_fallback=False` raise
    MemoryError."""
    _check_name(name)
    if not _store.memory_shared():
        reason = "steps do not share memory here (each runs in a pod of its own)"
        if not disk_fallback:
            raise MemoryError(f"the output cannot go to memory: {reason}")
        _warn(f"{reason}: the output is written to disk instead.", MemoryFallbackWarning)
        output_to_disk(data, name)
        return
    _note_output(name)
    context = _context.current()
    assert context.step_uuid is not None
    encoded = _encode(data)
    meta = {**_metadata(context, name), "summary": _serialize.summary(data)}
    _store.ensure_store(context.store, context.pipeline_file)
    try:
        _store.write_memory(context.store, context.step_uuid, encoded, meta, context.budget)
    except _store.NoRoom as room:
        if not disk_fallback:
            raise MemoryError(f"the output does not fit in memory: {room}") from None
        folder = context.data_dir(context.step_uuid)
        _warn(
            f"The output of step '{context.title(context.step_uuid)}' does not fit in memory: "
            f"{room}. It is written to disk instead ({folder}).",
            MemoryFallbackWarning,
        )
        _disk.write_disk(folder, context.step_uuid, data, meta, encoded)
        _store.remove_memory(context.store, context.step_uuid)


def output_to_disk(data: Any, name: str | None, serialization: Serialization | None = None) -> None:
    """Output `data` to disk, in `.orchest/pipelines/<pipeline>/data/<step>/` as Orchest did.
    With `serialization`, `data` is bytes already serialized that way."""
    _check_name(name)
    _note_output(name)
    context = _context.current()
    assert context.step_uuid is not None
    meta = _metadata(context, name)
    folder = context.data_dir(context.step_uuid)
    if serialization is None:
        meta["summary"] = _serialize.summary(data)
    if serialization is not None:
        _disk.write_disk(
            folder, context.step_uuid, bytes(data), meta, serialization=serialization.name
        )
    else:
        _disk.write_disk(folder, context.step_uuid, data, meta, _encode(data))
    # The memory copy, if any, is older: it could never be read again.
    _store.remove_memory(context.store, context.step_uuid)


def resolve(context: _context.Context, step_uuid: str) -> _store.StoredOutput | None:
    """The output of a step that `get_inputs` reads: the newest write, memory or disk."""
    return _store.newest(
        _store.read_memory_meta(context.store, step_uuid),
        _disk.read_disk_meta(context.data_dir(step_uuid), step_uuid),
    )


def get_inputs(ignore_failure: bool = False, verbose: bool = False) -> dict[str, Any]:
    """The outputs of the current step's parents:
    `{name: data, ..., "unnamed": [data of unnamed outputs, in incoming_connections order]}`.

    Raises OutputNotFoundError naming the parent when a parent has no output (with
    `ignore_failure`, its data is None instead), and InputNameCollisionError when two parents
    used the same name.
    """
    global _get_inputs_called
    context = _context.current()
    assert context.step_uuid is not None
    if (
        _get_inputs_called
        and context.eviction
        and not Config.silence_multiple_data_transfer_calls_warning
    ):
        _warn(
            "get_inputs() was called before in this step: in a job run, outputs are freed once "
            "every step that needs them read them, so a second call may not find them. Keep "
            "what the first call returned."
        )
    _get_inputs_called = True
    step = context.step(context.step_uuid)
    parents = [p for p in step.get("incoming_connections") or [] if context.step(p)]
    found: list[tuple[str, _store.StoredOutput | None]] = []
    for parent in parents:
        stored = resolve(context, parent)
        if stored is None and not ignore_failure:
            raise OutputNotFoundError(_missing(context, parent))
        found.append((parent, stored))
    names: dict[str, list[str]] = {}
    for parent, stored in found:
        if stored is not None and stored.name is not None:
            names.setdefault(stored.name, []).append(context.title(parent))
    collisions = {name: titles for name, titles in names.items() if len(titles) > 1}
    if collisions:
        listed = "; ".join(f"'{n}' from {', '.join(map(repr, t))}" for n, t in collisions.items())
        raise InputNameCollisionError(
            f"Several incoming steps output data under the same name: {listed}. Give their "
            "outputs different names."
        )
    inputs: dict[str, Any] = {Config._RESERVED_UNNAMED_OUTPUTS_STR: []}
    for parent, stored in found:
        data = None
        if stored is not None:
            try:
                data = _store.load(stored)
            except FileNotFoundError:
                if not ignore_failure:
                    raise OutputNotFoundError(_missing(context, parent, gone=True)) from None
            except Exception as err:
                if not ignore_failure:
                    raise DeserializationError(
                        f"The output of step '{context.title(parent)}' ({stored.path}) cannot "
                        f"be read: {type(err).__name__}: {err}"
                    ) from err
            if stored.transport == _store.MEMORY and context.eviction:
                _evict(context, parent)
        if verbose:
            status = "Retrieved input from" if data is not None else "Failed to retrieve input from"
            print(f"{status} step: '{context.title(parent)}'")
        if stored is None or stored.name is None:
            inputs[Config._RESERVED_UNNAMED_OUTPUTS_STR].append(data)
        else:
            inputs[stored.name] = data
    return inputs


def _evict(context: _context.Context, parent: str) -> None:
    steps = context.definition.get("steps") or {}
    children = [
        uuid
        for uuid, step in steps.items()
        if isinstance(step, dict) and parent in (step.get("incoming_connections") or [])
    ]
    assert context.step_uuid is not None
    _store.mark_read(context.store, parent, context.step_uuid, children)


def _missing(context: _context.Context, parent: str, gone: bool = False) -> str:
    step = context.step(parent)
    what = "was removed while it was being read" if gone else "cannot be found"
    return (
        f"The output of incoming step '{context.title(parent)}' ({parent}, "
        f"{step.get('file_path', '?')}) {what}: it is neither in memory ({context.store}) nor "
        f"on disk ({context.data_dir(parent)}). Run that step first, and make sure it calls "
        "orchest.output()."
    )
