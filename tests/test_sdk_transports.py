"""The SDK's data passing in this process, step by step: round-trips through memory and disk,
zero-copy reads, inputs' names and order, errors, the memory budget, newest-wins, eviction and
Orchest's on-disk format."""

from __future__ import annotations

import dataclasses
import datetime
import decimal
import json
import mmap
import os
import pickle
import subprocess
import sys
import threading
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.ipc as ipc
import pytest
from sdk_helpers import SdkProject

from orchest_lab import sdk as orchest
from orchest_lab.data.outputs import remove_stale_stores
from orchest_lab.sdk import SDK_PATH
from orchest_lab.sdk.orchest import _serialize, _store
from orchest_lab.sdk.orchest.error import (
    DataInvalidNameError,
    InputNameCollisionError,
    MemoryFallbackWarning,
    OutputNotFoundError,
    PipelineDefinitionNotFoundError,
    StepUUIDResolveError,
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


def test_data_written_by_orchest_is_read(sdk: SdkProject) -> None:
    """Orchest's SDK wrote Arrow IPC streams and in-band pickles, with a HEAD per step."""
    sdk.pipeline({"T": [], "R": [], "P": [], "C": ["T", "R", "P"]})
    table = pa.table({"a": [1, 2, 3]})
    for title, serialization, name in (
        ("T", "ARROW_TABLE", "table"),
        ("R", "ARROW_BATCH", "unnamed"),
        ("P", "PICKLE", "obj"),
    ):
        folder = sdk.data_dir(title)
        folder.mkdir(parents=True)
        path = folder / f"{sdk.uuids[title]}.{serialization}"
        if serialization == "PICKLE":
            path.write_bytes(pickle.dumps({"k": [1, 2]}, protocol=4))
        else:
            sink = pa.BufferOutputStream()
            with ipc.RecordBatchStreamWriter(sink, table.schema) as writer:
                writer.write_table(table)
            path.write_bytes(sink.getvalue().to_pybytes())
        (folder / "HEAD").write_text(f"2023-06-01T10:00:00; {serialization}; {name}")
    sdk.as_step("C")
    inputs = orchest.get_inputs()
    assert inputs["table"].equals(table)
    assert isinstance(inputs["unnamed"][0], pa.RecordBatch)
    assert inputs["unnamed"][0].equals(table.to_batches()[0])
    assert inputs["obj"] == {"k": [1, 2]}


def _read_like_orchest(folder: Path, step_uuid: str) -> tuple[str, Any]:
    """What Orchest's SDK did to read a step's output from disk."""
    timestamp, serialization, name = (folder / "HEAD").read_text().split("; ")
    datetime.datetime.fromisoformat(timestamp)
    path = folder / f"{step_uuid}.{serialization}"
    if serialization == "PICKLE":
        with open(path, "rb") as f:
            return name, pickle.load(f)
    with pa.memory_map(str(path), "rb") as source:
        stream = ipc.open_stream(source)
        return name, stream.read_all() if serialization == "ARROW_TABLE" else next(iter(stream))


def test_orchest_reads_what_output_to_disk_writes(sdk: SdkProject) -> None:
    sdk.pipeline({"A": []})
    frame = pd.DataFrame({"a": [1.0, 2.0], "s": ["x", "y"]})
    cases: list[tuple[Any, str | None]] = [
        (frame, "frame"),
        (pa.record_batch({"b": [1]}), None),
        ({"k": np.arange(3)}, "dict"),
    ]
    for data, name in cases:
        sdk.as_step("A")
        orchest.transfer.output_to_disk(data, name=name)
        read_name, back = _read_like_orchest(sdk.data_dir("A"), sdk.uuids["A"])
        assert read_name == (name or "unnamed")
        if isinstance(data, pd.DataFrame):
            assert isinstance(back, pa.Table)  # Orchest gets the table; orchest-lab the frame
            pd.testing.assert_frame_equal(back.to_pandas(), frame)
        elif isinstance(data, pa.RecordBatch):
            assert back.equals(data)
        else:
            assert np.array_equal(back["k"], data["k"])
    files = sorted(p.name for p in sdk.data_dir("A").iterdir())
    assert files == ["HEAD", "orchest-lab.json", f"{sdk.uuids['A']}.PICKLE"]  # stale ones gone


def test_orchest_serialized_bytes_can_be_output_as_they_are(sdk: SdkProject) -> None:
    sdk.pipeline({"A": [], "B": ["A"]})
    sdk.as_step("A")
    serialization = orchest.transfer.Serialization.PICKLE
    orchest.transfer.output_to_disk(pickle.dumps([1, 2]), "raw", serialization=serialization)
    sdk.as_step("B")
    assert orchest.get_inputs() == {"unnamed": [], "raw": [1, 2]}


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


def test_outside_a_pipeline_the_error_says_how_steps_are_found(sdk: SdkProject) -> None:
    sdk.pipeline({"A": []})
    sdk.outside()
    for call in (orchest.get_inputs, lambda: orchest.output(1, name="x"), orchest.get_step_params):
        with pytest.raises(StepUUIDResolveError) as caught:
            call()
        message = str(caught.value)
        assert "ORCHEST_PIPELINE_PATH is not set" in message
        assert "JPY_SESSION_NAME" in message and "ORCHEST_STEP_UUID" in message
    sdk.outside(ORCHEST_PIPELINE_PATH=str(sdk.pipeline_file), ORCHEST_STEP_UUID="nope")
    with pytest.raises(StepUUIDResolveError, match="ORCHEST_STEP_UUID is nope, which is not"):
        orchest.get_inputs()
    sdk.outside(ORCHEST_PIPELINE_PATH=str(sdk.root / "gone.orchest"))
    with pytest.raises(PipelineDefinitionNotFoundError, match="does not exist"):
        orchest.get_inputs()


def test_parameters_and_the_pipeline_api(sdk: SdkProject) -> None:
    sdk.pipeline(
        {"A": [], "B": ["A"]},
        parameters={"rate": 0.1},
        step_parameters={"A": {"rows": 10, "name": "a"}},
    )
    sdk.as_step("A")
    assert orchest.get_step_param("rows") == 10
    assert orchest.get_step_param("missing", "default") == "default"
    assert orchest.get_pipeline_param("rate") == 0.1
    assert orchest.get_step_params() == {"rows": 10, "name": "a"}
    assert orchest.get_pipeline_params() == {"rate": 0.1}
    assert orchest.parameters.get_params() == ({"rows": 10, "name": "a"}, {"rate": 0.1})
    with open(sdk.pipeline_file) as f:
        pipeline = orchest.pipeline.Pipeline.from_json(json.load(f))
    assert orchest.utils.get_step_uuid(pipeline) == sdk.uuids["A"]
    step_b = pipeline.get_step_by_uuid(sdk.uuids["B"])
    assert [p.properties["title"] for p in step_b.parents] == ["A"]
    assert orchest.utils.get_pipeline().get_params() == {"rate": 0.1}
    assert str(sdk.pipeline_file) == orchest.Config.PIPELINE_DEFINITION_PATH
    assert orchest.Config.get_step_data_dir(sdk.uuids["A"]) == str(sdk.data_dir("A"))
    assert orchest.get_services() == {}
    with pytest.raises(orchest.error.ServiceNotFound, match="does not start the services"):
        orchest.get_service("db")


def test_a_notebook_finds_its_step_among_same_named_notebooks(
    sdk: SdkProject, tmp_path: Path
) -> None:
    one = sdk.pipeline({"Prep": []}, uuid="11111111-1111-4111-8111-111111111111")
    one.rename(sdk.root / "one.orchest")
    sdk.uuids.clear()
    sdk.pipeline(
        {"Prep": []},
        uuid="22222222-2222-4222-8222-222222222222",
        file=sdk.root / "sub" / "two.orchest",
    )
    # Both pipelines have a step "Prep.py", in different folders.
    notebook_one, notebook_two = sdk.root / "Prep.py", sdk.root / "sub" / "Prep.py"
    for notebook in (notebook_one, notebook_two):
        notebook.touch()
    sdk.outside(JPY_SESSION_NAME=str(notebook_two))
    orchest.output("two", name="x")
    project = _store.project_uuid(str(sdk.root))
    assert (
        sdk.memory / project / "22222222-2222-4222-8222-222222222222" / "step-prep.arrow"
    ).exists()
    sdk.outside(JPY_SESSION_NAME=str(notebook_one))
    orchest.output("one", name="x")
    assert (
        sdk.memory / project / "11111111-1111-4111-8111-111111111111" / "step-prep.arrow"
    ).exists()
    # A path relative to the server root, found above the working folder.
    sdk.monkeypatch.chdir(sdk.root / "sub")
    sdk.outside(JPY_SESSION_NAME=f"{sdk.root.name}/sub/Prep.py")
    assert (
        orchest.utils.get_step_uuid(
            orchest.pipeline.Pipeline.from_json(
                json.loads((sdk.root / "sub" / "two.orchest").read_text())
            )
        )
        == "step-prep"
    )
    # The same notebook as a step of two pipelines: which one is meant cannot be known.
    (sdk.root / "three.orchest").write_text(
        (sdk.root / "one.orchest")
        .read_text()
        .replace("11111111-1111-4111-8111-111111111111", "33333333-3333-4333-8333-333333333333")
    )
    sdk.outside(JPY_SESSION_NAME=str(notebook_one))
    with pytest.raises(StepUUIDResolveError) as caught:
        orchest.get_inputs()
    message = str(caught.value)
    assert "is a step of several pipelines" in message
    assert "one.orchest step 'Prep' (step-prep)" in message
    assert "three.orchest step 'Prep' (step-prep)" in message
    assert "ORCHEST_PIPELINE_PATH" in message
    sdk.outside(JPY_SESSION_NAME=str(sdk.root / "elsewhere.ipynb"))
    with pytest.raises(StepUUIDResolveError, match="is not a step of any pipeline"):
        orchest.get_inputs()


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


def test_import_orchest_is_this_sdk_in_a_plain_python(tmp_path: Path) -> None:
    code = (
        "import orchest, json; print(json.dumps([orchest.__file__, orchest.__version__, "
        "orchest.transfer.Serialization.PICKLE.name, orchest.errors.StepUUIDResolveError "
        "is orchest.error.StepUUIDResolveError]))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        env={**os.environ, "PYTHONPATH": str(SDK_PATH)},
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=True,
    )
    path, version, pickle_name, same = json.loads(done.stdout)
    assert path == str(SDK_PATH / "orchest" / "__init__.py")
    assert version.startswith("0.3") and pickle_name == "PICKLE" and same


@pytest.mark.parametrize(
    "index",
    [None, pd.RangeIndex(10, 30, 2, name="r"), pd.Index(list("abcdefghij"), name="k")],
    ids=["default", "range", "labels"],
)
@pytest.mark.parametrize("columns", ["numeric", "mixed"])
def test_frames_are_described_as_pyarrow_describes_them(index: Any, columns: str) -> None:
    """Numeric columns are handed to Arrow without pyarrow's conversion; the schema and pandas
    metadata must still be exactly what Table.from_pandas gives (for data without NaN)."""
    data: dict[Any, Any] = {
        "f": np.arange(10.0),
        "i": np.arange(10),
        "u": np.arange(10, dtype="u1"),
    }
    if columns == "mixed":
        data.update({"s": list("abcdefghij"), "d": pd.date_range("2024-01-01", periods=10)})
    frame = pd.DataFrame(data, index=index)
    batch = _serialize.frame_to_batch(frame)
    assert batch is not None
    assert batch.schema.equals(pa.Table.from_pandas(frame).schema, check_metadata=True)
    assert pa.Table.from_batches([batch]).equals(pa.Table.from_pandas(frame))


def test_the_server_knows_the_stores_layout_as_the_sdk_does(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from orchest_lab.data import outputs

    assert outputs.MEMORY_SUFFIX == _store.MEMORY_SUFFIX
    assert outputs.TMP_PREFIX == _store.TMP_PREFIX
    assert outputs.PIPELINE_MARKER == _store.PIPELINE_MARKER
    assert str(outputs.default_memory_root()) == _store.default_memory_root()
    monkeypatch.setenv("ORCHEST_MEMORY_DIR", str(tmp_path))
    assert str(outputs.memory_root_from_env()) == _store.memory_root() == str(tmp_path)
    name = f".tmp.step.{os.getpid()}.10.abcd"
    parsed = _store.parse_tmp_name(name)
    assert parsed is not None and outputs._parse_tmp_name(name) == parsed[:2]


def test_runs_that_pass_no_data_do_not_load_pyarrow(tmp_path: Path) -> None:
    """`orchest-lab run` of steps that pass no data: the server side never imports the SDK."""
    (tmp_path / "s.py").write_text("print('hi')\n")
    pipeline = {
        "name": "p",
        "uuid": "55555555-5555-4555-8555-555555555555",
        "version": "1.0.0",
        "settings": {},
        "parameters": {},
        "steps": {
            "s": {
                "uuid": "s",
                "title": "S",
                "file_path": "s.py",
                "incoming_connections": [],
                "environment": "",
                "parameters": {},
            },
        },
    }
    (tmp_path / "p.orchest").write_text(json.dumps(pipeline))
    code = (
        "import sys\n"
        "from orchest_lab.cli import main\n"
        "code = main(['run', 'p.orchest', '--data-dir', 'data'])\n"
        "assert code == 0, code\n"
        "print('pyarrow' in sys.modules)\n"
    )
    env = {**os.environ, "ORCHEST_MEMORY_DIR": str(tmp_path / "memory")}
    done = subprocess.run(
        [sys.executable, "-c", code],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert done.stdout.strip() == "False", done.stderr


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
