"""Unpickle one stored output and print a bounded description of it as JSON (the server runs
this in a process of its own: `python -I -m orchest_lab.data.preview_child PATH TRANSPORT ROWS
MEMORY_BYTES SECONDS`).

The address space is capped (RLIMIT_AS) after the libraries are loaded and the file is mapped,
so what unpickling allocates is what the cap limits; an alarm stops unpickling and describing
after SECONDS (the server kills the process if even that does not end it). What the unpickled
code prints goes to stderr, away from the answer.
"""

from __future__ import annotations

import contextlib
import json
import mmap
import os
import pickle
import signal
import sys
from typing import Any

from .preview import MAX_COLUMNS, MAX_REPR_CHARS, MAX_REPR_LINES, _cut


def main(argv: list[str]) -> int:
    path, transport, rows, memory = argv[0], argv[1], int(argv[2]), int(argv[3])
    seconds = float(argv[4])
    answer_fd = os.dup(1)
    os.dup2(2, 1)  # anything the pickle's code prints goes to stderr
    try:
        answer = describe(load(path, transport, memory, seconds), rows)
    except _TimeUp:
        answer = {"error": f"unpickling the output took longer than {seconds:g} s and was stopped"}
    except MemoryError:
        answer = {"error": f"unpickling the output needs more than {memory // 2**20} MiB of memory"}
    except Exception as err:  # any failure of foreign code is the answer
        answer = {"error": f"the output cannot be unpickled here: {type(err).__name__}: {err}"}
    with os.fdopen(answer_fd, "w") as out:
        out.write(json.dumps(answer))
    return 0


class _TimeUp(BaseException):  # not an Exception: code in the pickle cannot catch it by accident
    pass


def _time_up(*_: Any) -> None:
    raise _TimeUp


def load(path: str, transport: str, memory: int, seconds: float) -> Any:
    import pyarrow as pa
    import pyarrow.ipc as ipc

    from ..sdk.orchest import _serialize

    with contextlib.suppress(ImportError):
        import numpy  # noqa: F401 - loaded before the cap: arrays unpickle to it
    with open(path, "rb") as f:
        mapped = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
    _cap_memory(memory)
    signal.signal(signal.SIGALRM, _time_up)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    if transport == "disk":  # Orchest's layout: an in-band pickle
        return pickle.loads(mapped)
    reader = ipc.open_file(pa.BufferReader(pa.py_buffer(mapped)))
    return _serialize.decode(reader.get_batch(0), _serialize.PICKLED)


def _cap_memory(extra: int) -> None:
    import resource

    with open("/proc/self/statm") as f:
        used = int(f.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    limit = used + extra
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


def describe(data: Any, rows: int) -> dict[str, Any]:
    numpy = sys.modules.get("numpy")
    if numpy is not None and isinstance(data, numpy.ndarray):
        return _array(data, rows, numpy)
    pandas = sys.modules.get("pandas")
    if pandas is not None and isinstance(data, pandas.DataFrame):
        return _frame(data, rows)
    return {"kind": "object", "repr": _repr(data)}


def _array(array: Any, rows: int, numpy: Any) -> dict[str, Any]:
    part = array[:rows] if array.ndim else array
    text = numpy.array2string(part, threshold=200, edgeitems=5, max_line_width=120)
    return {
        "kind": "array",
        "shape": [int(n) for n in array.shape],
        "dtype": str(array.dtype),
        "slice": _lines(text),
        "rows_shown": int(min(rows, array.shape[0])) if array.ndim else 0,
    }


def _frame(frame: Any, rows: int) -> dict[str, Any]:
    head = frame.iloc[:rows, :MAX_COLUMNS]
    return {
        "kind": "table",
        "shape": [int(n) for n in frame.shape],
        "columns": [
            {"name": _cut(str(name)), "dtype": str(dtype)}
            for name, dtype in zip(head.columns, head.dtypes, strict=True)
        ],
        "columns_shown": head.shape[1],
        "index": [_cut(str(i)) for i in head.index],
        "rows": [[_cut(str(v)) for v in row] for row in head.itertuples(index=False)],
    }


def _repr(data: Any) -> str:
    return _lines(repr(data)[: MAX_REPR_CHARS * 2])


def _lines(text: str) -> str:
    lines = text.splitlines()
    cut = "\n".join(lines[:MAX_REPR_LINES])
    if len(lines) > MAX_REPR_LINES or len(cut) > MAX_REPR_CHARS:
        return cut[:MAX_REPR_CHARS] + "\n…"
    return cut


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
