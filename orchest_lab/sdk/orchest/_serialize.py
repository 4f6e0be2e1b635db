"""Python objects to Arrow record batches and back, without copying what need not be copied.

Every output becomes one Arrow record batch whose schema metadata says how to rebuild it:

* a pandas DataFrame: its columns (pandas metadata kept, so index, dtypes and column labels come
  back); numeric columns are handed to Arrow as they are, without a copy and without the NaN scan
  `Table.from_pandas` does (a NaN stays a NaN);
* an Arrow Table (as one batch) or RecordBatch: itself;
* anything else: a pickle (protocol 5) whose large buffers, numpy arrays' data for instance, are
  kept out of band, each in its own column, so that they are written once and read in place.

Reading works on buffers that map the file: numeric columns and out-of-band buffers become numpy
arrays over the mapping. Mapped copy-on-write, they are writable, and a write changes only the
reader's own copy of the page, never the stored output.
"""

from __future__ import annotations

import json
import pickle
import struct
import sys
from typing import Any

import pyarrow as pa

META_KEY = b"orchest_lab"
FORMAT_VERSION = 1

# What an output is, as stored in its metadata ("kind") and shown by the API.
DATAFRAME = "DataFrame"
TABLE = "Table"
RECORD_BATCH = "RecordBatch"
PICKLED = "pickle"

# Buffers smaller than this stay inside the pickle stream: a column each would cost more than it
# saves.
OUT_OF_BAND_MIN = 64 * 1024
# Object columns of these inferred types round-trip exactly through Arrow; others (lists, dicts,
# mixed values) would come back changed (a list as a numpy array), so such frames are pickled.
_ARROW_SAFE_OBJECTS = {"string", "bytes", "empty", "decimal", "date"}
_PANDAS_KEY = b"pandas"


class Encoded:
    """An object as one record batch, ready to be written."""

    def __init__(self, batch: Any, kind: str) -> None:
        self.batch = batch
        self.kind = kind

    @property
    def serialization(self) -> str:
        """Orchest's name for it: ARROW_TABLE, ARROW_BATCH or PICKLE."""
        return {DATAFRAME: "ARROW_TABLE", TABLE: "ARROW_TABLE", RECORD_BATCH: "ARROW_BATCH"}.get(
            self.kind, "PICKLE"
        )


def encode(data: Any) -> Encoded:
    """`data` as a record batch. Raises pickle errors for objects that cannot be pickled."""
    if isinstance(data, pa.RecordBatch):
        return Encoded(data, RECORD_BATCH)
    if isinstance(data, pa.Table):
        return Encoded(table_to_batch(data), TABLE)
    if _is_dataframe(data):
        batch = frame_to_batch(data)
        if batch is not None:
            return Encoded(batch, DATAFRAME)
    return Encoded(pickle_to_batch(data), PICKLED)


def with_metadata(encoded: Encoded, meta: dict[str, Any]) -> Any:
    """The batch with our metadata added to its schema's (which is kept)."""
    schema_meta = dict(encoded.batch.schema.metadata or {})
    schema_meta[META_KEY] = json.dumps({"version": FORMAT_VERSION, "kind": encoded.kind, **meta})
    return encoded.batch.replace_schema_metadata(schema_meta)


def read_metadata(schema: Any) -> dict[str, Any] | None:
    raw = (schema.metadata or {}).get(META_KEY)
    if raw is None:
        return None
    try:
        meta = json.loads(raw)
    except ValueError:
        return None
    return meta if isinstance(meta, dict) else None


def decode(batch: Any, kind: str | None, memory: Any = None) -> Any:
    """The object a stored batch holds. `kind` None: a batch written by Orchest (no metadata).
    `memory`: the writable (copy-on-write) mapping the batch was read from, when it was; arrays
    are then writable views of it."""
    view = _Views(memory)
    if kind == PICKLED:
        return batch_to_object(batch, view)
    original = _without_our_metadata(batch.schema.metadata)
    batch = batch.replace_schema_metadata(original)
    if kind == DATAFRAME:
        return batch_to_frame(batch, view)
    if kind == RECORD_BATCH:
        return batch
    return pa.Table.from_batches([batch])


class _Views:
    """Writable views of Arrow buffers that lie in a writable mapping (pyarrow hands out slices
    of what it reads as read-only buffers, whatever the memory is)."""

    def __init__(self, memory: Any) -> None:
        self.memory = memory
        self.start = pa.py_buffer(memory).address if memory is not None else 0
        self.size = len(memory) if memory is not None else 0

    def bytes(self, buffer: Any, offset: int = 0, length: int | None = None) -> Any:
        """`buffer[offset:offset+length]` as a writable memoryview when possible, else as the
        read-only Arrow buffer slice."""
        length = buffer.size - offset if length is None else length
        at = buffer.address + offset - self.start
        if self.memory is None or at < 0 or at + length > self.size:
            return buffer.slice(offset, length)
        return memoryview(self.memory)[at : at + length]


# --- Arrow ---------------------------------------------------------------------------------------


def table_to_batch(table: Any) -> Any:
    """A table as a single record batch (its chunks are joined, which copies only when there are
    several)."""
    batches = table.to_batches()
    if len(batches) == 1:
        return batches[0].replace_schema_metadata(table.schema.metadata)
    arrays = []
    for column in table.columns:
        chunks = column.chunks
        if len(chunks) == 1:
            arrays.append(chunks[0])
        elif chunks:
            arrays.append(pa.concat_arrays(chunks))
        else:
            arrays.append(pa.array([], type=column.type))
    return pa.RecordBatch.from_arrays(arrays, schema=table.schema)


def _without_our_metadata(metadata: dict[bytes, bytes] | None) -> dict[bytes, bytes] | None:
    if not metadata:
        return None
    rest = {k: v for k, v in metadata.items() if k != META_KEY}
    return rest or None


# --- pandas --------------------------------------------------------------------------------------


def _is_dataframe(data: Any) -> bool:
    pandas = sys.modules.get("pandas")  # a DataFrame means pandas is imported already
    return pandas is not None and isinstance(data, pandas.DataFrame)


def _fast_column(values: Any) -> bool:
    """A numpy column Arrow can take as it is: integers and floats (not float16)."""
    dtype = getattr(values, "dtype", None)
    return (
        dtype is not None
        and type(values).__module__ == "numpy"
        and values.ndim == 1
        and dtype.kind in "iuf"
        and not (dtype.kind == "f" and dtype.itemsize == 2)  # float16: no zero-copy path
        and dtype.isnative
    )


def frame_to_batch(frame: Any) -> Any | None:
    """A DataFrame as a record batch with pandas metadata, or None when Arrow cannot hold it
    exactly (duplicate or odd column labels, object columns of lists, dicts or mixed values...),
    in which case it is pickled instead."""
    import pandas as pd

    if not frame.columns.is_unique or _mixed_labels(frame.columns):
        return None
    columns = [column for _, column in frame.items()]
    values = [
        c.array if isinstance(c.dtype, pd.api.extensions.ExtensionDtype) else None for c in columns
    ]
    fast: list[int] = []
    for i, column in enumerate(columns):
        if values[i] is None:
            array = column.to_numpy(copy=False)
            if _fast_column(array):
                fast.append(i)
                values[i] = array
            elif array.dtype == object and (
                pd.api.types.infer_dtype(array, skipna=True) not in _ARROW_SAFE_OBJECTS
            ):
                return None
    try:
        if not fast:
            table = pa.Table.from_pandas(frame)
        else:
            table = _frame_with_fast_columns(frame, fast, values)
    except (pa.ArrowException, ValueError, TypeError):
        return None
    return table_to_batch(table)


def _mixed_labels(columns: Any) -> bool:
    """Column labels of several types (1 and "a"), which Arrow would turn into strings."""
    import pandas as pd

    levels = columns.levels if isinstance(columns, pd.MultiIndex) else [columns]
    return any(pd.api.types.infer_dtype(level).startswith("mixed") for level in levels)


def _frame_with_fast_columns(frame: Any, fast: list[int], values: list[Any]) -> Any:
    """`Table.from_pandas(frame)` where the `fast` columns are wrapped, not converted: pyarrow
    converts the other columns and the index, and describes the fast ones (and the column labels)
    from the frame without its rows, which needs no values."""
    import pandas as pd

    fast_set = set(fast)
    slow = [i for i in range(frame.shape[1]) if i not in fast_set]
    described = pa.Table.from_pandas(frame.iloc[:0])  # every column, no values
    described_meta = json.loads(described.schema.metadata[_PANDAS_KEY])
    if not slow and isinstance(frame.index, pd.RangeIndex):
        # Nothing to convert: the index is described by its range, which the empty frame
        # has with no rows; give it the frame's.
        converted = described.select([])
        converted_meta = dict(described_meta)
        index = frame.index
        converted_meta["index_columns"] = [
            {**c, "start": index.start, "stop": index.stop, "step": index.step}
            for c in described_meta["index_columns"]
        ]
        converted_meta["columns"] = []
    else:
        converted = pa.Table.from_pandas(frame.iloc[:, slow])  # the other columns, the index
        converted_meta = json.loads(converted.schema.metadata[_PANDAS_KEY])
    n_index = len(converted.schema) - len(slow)
    fields, arrays, column_meta = [], [], []
    slow_at = {position: k for k, position in enumerate(slow)}
    for position in range(frame.shape[1]):
        if position in fast_set:
            field = described.schema.field(position)
            arrays.append(pa.array(values[position], type=field.type, from_pandas=False))
            column_meta.append(described_meta["columns"][position])
        else:
            k = slow_at[position]
            field = converted.schema.field(k)
            arrays.append(converted.column(k))
            column_meta.append(converted_meta["columns"][k])
        fields.append(field)
    for k in range(len(slow), len(slow) + n_index):  # index columns come last
        fields.append(converted.schema.field(k))
        arrays.append(converted.column(k))
    column_meta += converted_meta["columns"][len(slow) :]
    pandas_meta = dict(converted_meta)
    pandas_meta["columns"] = column_meta
    pandas_meta["column_indexes"] = described_meta["column_indexes"]
    metadata = dict(converted.schema.metadata or described.schema.metadata)
    metadata[_PANDAS_KEY] = json.dumps(pandas_meta).encode()
    schema = pa.schema(fields, metadata=metadata)
    return pa.Table.from_arrays(
        [a if isinstance(a, pa.ChunkedArray) else pa.chunked_array([a]) for a in arrays],
        schema=schema,
    )


def batch_to_frame(batch: Any, view: _Views) -> Any:
    """A DataFrame from a batch written from one. pyarrow rebuilds it (index, dtypes, labels);
    then the numeric columns pyarrow handed out read-only are swapped for writable views of the
    same memory (the mapping is copy-on-write), so that code changing its inputs in place works
    as it did with Orchest's pickles."""
    import numpy as np
    import pandas as pd

    frame = batch.to_pandas(split_blocks=True)
    index_fields = _index_field_names(batch.schema)
    data_fields = [i for i, name in enumerate(batch.schema.names) if name not in index_fields]
    if len(data_fields) != frame.shape[1]:
        return frame
    replaced: dict[int, Any] = {}
    for position, field_index in enumerate(data_fields):
        array = batch.column(field_index)
        dtype = frame.dtypes.iloc[position]
        if (
            not isinstance(dtype, np.dtype)
            or dtype.kind not in "iuf"
            or array.null_count
            or not pa.types.is_primitive(array.type)
            or np.dtype(array.type.to_pandas_dtype()) != dtype
        ):
            continue
        memory = view.bytes(array.buffers()[1], array.offset * dtype.itemsize)
        if isinstance(memory, memoryview):
            replaced[position] = np.frombuffer(memory, dtype=dtype, count=len(array))
    if not replaced:
        return frame
    columns = {
        position: replaced[position] if position in replaced else frame.iloc[:, position]
        for position in range(frame.shape[1])
    }
    rebuilt = pd.DataFrame(columns, index=frame.index, copy=False)
    rebuilt.columns = frame.columns
    rebuilt.attrs = frame.attrs
    return rebuilt


def _index_field_names(schema: Any) -> set[str]:
    raw = (schema.metadata or {}).get(_PANDAS_KEY)
    if raw is None:
        return set()
    try:
        described = json.loads(raw)
    except ValueError:
        return set()
    return {c for c in described.get("index_columns", []) if isinstance(c, str)}


# --- pickle --------------------------------------------------------------------------------------


def pickle_to_batch(data: Any) -> Any:
    """A pickle (protocol 5): the stream in column `pickle`, each large out-of-band buffer in a
    column of its own, all wrapped without a copy."""
    buffers: list[Any] = []

    def out_of_band(buffer: pickle.PickleBuffer) -> bool:
        try:
            raw = buffer.raw()
        except BufferError:  # not contiguous: it goes in band
            return True
        if raw.nbytes < OUT_OF_BAND_MIN:
            return True
        buffers.append(raw)
        return False

    stream = pickle.dumps(data, protocol=5, buffer_callback=out_of_band)
    arrays = [_binary(stream)] + [_binary(b) for b in buffers]
    names = ["pickle"] + [f"buffer_{i}" for i in range(len(buffers))]
    return pa.RecordBatch.from_arrays(arrays, names=names)


def _binary(data: Any) -> Any:
    """A one-element large_binary array over `data`'s memory (no copy)."""
    buffer = pa.py_buffer(data)
    offsets = pa.py_buffer(struct.pack("<qq", 0, buffer.size))
    return pa.Array.from_buffers(pa.large_binary(), 1, [None, offsets, buffer])


def batch_to_object(batch: Any, view: _Views) -> Any:
    columns = [_column_bytes(batch.column(i), view) for i in range(batch.num_columns)]
    return pickle.loads(columns[0], buffers=columns[1:])


def _column_bytes(array: Any, view: _Views) -> Any:
    """The bytes of a one-element binary column, over the batch's memory."""
    start, end = struct.unpack_from("<qq", array.buffers()[1], array.offset * 8)
    return view.bytes(array.buffers()[2], start, end - start)


# --- summary -------------------------------------------------------------------------------------

# What previews call the kinds of objects.
SUMMARY_TYPES = {
    DATAFRAME: "DataFrame",
    TABLE: "Arrow table",
    RECORD_BATCH: "Arrow record batch",
    "ndarray": "ndarray",
    PICKLED: "pickled object",
}
_SIZED = (list, tuple, dict, set, frozenset, str, bytes, bytearray)


def summary(data: Any) -> dict[str, Any]:
    """What `data` is, in a few JSON values (type, shape or length, dtype), for the editor's
    labels: written with the output, so that nobody has to unpickle it to know. Reads only
    attributes that cost nothing (never `len` of an object of unknown type)."""
    if isinstance(data, (pa.RecordBatch, pa.Table)):
        kind = RECORD_BATCH if isinstance(data, pa.RecordBatch) else TABLE
        return {"type": SUMMARY_TYPES[kind], "shape": [data.num_rows, data.num_columns]}
    if _is_dataframe(data):
        return {"type": SUMMARY_TYPES[DATAFRAME], "shape": [int(n) for n in data.shape]}
    numpy = sys.modules.get("numpy")
    if numpy is not None and isinstance(data, numpy.ndarray):
        return {"type": "ndarray", "shape": [int(n) for n in data.shape], "dtype": str(data.dtype)}
    described: dict[str, Any] = {
        "type": SUMMARY_TYPES[PICKLED],
        "class": f"{type(data).__module__}.{type(data).__qualname__}",
    }
    if isinstance(data, _SIZED):
        described["length"] = len(data)
    return described
