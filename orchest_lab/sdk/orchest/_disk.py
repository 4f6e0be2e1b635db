"""The disk store, as Orchest wrote it (and reads it): in `.orchest/pipelines/<pipeline>/data/
<step>/`, `<step>.<SERIALIZATION>` and `HEAD`, which holds "<UTC ISO timestamp>; <SERIALIZATION>;
<name>"; Arrow data is an IPC stream there. orchest-lab adds `orchest-lab.json` beside them
(fingerprint and run of the write the HEAD names). Writes are atomic, as in the memory store.
"""

from __future__ import annotations

import contextlib
import datetime
import json
import os
import pickle
import secrets
from typing import Any

import pyarrow as pa
import pyarrow.ipc as ipc

from . import _serialize
from ._store import (
    DISK,
    SERIALIZATIONS,
    TMP_PREFIX,
    UNNAMED,
    StoredOutput,
    atomic_write,
    stored_output,
)
from .error import InvalidMetaDataError

HEAD_FILE = "HEAD"
SIDECAR_FILE = "orchest-lab.json"
SEPARATOR = "; "


def write_disk(
    folder: str,
    step_uuid: str,
    data: Any,
    meta: dict[str, Any],
    encoded: _serialize.Encoded | None = None,
    serialization: str | None = None,
) -> StoredOutput:
    """Write an output as Orchest did: `<step>.<SERIALIZATION>` and HEAD. Arrow data (tables,
    record batches, DataFrames) as an IPC stream, anything else as an in-band pickle, so that
    Orchest's SDK reads it too (a DataFrame comes back to it as an Arrow Table). With
    `serialization`, `data` is bytes already serialized that way (Orchest's API allows it)."""
    os.makedirs(folder, exist_ok=True)
    kind: str | None
    if serialization is not None:
        kind = None
        payload: Any = data
    else:
        encoded = encoded or _serialize.encode(data)
        kind = encoded.kind
        serialization = encoded.serialization
        payload = None
    if serialization not in SERIALIZATIONS:
        raise ValueError(f"serialization must be one of {', '.join(SERIALIZATIONS)}")
    target = os.path.join(folder, f"{step_uuid}.{serialization}")
    tmp = os.path.join(folder, f"{TMP_PREFIX}{step_uuid}.{os.getpid()}.0.{secrets.token_hex(4)}")
    try:
        if payload is not None:
            with open(tmp, "wb") as f:
                f.write(payload)
        elif kind == _serialize.PICKLED:
            with open(tmp, "wb") as f:
                pickle.dump(data, f, protocol=5)
        else:
            assert encoded is not None
            batch = _serialize.with_metadata(encoded, meta)
            with pa.OSFile(tmp, "wb") as sink, ipc.new_stream(sink, batch.schema) as writer:
                writer.write_batch(batch)
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    for other in SERIALIZATIONS:  # an older output of another serialization is stale now
        if other != serialization:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(os.path.join(folder, f"{step_uuid}.{other}"))
    name = meta.get("name")
    sidecar = {**meta, "kind": kind, "serialization": serialization}
    atomic_write(os.path.join(folder, SIDECAR_FILE), json.dumps(sidecar).encode())
    head = SEPARATOR.join([meta["timestamp"], serialization, UNNAMED if name is None else name])
    atomic_write(os.path.join(folder, HEAD_FILE), head.encode())
    return stored_output(
        step_uuid, DISK, target, meta, serialization, kind, os.path.getsize(target)
    )


def read_head(text: str) -> tuple[str, str, str]:
    """(timestamp, serialization, name) of a HEAD file, by Orchest's rules (3 fields, or 4 of
    which the first is ignored)."""
    if SEPARATOR not in text:
        raise InvalidMetaDataError(f"HEAD '{text}' is missing the '{SEPARATOR}' separator.")
    fields = text.split(SEPARATOR)
    if len(fields) not in (3, 4):
        raise InvalidMetaDataError(f"HEAD '{text}' has {len(fields)} fields instead of 3.")
    timestamp, serialization, name = fields[-3:]
    try:
        datetime.datetime.fromisoformat(timestamp)
    except ValueError:
        raise InvalidMetaDataError(f"HEAD '{text}' has an invalid timestamp.") from None
    if serialization not in SERIALIZATIONS:
        raise InvalidMetaDataError(f"HEAD '{text}' has an unknown serialization.")
    return timestamp, serialization, name


def read_disk_meta(folder: str, step_uuid: str) -> StoredOutput | None:
    try:
        with open(os.path.join(folder, HEAD_FILE), encoding="utf-8") as f:
            timestamp, serialization, name = read_head(f.read().strip())
    except (FileNotFoundError, NotADirectoryError):
        return None
    path = os.path.join(folder, f"{step_uuid}.{serialization}")
    try:
        size = os.path.getsize(path)
    except OSError:
        return None
    meta: dict[str, Any] = {"timestamp": timestamp, "name": None if name == UNNAMED else name}
    kind = None
    try:
        with open(os.path.join(folder, SIDECAR_FILE), encoding="utf-8") as f:
            sidecar = json.load(f)
        if isinstance(sidecar, dict) and sidecar.get("timestamp") == timestamp:
            meta.update(
                fingerprint=sidecar.get("fingerprint"),
                run_uuid=sidecar.get("run_uuid"),
                summary=sidecar.get("summary"),
            )
            kind = sidecar.get("kind")
    except (OSError, ValueError):
        pass
    return stored_output(step_uuid, DISK, path, meta, serialization, kind, size)


def remove_disk(folder: str, step_uuid: str) -> bool:
    removed = False
    for name in [HEAD_FILE, SIDECAR_FILE] + [f"{step_uuid}.{s}" for s in SERIALIZATIONS]:
        try:
            os.unlink(os.path.join(folder, name))
            removed = True
        except OSError:
            pass
    return removed
