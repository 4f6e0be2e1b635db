"""The SDK as Orchest's: it reads what Orchest wrote and writes what Orchest reads, finds its
step, parameters and pipeline as Orchest's did (also as `import orchest` in a plain Python),
describes frames as pyarrow does and shares the stores' layout with the server."""

from __future__ import annotations

import datetime
import json
import os
import pickle
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.ipc as ipc
import pytest
from sdk_helpers import SdkProject

from orchest_lab import sdk as orchest
from orchest_lab.sdk import SDK_PATH
from orchest_lab.sdk.orchest import _serialize, _store
from orchest_lab.sdk.orchest.error import (
    PipelineDefinitionNotFoundError,
    StepUUIDResolveError,
)


@pytest.fixture(name="sdk")
def sdk_project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> SdkProject:
    return SdkProject.create(tmp_path, monkeypatch)


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
