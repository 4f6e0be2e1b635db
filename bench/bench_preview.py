"""How fast the editor's data preview (`GET pipelines/data/preview`) reads a stored output.

A 1 GiB DataFrame (16 float64 columns and a string column) is written to a memory store on
/dev/shm with the SDK, then previewed (schema and first 10 rows) as the server does it, against
two baselines measured in the same run on the same file:

1. the SDK's reader: `get_inputs`' load of the whole frame, then its first 10 rows;
2. reading the whole Arrow file into memory (`read_all` from a plain file, no mapping).

Goal: the preview takes at most 100 ms and does not depend on the frame's size. Each figure is
the median of the rounds. A pickled 100 MiB ndarray is previewed too (in the unpickling
process), for scale.
"""

from __future__ import annotations

import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.ipc as ipc

from orchest_lab.data import preview
from orchest_lab.sdk.orchest import _serialize, _store

GIB = 1 << 30
MIB = 1 << 20
ROUNDS = 5
GOAL_MS = 100.0


def write(store: str, step: str, data: Any) -> _store.StoredOutput:
    encoded = _serialize.encode(data)
    meta = {"timestamp": _store.utc_timestamp(), "name": step, "summary": _serialize.summary(data)}
    return _store.write_memory(store, step, encoded, meta, budget=4 * GIB)


def median_ms(action: Callable[[], Any], rounds: int = ROUNDS) -> float:
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        action()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def read_everything(path: str) -> None:
    with pa.OSFile(path) as source:
        ipc.open_file(source).read_all()


def main() -> int:
    base = Path(tempfile.mkdtemp(prefix="bench-preview-", dir="/dev/shm"))
    try:
        store = str(base / "project" / "pipeline")
        _store.ensure_store(store)
        columns = 16
        rows = GIB // (columns * 8)
        data = {f"c{i}": np.random.default_rng(i).random(rows) for i in range(columns)}
        frame = pd.DataFrame(data)
        frame["label"] = pd.Series(["a", "b", "c", "d"] * (rows // 4)).astype("string[pyarrow]")
        output = write(store, "frame", frame)
        del frame, data
        print(f"DataFrame: {rows:,} rows x {columns + 1} columns, {output.nbytes / GIB:.2f} GiB")

        shown = preview.preview_arrow(output, 10)
        assert shown["shape"] == [rows, columns + 1] and len(shown["rows"]) == 10
        ours = median_ms(lambda: preview.preview_arrow(output, 10))
        sdk = median_ms(lambda: _store.load(output).head(10))
        whole = median_ms(lambda: read_everything(output.path), rounds=3)
        print(f"  preview (schema + 10 rows, in place): {ours:8.1f} ms")
        print(f"  SDK load of the whole frame + head(10): {sdk:8.1f} ms ({sdk / ours:.1f}x)")
        print(f"  read_all of the whole file:           {whole:8.1f} ms ({whole / ours:.0f}x)")

        array = write(store, "array", np.zeros((100 * MIB // 8,), dtype="float64"))
        child = median_ms(lambda: preview.preview_pickle(array, 10), rounds=3)
        print(f"  pickled 100 MiB ndarray, unpickled in a limited process: {child:.0f} ms")

        ok = ours <= GOAL_MS
        print(
            f"goal: preview of the 1 GiB DataFrame <= {GOAL_MS:.0f} ms: {'met' if ok else 'MISSED'}"
        )
        return 0 if ok else 1
    finally:
        shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
