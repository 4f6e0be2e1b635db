"""Runs through the REST API, on a real server with real kernels, notebooks and scripts."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import pytest
from api_client import call, payload, start_run, steps_by_title, wait_run
from conftest import tree_snapshot
from project_factory import read_outputs, stdout_of, write_pipeline

DIAMOND = {
    "A": ("a.ipynb", []),
    "B": ("b.py", ["A"]),
    "C": ("c.ipynb", ["A"]),
    "D": ("d.ipynb", ["B", "C"]),
}
DIAMOND_FILES: dict[str, Any] = {
    "a.ipynb": ["x = 6 * 7", "print('a says', x)"],
    "b.py": "print('b ran')\n",
    "c.ipynb": ["print('c ran')"],
    "d.ipynb": ["print('d ran')"],
}


@pytest.mark.parametrize(
    ("mode", "steps", "ran"),
    [
        ("full", [], {"A", "B", "C", "D"}),
        ("selection", ["C"], {"C"}),
        ("incoming", ["B"], {"A", "B"}),
        ("downstream", ["C"], {"C", "D"}),
    ],
)
async def test_each_mode_runs_its_steps_and_writes_their_outputs(
    jp_fetch: Any, jp_root_dir: Path, mode: str, steps: list[str], ran: set[str]
) -> None:
    write_pipeline(jp_root_dir, DIAMOND, DIAMOND_FILES)
    run = await start_run(jp_fetch, {"pipeline_path": "p.orchest", "mode": mode, "steps": steps})
    assert run["status"] in ("PENDING", "STARTED")
    run = await wait_run(jp_fetch, run["id"])
    assert run["status"] == "SUCCESS"
    assert {s["title"] for s in run["steps"]} == ran
    assert all(s["status"] == "SUCCESS" for s in run["steps"])
    if "A" in ran:
        assert read_outputs(jp_root_dir / "a.ipynb") == [
            (1, []),
            (2, [{"output_type": "stream", "name": "stdout", "text": "a says 42\n"}]),
        ]
    else:
        assert read_outputs(jp_root_dir / "a.ipynb") == [(None, []), (None, [])]


async def test_independent_steps_overlap_and_parallelism_is_capped(
    jp_fetch: Any, jp_root_dir: Path
) -> None:
    steps = {"One": ("one.ipynb", []), "Two": ("two.py", []), "Three": ("three.ipynb", [])}
    files = {n: "import time; time.sleep(1)" for n in ("one.ipynb", "three.ipynb")}
    files["two.py"] = "import time; time.sleep(1)\n"
    write_pipeline(jp_root_dir, steps, files, name="wide")
    write_pipeline(jp_root_dir, steps, files, name="narrow", max_parallel=1)

    def spans(run: dict[str, Any]) -> list[tuple[str, str]]:
        return sorted((s["started_at"], s["finished_at"]) for s in run["steps"])

    wide = await wait_run(
        jp_fetch, (await start_run(jp_fetch, {"pipeline_path": "wide.orchest"}))["id"]
    )
    (_, e1), (_, e2), (s3, _) = spans(wide)
    assert s3 < e1 and s3 < e2, "all three steps were running at the same time"

    narrow = await wait_run(
        jp_fetch, (await start_run(jp_fetch, {"pipeline_path": "narrow.orchest"}))["id"]
    )
    (_, e1), (s2, e2), (s3, _) = spans(narrow)
    assert e1 <= s2 and e2 <= s3, "max_steps_parallelism = 1 runs one step at a time"


async def test_a_failure_skips_descendants_and_lets_other_branches_finish(
    jp_fetch: Any, jp_root_dir: Path
) -> None:
    steps = {
        "Load": ("load.ipynb", []),
        "Divide": ("divide.ipynb", ["Load"]),
        "After": ("after.py", ["Divide"]),
        "Later": ("later.py", ["After"]),
        "Side": ("side.ipynb", ["Load"]),
    }
    files: dict[str, Any] = {
        "load.ipynb": ["print('loaded')"],
        "divide.ipynb": ["a = 1", "b = 0", "print('dividing')\na / b", "print('never')"],
        "after.py": "print('never')\n",
        "later.py": "print('never')\n",
        "side.ipynb": ["import time; time.sleep(0.5); print('side done')"],
    }
    write_pipeline(jp_root_dir, steps, files)
    run = await wait_run(
        jp_fetch, (await start_run(jp_fetch, {"pipeline_path": "p.orchest"}))["id"]
    )
    assert run["status"] == "FAILURE"
    by_title = steps_by_title(run)
    assert {t: s["status"] for t, s in by_title.items()} == {
        "Load": "SUCCESS",
        "Divide": "FAILURE",
        "After": "SKIPPED",
        "Later": "SKIPPED",
        "Side": "SUCCESS",
    }
    failure = by_title["Divide"]["failure"]
    assert (failure["name"], failure["message"], failure["cell_index"]) == (
        "ZeroDivisionError",
        "division by zero",
        2,
    )
    assert by_title["After"]["reason"] == "'Divide' failed"
    assert by_title["Later"]["reason"] == "'After' was skipped or aborted"
    # The notebook looks as JupyterLab leaves it: the error output, later cells not run.
    cells = read_outputs(jp_root_dir / "divide.ipynb")
    assert [count for count, _ in cells] == [1, 2, 3, None]
    assert [o["output_type"] for o in cells[2][1]] == ["stream", "error"]
    assert cells[2][1][1]["ename"] == "ZeroDivisionError"


async def test_scripts_that_fail_report_their_exit_status_and_last_error_line(
    jp_fetch: Any, jp_root_dir: Path
) -> None:
    steps = {"Shell": ("fail.sh", []), "Rstats": ("stats.R", [])}
    files = {"fail.sh": "echo working\necho 'no such table' >&2\nexit 3\n", "stats.R": "print(1)\n"}
    write_pipeline(jp_root_dir, steps, files)
    run = await wait_run(
        jp_fetch, (await start_run(jp_fetch, {"pipeline_path": "p.orchest"}))["id"]
    )
    shell = steps_by_title(run)["Shell"]["failure"]
    assert shell["name"] == "ExitStatus"
    assert shell["message"] == "fail.sh exited with status 3: no such table"
    rstats = steps_by_title(run)["Rstats"]
    if rstats["status"] == "FAILURE":  # on machines without R
        assert rstats["failure"]["message"] == "Rscript is not installed, so stats.R cannot run"


async def test_steps_get_orchest_variables_and_run_in_the_pipeline_folder(
    jp_fetch: Any, jp_root_dir: Path, data_dir: Path
) -> None:
    show = (
        "import os, json\n"
        "keys = ['ORCHEST_PROJECT_UUID', 'ORCHEST_PIPELINE_UUID', 'ORCHEST_PIPELINE_PATH',\n"
        "        'ORCHEST_STEP_UUID', 'ORCHEST_RUN_UUID', 'ORCHEST_DATA_DIR', 'GREETING']\n"
        "print(json.dumps({'cwd': os.getcwd(), **{k: os.environ.get(k) for k in keys}}))\n"
    )
    folder = jp_root_dir / "project" / "pipelines"
    steps = {"Notebook": ("show.ipynb", []), "Script": ("show.py", [])}
    document, uuids, pipeline_file = write_pipeline(
        folder, steps, {"show.ipynb": [show], "show.py": show}
    )
    document.data["env_variables"] = {"GREETING": "hello", "ORCHEST_STEP_UUID": "not this"}
    document.save(pipeline_file)
    (jp_root_dir / "project" / ".orchest").mkdir()
    run = await wait_run(
        jp_fetch,
        (await start_run(jp_fetch, {"pipeline_path": "project/pipelines/p.orchest"}))["id"],
    )
    assert run["status"] == "SUCCESS", run
    script_log = await call(jp_fetch, "GET", f"runs/{run['id']}/steps/{uuids['Script']}/log")
    seen = [json.loads(stdout_of(folder / "show.ipynb")), json.loads(script_log.body)]
    for values, title in zip(seen, ("Notebook", "Script"), strict=True):
        assert values["cwd"] == str(folder)
        assert values["ORCHEST_STEP_UUID"] == uuids[title]
        assert values["ORCHEST_RUN_UUID"] == run["id"]
        assert values["ORCHEST_PIPELINE_UUID"] == document.uuid
        assert values["ORCHEST_DATA_DIR"] == str(data_dir)
        assert values["GREETING"] == "hello"
        definition = json.loads(Path(values["ORCHEST_PIPELINE_PATH"]).read_text())
        assert definition["uuid"] == document.uuid
    assert seen[0]["ORCHEST_PROJECT_UUID"] == seen[1]["ORCHEST_PROJECT_UUID"]
    assert run["project"] == "project"


async def test_run_parameters_override_the_pipeline_for_that_run_only(
    jp_fetch: Any, jp_root_dir: Path
) -> None:
    document, uuids, pipeline_file = write_pipeline(
        jp_root_dir, {"Train": ("train.ipynb", [])}, {"train.ipynb": ["print('ok')"]}
    )
    document.data["parameters"] = {"dataset": "small"}
    document.data["steps"][uuids["Train"]]["parameters"] = {"lr": 0.1, "epochs": 3}
    document.save(pipeline_file)
    body = {
        "pipeline_path": "p.orchest",
        "parameters": {"pipeline": {"dataset": "large"}, "steps": {"Train": {"lr": 0.5}}},
    }
    run = await wait_run(jp_fetch, (await start_run(jp_fetch, body))["id"])
    assert run["parameters"] == {
        "pipeline": {"dataset": "large"},
        "steps": {uuids["Train"]: {"lr": 0.5}},
    }
    run_dir = jp_root_dir / ".orchest" / "pipelines" / str(document.uuid) / "runs" / run["id"]
    definition = json.loads((run_dir / "pipeline.json").read_text())
    assert definition["parameters"] == {"dataset": "large"}
    assert definition["steps"][uuids["Train"]]["parameters"] == {"lr": 0.5, "epochs": 3}
    assert json.loads(pipeline_file.read_text())["parameters"] == {"dataset": "small"}


async def test_cells_tagged_skip_do_not_run(jp_fetch: Any, jp_root_dir: Path) -> None:
    cells = ["print('first')", ("print('skipped')", ["skip"]), "print('last')"]
    write_pipeline(jp_root_dir, {"N": ("n.ipynb", [])}, {"n.ipynb": cells})
    await wait_run(jp_fetch, (await start_run(jp_fetch, {"pipeline_path": "p.orchest"}))["id"])
    assert stdout_of(jp_root_dir / "n.ipynb") == "first\nlast\n"
    assert [count for count, _ in read_outputs(jp_root_dir / "n.ipynb")] == [1, None, 2]


async def test_one_file_can_back_two_steps(jp_fetch: Any, jp_root_dir: Path) -> None:
    steps = {"Salt water": ("salt.py", []), "Salt tomatoes": ("salt.py", [])}
    write_pipeline(
        jp_root_dir, steps, {"salt.py": "import os; print(os.environ['ORCHEST_STEP_UUID'])\n"}
    )
    run = await wait_run(
        jp_fetch, (await start_run(jp_fetch, {"pipeline_path": "p.orchest"}))["id"]
    )
    logs = set()
    for step in run["steps"]:
        response = await call(jp_fetch, "GET", f"runs/{run['id']}/steps/{step['uuid']}/log")
        logs.add(response.body.decode().strip())
    assert logs == {s["uuid"] for s in run["steps"]}


async def test_logs_are_kept_per_run_and_the_latest_per_step(
    jp_fetch: Any, jp_root_dir: Path
) -> None:
    document, uuids, _ = write_pipeline(
        jp_root_dir, {"S": ("s.py", [])}, {"s.py": "import uuid; print(uuid.uuid4())\n"}
    )
    first = await wait_run(
        jp_fetch, (await start_run(jp_fetch, {"pipeline_path": "p.orchest"}))["id"]
    )
    second = await wait_run(
        jp_fetch, (await start_run(jp_fetch, {"pipeline_path": "p.orchest"}))["id"]
    )
    texts = []
    for run in (first, second):
        response = await call(jp_fetch, "GET", f"runs/{run['id']}/steps/{uuids['S']}/log")
        assert int(response.headers["X-Log-Offset"]) == len(response.body)
        assert response.headers["Content-Type"] == "text/plain; charset=utf-8"
        texts.append(response.body.decode())
    assert texts[0] != texts[1]
    latest = (
        jp_root_dir / ".orchest" / "pipelines" / str(document.uuid) / "logs" / f"{uuids['S']}.log"
    )
    assert latest.read_text() == texts[1]
    listed = payload(await call(jp_fetch, "GET", "runs", params={"pipeline": "p.orchest"}))["runs"]
    assert [r["id"] for r in listed] == [second["id"], first["id"]]
    assert listed[0]["steps"] == {"SUCCESS": 1}


async def test_following_a_log_streams_it_until_the_step_ends(
    jp_fetch: Any, jp_root_dir: Path
) -> None:
    script = (
        "import time\nfor i in range(5):\n    print('tick', i, flush=True)\n    time.sleep(0.2)\n"
    )
    _, uuids, _ = write_pipeline(jp_root_dir, {"Ticker": ("tick.py", [])}, {"tick.py": script})
    run = await start_run(jp_fetch, {"pipeline_path": "p.orchest"})
    chunks: list[bytes] = []
    response = await call(
        jp_fetch,
        "GET",
        f"runs/{run['id']}/steps/{uuids['Ticker']}/log",
        params={"follow": "true"},
        streaming_callback=chunks.append,
    )
    assert response.code == 200
    assert response.headers["Content-Type"] == "text/plain; charset=utf-8"
    assert b"".join(chunks).decode() == "".join(f"tick {i}\n" for i in range(5))
    assert len(chunks) > 1, "the log arrived in pieces, as it was written"


async def test_a_notebook_changed_on_disk_during_the_run_is_not_overwritten(
    jp_fetch: Any, jp_root_dir: Path
) -> None:
    started = jp_root_dir / "started"
    cells = [f"open({str(started)!r}, 'w').close()\nimport time; time.sleep(1.5)", "print('done')"]
    write_pipeline(jp_root_dir, {"Slow": ("slow.ipynb", [])}, {"slow.ipynb": cells})
    run = await start_run(jp_fetch, {"pipeline_path": "p.orchest"})
    notebook = jp_root_dir / "slow.ipynb"
    # The first cell runs, and the run wrote the file as that cell started (with the kernel's
    # language_info): it writes again only when the cell ends.
    while not (started.exists() and "language_info" in notebook.read_text()):
        await asyncio.sleep(0.02)
    edited = notebook.read_text().replace("print('done')", "print('edited by the user')")
    notebook.write_text(edited)
    run = await wait_run(jp_fetch, run["id"])
    failure = steps_by_title(run)["Slow"]["failure"]
    assert failure["name"] == "NotebookChangedOnDisk"
    assert "slow.ipynb was changed on disk" in failure["message"]
    assert notebook.read_text() == edited


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"pipeline_path": "nowhere.orchest"}, "pipeline 'nowhere.orchest' does not exist"),
        ({"pipeline_path": "p.orchest", "mode": "sideways"}, "mode must be one of"),
        (
            {"pipeline_path": "p.orchest", "mode": "selection", "steps": ["Ghost"]},
            "no step has the uuid or title 'Ghost'",
        ),
        ({"pipeline_path": "p.orchest", "mode": "selection"}, "needs at least one selected step"),
        (
            {"pipeline_path": "p.orchest", "parameters": {"pipeline": [1]}},
            "parameters.pipeline must be an object",
        ),
        (
            {"pipeline_path": "p.orchest", "parameters": {"steps": {"Ghost": {}}}},
            "parameters.steps: no step has",
        ),
        ({"pipeline_path": "p.orchest", "parameters": {"stages": {}}}, "unknown key 'stages'"),
        ({"pipeline_path": "cyclic.orchest"}, "pipeline 'cyclic.orchest' is not valid (1 error)"),
        ({"pipeline_path": "../p.orchest"}, "leaves the root folder"),
        ({"mode": "full"}, "field 'pipeline_path' is required"),
        ({"pipeline_path": "p.orchest", "bogus": True}, "unknown field 'bogus'"),
    ],
)
async def test_bad_run_requests_are_refused_and_start_nothing(
    jp_fetch: Any, jp_root_dir: Path, body: dict[str, Any], message: str
) -> None:
    write_pipeline(jp_root_dir, DIAMOND, DIAMOND_FILES)
    write_pipeline(jp_root_dir, {"X": ("b.py", ["Y"]), "Y": ("b.py", ["X"])}, {}, name="cyclic")
    before = tree_snapshot(jp_root_dir)
    response = await call(jp_fetch, "POST", "runs", body)
    assert response.code == 400
    assert message in payload(response)["message"]
    assert tree_snapshot(jp_root_dir) == before
    assert payload(await call(jp_fetch, "GET", "runs"))["runs"] == []


async def test_unknown_runs_and_steps_are_404(jp_fetch: Any, jp_root_dir: Path) -> None:
    missing = "0f1e2d3c-4b5a-4978-8695-a4b3c2d1e0f9"
    for method in ("GET", "DELETE"):
        response = await call(jp_fetch, method, f"runs/{missing}")
        assert response.code == 404
        assert payload(response)["message"] == f"there is no run '{missing}'"
    write_pipeline(jp_root_dir, {"S": ("s.py", [])}, {"s.py": "print(1)\n"})
    run = await wait_run(
        jp_fetch, (await start_run(jp_fetch, {"pipeline_path": "p.orchest"}))["id"]
    )
    response = await call(jp_fetch, "GET", f"runs/{run['id']}/steps/nope/log")
    assert response.code == 404
    log = f"runs/{run['id']}/steps/{run['steps'][0]['uuid']}/log"
    response = await call(jp_fetch, "GET", log, params={"offset": "-1"})
    assert response.code == 400


async def test_a_run_whose_notebook_another_run_is_writing_is_refused(
    jp_fetch: Any, jp_root_dir: Path
) -> None:
    cells = ["import time; time.sleep(1)"]
    write_pipeline(jp_root_dir, {"Slow": ("slow.ipynb", [])}, {"slow.ipynb": cells})
    first = await start_run(jp_fetch, {"pipeline_path": "p.orchest"})
    runs_dir = next((jp_root_dir / ".orchest" / "pipelines").iterdir()) / "runs"
    second = await call(jp_fetch, "POST", "runs", {"pipeline_path": "p.orchest"})
    assert second.code == 409
    assert payload(second)["message"] == (
        f"slow.ipynb is being written by run {first['id']} of pipeline 'test'; "
        "wait for that run to end, or cancel it"
    )
    assert [p.name for p in runs_dir.iterdir()] == [first["id"]], "nothing of it is left"
    assert (await wait_run(jp_fetch, first["id"]))["status"] == "SUCCESS"
    # Once the first run ended, the notebook is free again.
    again = await start_run(jp_fetch, {"pipeline_path": "p.orchest"})
    assert (await wait_run(jp_fetch, again["id"]))["status"] == "SUCCESS"
