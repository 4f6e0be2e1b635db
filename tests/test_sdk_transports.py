"""The SDK's data passing in this process, step by step: round-trips through memory and disk,
zero-copy reads, inputs' names and order, errors, the memory budget, newest-wins, eviction and
the removal of stale stores. Orchest's on-disk format: test_sdk_orchest_compat.py."""

from __future__ import annotations

import dataclasses
import datetime
import decimal
import mmap
import os
import pickle
import threading
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from sdk_helpers import SdkProject

from orchest_lab import sdk as orchest
from orchest_lab.data.outputs import remove_stale_stores
from orchest_lab.sdk.orchest import _store
from orchest_lab.sdk.orchest.error import (
    DataInvalidNameError,
    InputNameCollisionError,
    MemoryFallbackWarning,
    OutputNotFoundError,
)


@pytest.fixture(name="sdk")
def sdk_project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> SdkProject:
    return SdkProject.create(tmp_path, monkeypatch)


@dataclasses.dataclass
class Point:  # an arbitrary picklable object (importable: this module)
    x: float
    label: str


def frames() -> dict[str, pd.DataFrame]:
    n = 6
    mixed = pd.DataFrame(
        {
            "int": np.arange(n, dtype=np.int32),
            "float": [0.5, np.nan, 2.5, 3.5, np.nan, 5.5],
            "str": ["a", None, "c", "d", "e", "f"],
            "when": pd.date_range("2024-01-01", periods=n, freq="h"),
            "when_tz": pd.date_range("2024-01-01", periods=n, tz="Europe/Amsterdam"),
            "nullable": pd.array([1, None, 3, 4, None, 6], dtype="Int64"),
            "category": pd.Categorical(list("xyxyzz")),
            "flag": [True, False, True, True, False, False],
            "decimal": [decimal.Decimal("1.10")] * n,
            "day": [datetime.date(2024, 1, d + 1) for d in range(n)],
        },
        index=pd.Index([f"r{i}" for i in range(n)], name="row"),
    )
    return {
        "mixed": mixed,
        "nested objects": pd.DataFrame({"lists": [[1, 2], [3]], "dicts": [{"a": 1}, {"b": [2]}]}),
        "mixed objects": pd.DataFrame({"v": [1, "two", 3.0]}),
        "multi-index": pd.DataFrame(
            np.arange(12.0).reshape(4, 3),
            index=pd.MultiIndex.from_product([[1, 2], ["u", "v"]], names=["k", "s"]),
            columns=pd.MultiIndex.from_tuples([("a", 1), ("a", 2), ("b", 1)]),
        ),
        "int labels": pd.DataFrame({0: [1.0, 2.0], 1: [3, 4]}),
        "mixed labels": pd.DataFrame({0: [1.0, 2.0], "b": [3, 4]}),
        "duplicate labels": pd.DataFrame([[1, 2]], columns=["a", "a"]),
        "empty": pd.DataFrame({"a": pd.Series([], dtype="float64")}),
    }


@pytest.mark.parametrize("name", list(frames()))
@pytest.mark.parametrize("transport", ["memory", "disk"])
def test_dataframes_round_trip(sdk: SdkProject, name: str, transport: str) -> None:
    sdk.pipeline({"A": [], "B": ["A"]})
    frame = frames()[name]
    frame.attrs["source"] = "test"
    sdk.as_step("A")
    if transport == "memory":
        orchest.output(frame, name="df")
    else:
        orchest.transfer.output_to_disk(frame, name="df")
    sdk.as_step("B")
    back = orchest.get_inputs()["df"]
    pd.testing.assert_frame_equal(back, frame)
    if name not in ("duplicate labels",):
        assert back.attrs == {"source": "test"}


@pytest.mark.parametrize("transport", ["memory", "disk"])
def test_arrow_tables_batches_numpy_and_other_objects_round_trip(
    sdk: SdkProject, transport: str
) -> None:
    sdk.pipeline({"A": [], "B": ["A"]})
    chunked = pa.concat_tables([pa.table({"x": [1, 2]}), pa.table({"x": [3]})])
    objects: dict[str, Any] = {
        "table": chunked.replace_schema_metadata({"origin": "test"}),
        "batch": pa.record_batch({"s": ["a", None], "f": [1.5, None]}),
        "floats": np.linspace(0, 1, 100_000),
        "matrix": np.arange(24, dtype=np.int16).reshape(2, 3, 4).transpose(1, 0, 2),
        "objects": np.array([1, "a", None, {"k": 1}], dtype=object),
        "point": Point(1.5, "p"),
        "nested": {"a": [1, (2, 3)], "b": {"c": None, "d": b"bytes", "e": np.ones(3)}},
        "none": None,
    }
    for key, value in objects.items():
        sdk.as_step("A")
        write = orchest.output if transport == "memory" else orchest.transfer.output_to_disk
        write(value, name=key)
        sdk.as_step("B")
        back = orchest.get_inputs()[key]
        if isinstance(value, (pa.Table, pa.RecordBatch)):
            assert type(back) is type(value)
            assert back.equals(value) and back.schema.metadata == value.schema.metadata
        elif isinstance(value, np.ndarray):
            assert back.dtype == value.dtype and back.shape == value.shape
            assert all(a == b for a, b in zip(back.ravel(), value.ravel(), strict=True))
        elif key == "nested":
            assert back["a"] == value["a"] and back["b"]["d"] == b"bytes"
            assert np.array_equal(back["b"]["e"], value["b"]["e"])
        else:
            assert back == value


def _mapped(array: np.ndarray) -> bool:
    """Whether an array's memory is a view of a memory-mapped file."""
    base: Any = array
    while base is not None:
        if isinstance(base, mmap.mmap):
            return True
        if isinstance(base, memoryview):
            base = base.obj
            continue
        base = getattr(base, "base", None)
    return False


def test_reads_are_zero_copy_writable_and_private(sdk: SdkProject) -> None:
    sdk.pipeline({"A": [], "B": ["A"]})
    frame = pd.DataFrame({f"c{i}": np.arange(1000, dtype=np.float64) for i in range(4)})
    sdk.as_step("A")
    orchest.output({"frame": frame, "array": np.arange(100_000.0)}, name="x")
    sdk.as_step("A")
    orchest.transfer.output_to_disk(frame, name="frame")  # and the same frame on disk
    for stored in ("disk", "memory"):
        sdk.as_step("B")
        if stored == "memory":
            sdk.as_step("A")
            orchest.output(frame, name="frame")
            sdk.as_step("B")
        back = orchest.get_inputs()["frame"]
        column = back["c0"].to_numpy()
        assert _mapped(column), f"{stored}: the column is a view of the stored file"
        back.loc[0, "c0"] = 42.0  # code that changes its inputs in place works ...
        back["c1"] *= 2
        assert back.loc[0, "c0"] == 42.0
        again = orchest.get_inputs()["frame"]  # ... and changes only its own copy
        pd.testing.assert_frame_equal(again, frame)


def test_numpy_inside_objects_is_read_in_place(sdk: SdkProject) -> None:
    sdk.pipeline({"A": [], "B": ["A"]})
    sdk.as_step("A")
    orchest.output({"big": np.arange(1_000_000.0), "small": np.arange(3)}, name="x")
    sdk.as_step("B")
    back = orchest.get_inputs()["x"]
    assert _mapped(back["big"]) and back["big"].flags.writeable
    back["big"][0] = -1.0
    assert orchest.get_inputs()["x"]["big"][0] == 0.0


def test_named_and_unnamed_inputs_in_incoming_connections_order(sdk: SdkProject) -> None:
    sdk.pipeline({"P1": [], "P2": [], "P3": [], "P4": [], "C": ["P3", "P1", "P4", "P2"]})
    for title, name in (("P1", None), ("P2", "two"), ("P3", None), ("P4", "four")):
        sdk.as_step(title)
        orchest.output(f"from {title}", name=name)
    sdk.as_step("C")
    inputs = orchest.get_inputs()
    assert inputs == {"unnamed": ["from P3", "from P1"], "two": "from P2", "four": "from P4"}
    assert next(iter(inputs)) == "unnamed"


def test_a_step_without_parents_gets_only_unnamed(sdk: SdkProject) -> None:
    sdk.pipeline({"A": []})
    sdk.as_step("A")
    assert orchest.get_inputs() == {"unnamed": []}


def test_two_parents_with_the_same_name_collide(sdk: SdkProject) -> None:
    sdk.pipeline({"Left": [], "Right": [], "C": ["Left", "Right"]})
    for title in ("Left", "Right"):
        sdk.as_step(title)
        orchest.output(title, name="same")
    sdk.as_step("C")
    with pytest.raises(InputNameCollisionError, match="'same' from 'Left', 'Right'"):
        orchest.get_inputs()


def test_a_missing_input_names_its_parent(sdk: SdkProject) -> None:
    sdk.pipeline({"Load data": [], "Other": [], "C": ["Other", "Load data"]})
    sdk.as_step("Other")
    orchest.output(1, name="one")
    sdk.as_step("C")
    with pytest.raises(OutputNotFoundError) as caught:
        orchest.get_inputs()
    message = str(caught.value)
    assert "incoming step 'Load data' (step-load data, Load data.py)" in message
    assert "Run that step first" in message
    assert orchest.get_inputs(ignore_failure=True) == {"unnamed": [None], "one": 1}


def test_output_names_are_checked(sdk: SdkProject) -> None:
    sdk.pipeline({"A": []})
    sdk.as_step("A")
    for bad, why in (("unnamed", "reserved"), ("a; b", "cannot contain"), (3, "must be a str")):
        with pytest.raises(DataInvalidNameError, match=why):
            orchest.output("x", name=bad)  # type: ignore[arg-type]


def test_outputs_beyond_the_budget_go_to_disk_with_a_warning(sdk: SdkProject) -> None:
    sdk.pipeline({"Big": [], "Small": [], "C": ["Big", "Small"]}, memory_size="50KB")
    sdk.as_step("Small")
    orchest.output(np.zeros(1000), name="small")  # 8 KB: in memory
    sdk.as_step("Big")
    with pytest.warns(MemoryFallbackWarning) as warned:
        orchest.output(np.zeros(10_000), name="big")  # 80 KB: on disk
    message = str(warned[0].message)
    assert "step 'Big' does not fit in memory" in message
    assert "data_passing_memory_size is 50.0 KB" in message and str(sdk.data_dir("Big")) in message
    assert (sdk.store / f"{sdk.uuids['Small']}.arrow").exists()
    assert not (sdk.store / f"{sdk.uuids['Big']}.arrow").exists()
    assert (sdk.data_dir("Big") / "HEAD").read_text().endswith("; PICKLE; big")
    sdk.as_step("C")
    inputs = orchest.get_inputs()
    assert inputs["big"].shape == (10_000,) and inputs["small"].shape == (1000,)
    sdk.as_step("Big")
    with pytest.raises(MemoryError, match="does not fit in memory"):
        orchest.transfer.output_to_memory(np.zeros(10_000), "big", disk_fallback=False)


def test_steps_that_share_no_memory_pass_data_on_disk(sdk: SdkProject) -> None:
    """Steps in pods of their own (ORCHEST_DATA_TRANSPORT=disk) could never read each other's
    memory store: every output goes to the disk store, which their shared volume holds."""
    sdk.pipeline({"A": [], "B": [], "C": ["A", "B"]})
    sdk.as_step("A", ORCHEST_DATA_TRANSPORT="disk")
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # output() goes to disk without a word
        orchest.output(np.arange(3), name="a")
    sdk.as_step("B", ORCHEST_DATA_TRANSPORT="disk")
    with pytest.warns(MemoryFallbackWarning, match="steps do not share memory"):
        orchest.transfer.output_to_memory({"b": 1}, "b")
    with pytest.raises(MemoryError, match="cannot go to memory"):
        orchest.transfer.output_to_memory({"b": 2}, "b", disk_fallback=False)
    assert not sdk.store.exists() or not any(sdk.store.glob("*.arrow"))
    assert (sdk.data_dir("A") / "HEAD").read_text().endswith("; PICKLE; a")
    sdk.as_step("C", ORCHEST_DATA_TRANSPORT="disk")
    inputs = orchest.get_inputs()
    assert inputs["a"].tolist() == [0, 1, 2] and inputs["b"] == {"b": 1}


def test_a_full_tmpfs_falls_back_to_disk_saying_so(
    sdk: SdkProject, monkeypatch: pytest.MonkeyPatch
) -> None:
    sdk.pipeline({"A": [], "B": ["A"]})
    monkeypatch.setattr(_store, "_free_bytes", lambda path: 1000)
    sdk.as_step("A")
    with pytest.warns(MemoryFallbackWarning, match=r"has only 1.0 KB free .*ORCHEST_MEMORY_DIR"):
        orchest.output(np.zeros(1000), name="x")
    sdk.as_step("B")
    assert orchest.get_inputs()["x"].shape == (1000,)


def test_writes_in_progress_reserve_their_room(sdk: SdkProject) -> None:
    sdk.pipeline({"A": [], "B": []}, memory_size="100KB")
    sdk.store.mkdir(parents=True)
    reserved = sdk.store / f".tmp.{sdk.uuids['B']}.{os.getpid()}.90000.abcd"
    reserved.touch()
    assert _store.memory_usage(str(sdk.store)) == 90_000
    sdk.as_step("A")
    with pytest.warns(MemoryFallbackWarning, match="other outputs use 90.0 KB"):
        orchest.output(np.zeros(2000), name="x")  # 16 KB: no longer fits
    dead = sdk.store / f".tmp.{sdk.uuids['B']}.999999999.90000.abcd"
    reserved.rename(dead)
    assert _store.memory_usage(str(sdk.store)) == 0  # its writer is gone


def test_the_newest_write_wins_across_transports(sdk: SdkProject) -> None:
    sdk.pipeline({"A": [], "B": ["A"]})
    sdk.as_step("A")
    orchest.transfer.output_to_memory("memory 1", "x")
    orchest.transfer.output_to_disk("disk 2", "x")
    sdk.as_step("B")
    assert orchest.get_inputs() == {"unnamed": [], "x": "disk 2"}
    sdk.as_step("A")
    orchest.transfer.output_to_memory("memory 3", "y")
    sdk.as_step("B")
    assert orchest.get_inputs() == {"unnamed": [], "y": "memory 3"}
    # A HEAD written later (by Orchest's SDK, say) is newer than the memory output.
    folder = sdk.data_dir("A")
    later = (datetime.datetime.utcnow() + datetime.timedelta(seconds=5)).isoformat("T", "seconds")
    (folder / f"{sdk.uuids['A']}.PICKLE").write_bytes(pickle.dumps("orchest 4"))
    (folder / "HEAD").write_text(f"{later}; PICKLE; z")
    assert orchest.get_inputs() == {"unnamed": [], "z": "orchest 4"}


def test_job_runs_free_an_output_once_every_child_read_it(sdk: SdkProject) -> None:
    sdk.pipeline({"A": [], "B": ["A"], "C": ["A"]})
    output = sdk.store / f"{sdk.uuids['A']}.arrow"
    sdk.as_step("A", ORCHEST_MEMORY_EVICTION="1")
    orchest.output(np.arange(10), name="x")
    sdk.as_step("B", ORCHEST_MEMORY_EVICTION="1")
    assert orchest.get_inputs()["x"].sum() == 45
    with pytest.warns(RuntimeWarning, match="get_inputs\\(\\) was called before"):
        orchest.get_inputs()  # read again by the same child: still there
    assert output.exists()
    sdk.as_step("C", ORCHEST_MEMORY_EVICTION="1")
    data = orchest.get_inputs()["x"]
    assert not output.exists(), "every child read it: freed"
    assert data.sum() == 45, "what was read stays readable"
    with pytest.raises(OutputNotFoundError), pytest.warns(RuntimeWarning, match="called before"):
        orchest.get_inputs()
    # Interactive runs and kernels keep outputs.
    sdk.as_step("A")
    orchest.output(1, name="x")
    for child in ("B", "C"):
        sdk.as_step(child)
        orchest.get_inputs()
    assert output.exists()


def test_stale_stores_and_interrupted_writes_are_removed(sdk: SdkProject) -> None:
    sdk.pipeline({"A": []})
    _store.ensure_store(str(sdk.store), str(sdk.pipeline_file))
    gone = sdk.store.parent / "44444444-4444-4444-8444-444444444444"
    _store.ensure_store(str(gone), str(sdk.root / "deleted.orchest"))
    unknown = sdk.store.parent / "no-marker"
    unknown.mkdir()
    # A store of the layout before stores were kept by project: nothing reads it any more.
    flat = sdk.memory / "55555555-5555-4555-8555-555555555555"
    _store.ensure_store(str(flat / "x" / "y"), None)
    (flat / ".pipeline.json").write_text("{}")
    partial = sdk.store / f".tmp.{sdk.uuids['A']}.999999999.100.abcd"
    partial.touch()
    orphan, running = (sdk.memory / "job-runs" / name for name in ("orphan", "running"))
    for folder, pid in ((orphan, 999999999), (running, os.getpid())):
        folder.mkdir(parents=True)
        (folder / ".owner").write_text(str(pid))
    removed = remove_stale_stores(sdk.memory)
    project = sdk.store.parent.name
    assert sorted(removed) == sorted([f"{project}/{gone.name}", flat.name, "job-runs/orphan"])
    assert sdk.store.exists() and unknown.exists() and not gone.exists() and not flat.exists()
    assert not partial.exists()
    assert running.exists() and not orphan.exists()


def test_a_replaced_output_is_freed_and_readers_keep_theirs(sdk: SdkProject) -> None:
    sdk.pipeline({"A": [], "B": ["A"]})
    sdk.as_step("A")
    orchest.output(np.zeros(500_000), name="x")  # 4 MB: freed in the background when replaced
    sdk.as_step("B")
    before = orchest.get_inputs()["x"]
    sdk.as_step("A")
    orchest.output(np.ones(500_000), name="x")
    for thread in threading.enumerate():
        if thread.name == "orchest-discard":
            thread.join()
    assert sorted(p.name for p in sdk.store.iterdir() if not p.name.startswith(".")) == [
        f"{sdk.uuids['A']}.arrow"
    ]
    assert not list(sdk.store.glob(".tmp.*")), "nothing left of the replaced output"
    assert before.sum() == 0, "a reader of the old output still has it"
    sdk.as_step("B")
    assert orchest.get_inputs()["x"].sum() == 500_000
