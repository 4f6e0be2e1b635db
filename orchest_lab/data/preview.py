"""A look at a stored output without loading it: what it is, its schema and first rows.

Arrow data (DataFrames, tables, record batches) is read in place: the file is memory-mapped and
only the schema and the first rows are turned into text, so a preview costs the same for a
kilobyte and for a gigabyte. Pickles are never unpickled here: unpickling runs code, may hang or
take all memory; `preview_child` does it in a process of its own, with a time and memory limit.
Everything returned is bounded (rows, columns, characters), whatever the output.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..sdk.orchest._store import StoredOutput

DEFAULT_ROWS = 10
MAX_ROWS = 100
MAX_COLUMNS = 50
MAX_CELL_CHARS = 200
MAX_REPR_LINES = 20
MAX_REPR_CHARS = 4000
# The unpickling process: stopped after unpickling and describing took this long (killed if it
# still runs this long after it started), and allowed this much memory on top of what it needs
# to start and the file it maps.
UNPICKLE_SECONDS = 5.0
STARTUP_SECONDS = 30.0
UNPICKLE_MEMORY_BYTES = 512 * 1024 * 1024
# At most this many unpickling processes at once: a burst of clicks must not fork a crowd.
_children = threading.BoundedSemaphore(2)
_CHILD_OUTPUT_LIMIT = 1024 * 1024


class PreviewError(Exception):
    """The output cannot be previewed; the message says why (for the user)."""


def preview_content(output: StoredOutput, rows: int) -> dict[str, Any]:
    """What the output holds: for tables the schema and first `rows` rows, for arrays shape,
    dtype and a slice, for other objects their repr. Blocking."""
    from ..sdk.orchest._store import NotPrivate

    try:
        if output.serialization == "PICKLE":
            return preview_pickle(output, rows)
        return preview_arrow(output, rows)
    except NotPrivate as err:  # a store someone else could have written: not read
        raise PreviewError(str(err)) from err


# --- Arrow ---------------------------------------------------------------------------------------


def preview_arrow(output: StoredOutput, rows: int) -> dict[str, Any]:
    import pyarrow as pa
    import pyarrow.ipc as ipc

    from ..sdk.orchest import _serialize, _store

    if output.transport == _store.MEMORY:
        _store.check_private(os.path.dirname(output.path))
    try:
        with pa.memory_map(output.path) as source:
            schema, head, total = _first_rows(source, rows, pa, ipc)
    except (OSError, pa.ArrowInvalid) as err:
        raise PreviewError(f"the output cannot be read: {err}") from err
    meta = _serialize.read_metadata(schema) or {}
    pandas_meta = _pandas_metadata(schema)
    if meta.get("kind") == _serialize.DATAFRAME and pandas_meta is not None:
        return _frame_preview(schema, head, total, pandas_meta)
    columns = [{"name": f.name, "dtype": str(f.type)} for f in list(schema)[:MAX_COLUMNS]]
    values = [_cells(head.column(i)) for i in range(len(columns))]
    return {
        "kind": "table",
        "shape": [total, len(schema)],
        "columns": columns,
        "columns_shown": len(columns),
        "index": None,
        "rows": [list(row) for row in zip(*values, strict=True)] if values else [],
    }


def _first_rows(source: Any, rows: int, pa: Any, ipc: Any) -> tuple[Any, Any, int]:
    """(schema, the first `rows` rows as a record batch, the number of rows) of an IPC file or
    stream. Batches are views of the mapping: nothing is copied but the rows turned to text."""
    magic = source.read(6)
    source.seek(0)
    batches: list[Any] = []
    total = 0
    if magic == b"ARROW1":
        reader = ipc.open_file(source)
        schema = reader.schema
        for i in range(reader.num_record_batches):
            batch = reader.get_batch(i)
            total += batch.num_rows
            if sum(b.num_rows for b in batches) < rows:
                batches.append(batch)
    else:
        stream = ipc.open_stream(source)
        schema = stream.schema
        for batch in stream:
            total += batch.num_rows
            if sum(b.num_rows for b in batches) < rows:
                batches.append(batch)
    if not batches:
        head = pa.RecordBatch.from_pylist([], schema=schema)
    elif len(batches) == 1:
        head = batches[0].slice(0, rows)
    else:
        head = pa.Table.from_batches(batches).slice(0, rows).combine_chunks().to_batches()[0]
    return schema, head, total


def _pandas_metadata(schema: Any) -> dict[str, Any] | None:
    raw = (schema.metadata or {}).get(b"pandas")
    try:
        described = json.loads(raw) if raw is not None else None
    except ValueError:
        return None
    return described if isinstance(described, dict) else None


def _frame_preview(
    schema: Any, head: Any, total: int, pandas_meta: dict[str, Any]
) -> dict[str, Any]:
    """A DataFrame's columns with pandas' dtypes and its index, from its Arrow form (pandas is
    not needed: its metadata says what each column was)."""
    described = {
        c.get("field_name"): c for c in pandas_meta.get("columns", []) if isinstance(c, dict)
    }
    index_specs = pandas_meta.get("index_columns") or []
    index_fields = [s for s in index_specs if isinstance(s, str)]
    data_fields = [f.name for f in schema if f.name not in index_fields]
    columns = []
    for name in data_fields[:MAX_COLUMNS]:
        column_meta = described.get(name, {})
        label = column_meta.get("name", name)
        dtype = column_meta.get("numpy_type") or str(schema.field(name).type)
        columns.append({"name": _cut(str(label if label is not None else name)), "dtype": dtype})
    values = [_cells(head.column(name)) for name in data_fields[: len(columns)]]
    count = head.num_rows
    index: list[str] | None = None
    if len(index_specs) == 1 and isinstance(index_specs[0], dict):  # a RangeIndex
        spec = index_specs[0]
        start, step = int(spec.get("start", 0)), int(spec.get("step", 1))
        index = [str(start + step * i) for i in range(count)]
    elif index_fields:
        parts = [_cells(head.column(name)) for name in index_fields if name in schema.names]
        index = [", ".join(p) for p in zip(*parts, strict=True)] if parts else None
    rows = [list(row) for row in zip(*values, strict=True)] if values else [[]] * count
    return {
        "kind": "table",
        "shape": [total, len(data_fields)],
        "columns": columns,
        "columns_shown": len(columns),
        "index": index,
        "rows": rows,
    }


def _cells(column: Any) -> list[str]:
    """The cells as text. Long strings and bytes are cut in Arrow first: a cell of a gigabyte
    is never copied out whole."""
    import pyarrow as pa
    import pyarrow.compute as pc

    kind = column.type
    if pa.types.is_string(kind) or pa.types.is_large_string(kind):
        column = pc.utf8_slice_codeunits(column, 0, MAX_CELL_CHARS)
    elif pa.types.is_binary(kind) or pa.types.is_large_binary(kind):
        column = pc.binary_slice(column, 0, MAX_CELL_CHARS)
    return [_cell(value) for value in column.to_pylist()]


def _cell(value: Any) -> str:
    if value is None:
        return "None"
    if isinstance(value, bytes):
        return _cut(repr(value))
    return _cut(str(value))


def _cut(text: str, limit: int = MAX_CELL_CHARS) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


# --- pickles -------------------------------------------------------------------------------------


def preview_pickle(output: StoredOutput, rows: int) -> dict[str, Any]:
    """Unpickle in a child process with a time and memory limit, and describe what came out."""
    from ..sdk.orchest import _store

    if output.transport == _store.MEMORY:
        _store.check_private(os.path.dirname(output.path))
    command = [
        sys.executable,
        "-I",  # no user site, no PYTHONPATH, no current folder: only what the server imports
        "-m",
        "orchest_lab.data.preview_child",
        output.path,
        output.transport,
        str(rows),
        str(UNPICKLE_MEMORY_BYTES),
        str(UNPICKLE_SECONDS),
    ]
    with _children:
        try:
            done = subprocess.run(
                command,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
                timeout=STARTUP_SECONDS + UNPICKLE_SECONDS,
                cwd=os.path.dirname(output.path),
                check=False,
            )
        except subprocess.TimeoutExpired:
            raise PreviewError(
                "unpickling the output did not end (killed after "
                f"{STARTUP_SECONDS + UNPICKLE_SECONDS:g} s)"
            ) from None
    try:
        answer = json.loads(done.stdout[:_CHILD_OUTPUT_LIMIT])
    except ValueError:
        answer = None
    if not isinstance(answer, dict):
        raise PreviewError(
            f"the unpickling process ended without a preview (exit status {done.returncode})"
        )
    if "error" in answer:
        raise PreviewError(str(answer["error"]))
    return answer
