"""Previews of the data steps pass (`GET pipelines/data/preview`), of outputs written by real runs
through the SDK: DataFrames and arrays read in place, objects unpickled in a process of their
own that a hanging or greedy pickle cannot take the server down with."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from api_client import call, payload, start_run, wait_run
from project_factory import write_pipeline

from orchest_lab.data import preview

STEPS: dict[str, tuple[str, list[str]]] = {
    "Frame": ("step_frame.py", []),
    "Array": ("step_array.py", []),
    "Object": ("step_object.py", []),
    "On disk": ("step_disk.py", []),
    "Silent": ("step_silent.py", []),
    "Wide": ("step_wide.py", []),
    "Reader": ("step_reader.py", ["Frame"]),
}
FILES: dict[str, Any] = {
    "step_frame.py": (
        "import orchest, pandas as pd\n"
        "cities = ['Oslo', 'Lima', 'Pune'] * 10\n"
        "orchest.output(pd.DataFrame({'city': cities, 'temp': [i * 0.5 for i in range(30)],"
        " 'rank': range(30)}), name='weather')\n"
    ),
    "step_array.py": (
        "import orchest, numpy as np\norchest.output(np.arange(24).reshape(6, 4), 'grid')\n"
    ),
    "step_object.py": (
        "import orchest\norchest.output({'model': 'tree', 'depth': 3, 'notes': 'x' * 10000})\n"
    ),
    "step_disk.py": (
        "import orchest, pandas as pd\n"
        "orchest.transfer.output_to_disk(pd.DataFrame({'a': [1, 2, 3]}), name='stored')\n"
    ),
    "step_silent.py": "print('nothing passed on')\n",
    "step_wide.py": (
        "import orchest, pandas as pd\n"
        "orchest.output(pd.DataFrame({f'c{i}': ['y' * 10000] * 500 for i in range(60)}))\n"
    ),
    "step_reader.py": "import orchest\nprint(len(orchest.get_inputs()['weather']))\n",
}
# Pickles that run code when unpickled: one sleeps, one asks for 8 GiB.
HOSTILE_STEPS: dict[str, tuple[str, list[str]]] = {
    "Sleeper": ("sleeper.py", []),
    "Greedy": ("greedy.py", []),
}
HOSTILE_FILES: dict[str, Any] = {
    "sleeper.py": (
        "import orchest, time\n"
        "class Sleeper:\n"
        "    def __reduce__(self):\n"
        "        return (time.sleep, (600,))\n"
        "orchest.output(Sleeper(), name='sleeper')\n"
    ),
    "greedy.py": (
        "import orchest\n"
        "class Greedy:\n"
        "    def __reduce__(self):\n"
        "        return (bytearray, (8 * 2**30,))\n"
        "orchest.output(Greedy(), name='greedy')\n"
    ),
}


async def run(
    jp_fetch: Any, steps: dict[str, Any], files: dict[str, Any], root: Path
) -> dict[str, str]:
    _, uuids, _ = write_pipeline(root, steps, files)
    record = await wait_run(
        jp_fetch, (await start_run(jp_fetch, {"pipeline_path": "p.orchest"}))["id"], timeout=120
    )
    assert record["status"] == "SUCCESS", [s["failure"] for s in record["steps"]]
    return uuids


async def get_preview(jp_fetch: Any, step: str, **params: Any) -> Any:
    query = {"path": "p.orchest", "step": step, **{k: str(v) for k, v in params.items()}}
    return await call(jp_fetch, "GET", "pipelines/data/preview", params=query)


async def test_previews_show_dataframes_arrays_and_objects(
    jp_fetch: Any, jp_root_dir: Path
) -> None:
    uuids = await run(jp_fetch, STEPS, FILES, jp_root_dir)

    response = await get_preview(jp_fetch, uuids["Frame"], rows=3)
    assert response.code == 200, payload(response)
    frame = payload(response)
    assert frame["name"] == "weather" and frame["type"] == "DataFrame"
    assert frame["transport"] == "memory" and frame["up_to_date"] is True
    assert frame["kind"] == "table" and frame["shape"] == [30, 3]
    assert frame["columns"] == [
        {"name": "city", "dtype": str(pd.Series(["Oslo"]).dtype)},  # object, or pandas 3's str
        {"name": "temp", "dtype": "float64"},
        {"name": "rank", "dtype": "int64"},
    ]
    assert frame["rows"] == [["Oslo", "0.0", "0"], ["Lima", "0.5", "1"], ["Pune", "1.0", "2"]]
    assert frame["index"] == ["0", "1", "2"]
    assert frame["bytes"] > 0

    array = payload(await get_preview(jp_fetch, uuids["Array"], rows=2))
    assert array["type"] == "ndarray" and array["kind"] == "array"
    assert array["shape"] == [6, 4] and array["dtype"] == "int64"
    assert array["slice"] == "[[0 1 2 3]\n [4 5 6 7]]"

    obj = payload(await get_preview(jp_fetch, uuids["Object"]))
    assert obj["type"] == "pickled object" and obj["name"] is None and obj["kind"] == "object"
    assert obj["repr"].startswith("{'model': 'tree', 'depth': 3, 'notes': 'xxx")
    assert len(obj["repr"]) <= preview.MAX_REPR_CHARS + 2, "a long repr is cut"

    disk = payload(await get_preview(jp_fetch, uuids["On disk"]))
    assert disk["transport"] == "disk" and disk["shape"] == [3, 1]
    assert disk["rows"] == [["1"], ["2"], ["3"]]

    # However large the output, the preview is bounded: rows, columns, characters.
    wide = payload(await get_preview(jp_fetch, uuids["Wide"], rows=100))
    assert wide["shape"] == [500, 60]
    assert len(wide["rows"]) == 100 and wide["columns_shown"] == preview.MAX_COLUMNS
    assert {len(cell) for row in wide["rows"] for cell in row} == {preview.MAX_CELL_CHARS}
    assert all(len(row) == preview.MAX_COLUMNS for row in wide["rows"])

    # The listing the editor labels edges with says the same, without reading the data.
    listed = payload(await call(jp_fetch, "GET", "pipelines/data", params={"path": "p.orchest"}))
    summaries = {o["title"]: o["summary"] for o in listed["outputs"]}
    assert summaries["Frame"] == {"type": "DataFrame", "shape": [30, 3]}
    assert summaries["Array"] == {"type": "ndarray", "shape": [6, 4], "dtype": "int64"}
    assert summaries["Object"] == {"type": "pickled object", "class": "builtins.dict", "length": 3}

    # A changed step file: its output is no longer up to date.
    (jp_root_dir / "step_frame.py").write_text(FILES["step_frame.py"] + "# changed\n")
    assert payload(await get_preview(jp_fetch, uuids["Frame"]))["up_to_date"] is False


async def test_a_pickle_that_hangs_or_takes_all_memory_gives_an_error_not_a_dead_server(
    jp_fetch: Any, jp_root_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(preview, "UNPICKLE_SECONDS", 3.0)
    uuids = await run(jp_fetch, HOSTILE_STEPS, HOSTILE_FILES, jp_root_dir)

    hanging = asyncio.ensure_future(get_preview(jp_fetch, uuids["Sleeper"]))
    # While that pickle sleeps in its process, the server answers other requests.
    listed = await call(jp_fetch, "GET", "pipelines/data", params={"path": "p.orchest"})
    assert listed.code == 200 and not hanging.done()
    sleeper = payload(await hanging)
    assert sleeper["kind"] == "error" and sleeper["name"] == "sleeper"
    assert "took longer than 3 s and was stopped" in sleeper["error"]

    greedy = payload(await get_preview(jp_fetch, uuids["Greedy"]))
    assert greedy["kind"] == "error"
    assert "needs more than 512 MiB of memory" in greedy["error"]

    # The server answers as before.
    listed = await call(jp_fetch, "GET", "pipelines/data", params={"path": "p.orchest"})
    assert listed.code == 200 and len(payload(listed)["outputs"]) == 2


async def test_bad_requests_are_refused_naming_the_field(jp_fetch: Any, jp_root_dir: Path) -> None:
    _, uuids, _ = write_pipeline(jp_root_dir, STEPS, FILES)
    outside = jp_root_dir.parent / "outside.orchest"
    outside.write_text((jp_root_dir / "p.orchest").read_text())
    (jp_root_dir / "link.orchest").symlink_to(outside)
    cases = [
        ({"step": uuids["Frame"], "rows": "many"}, 400, "/rows", "'rows' must be"),
        ({"step": uuids["Frame"], "rows": "101"}, 400, "/rows", "from 0 to 100"),
        ({"step": uuids["Frame"], "rows": "-1"}, 400, "/rows", "from 0 to 100"),
        ({}, 400, "/step", "'step' is required"),
        ({"step": "no-such-step"}, 404, "/step", "has no step 'no-such-step'"),
        ({"step": uuids["Silent"]}, 404, "/step", "step 'Silent' has no stored output"),
        ({"path": "", "step": uuids["Frame"]}, 400, "/path", "'path' is required"),
        ({"path": "../outside.orchest", "step": uuids["Frame"]}, 400, "/path", "outside"),
        ({"path": "link.orchest", "step": uuids["Frame"]}, 400, "/path", "outside"),
        ({"path": "missing.orchest", "step": uuids["Frame"]}, 404, None, "missing.orchest"),
    ]
    for params, status, pointer, message in cases:
        query = {"path": "p.orchest", **params}
        response = await call(jp_fetch, "GET", "pipelines/data/preview", params=query)
        body = payload(response)
        assert response.code == status, (params, body)
        assert message in body["message"], (params, body)
        if pointer is not None:
            assert body["issues"][0]["pointer"] == pointer, (params, body)
