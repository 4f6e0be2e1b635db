"""Data passing in real runs on real servers and kernels: steps hand data to each other, a
notebook opened in JupyterLab reads the last run's data, fingerprints decide what `outdated`
runs, runs clean up what they must, and the API shows the data."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import nbformat
from api_client import call, payload, start_run, steps_by_title, wait_run
from jupyter_client.asynchronous.client import AsyncKernelClient
from project_factory import stdout_of, write_notebook, write_pipeline

from orchest_lab.data.outputs import store_dir
from orchest_lab.executors.local import LocalExecutor
from orchest_lab.pipeline import PipelineDocument, make_plan
from orchest_lab.records import RunRecord, Status
from orchest_lab.runs.engine import RunEngine
from orchest_lab.runs.kernels import notebook_kernel_chooser
from orchest_lab.runs.prepare import RunLocation, prepare_run
from orchest_lab.runs.slots import StepSlots

DIAMOND = {
    "Load": ("load.ipynb", []),
    "Clean": ("clean.py", ["Load"]),
    "Features": ("features.ipynb", ["Load"]),
    "Train": ("train.ipynb", ["Features", "Clean"]),
    "Report": ("report.py", ["Train"]),
}
DIAMOND_FILES: dict[str, Any] = {
    "load.ipynb": [
        "import orchest, pandas as pd",
        "rows = orchest.get_step_param('rows', 5)\n"
        "orchest.output(pd.DataFrame({'x': range(rows), 'y': [i * 0.5 for i in range(rows)]}),"
        " name='table')",
    ],
    "clean.py": (
        "import orchest\n"
        "table = orchest.get_inputs()['table']\n"
        "orchest.output(table[table.x > 0], name=None)\n"
    ),
    "features.ipynb": [
        "import orchest, numpy as np",
        "table = orchest.get_inputs()['table']\n"
        "orchest.output({'mean': float(table.y.mean()), 'squares': np.square(table.x.to_numpy())},"
        " name='features')",
    ],
    "train.ipynb": [
        "import json, orchest",
        "inputs = orchest.get_inputs()\n"
        "cleaned, = inputs['unnamed']\n"
        "print(json.dumps({'names': sorted(inputs), 'rows': len(cleaned),"
        " 'squares': inputs['features']['squares'].tolist(), 'mean': inputs['features']['mean'],"
        " 'rate': orchest.get_pipeline_param('rate')}))\n"
        "orchest.output(len(cleaned), name='model')",
    ],
    "report.py": "import orchest\nprint('model', orchest.get_inputs()['model'])\n",
}


def diamond(root: Path) -> tuple[PipelineDocument, dict[str, str], Path]:
    document, uuids, path = write_pipeline(root, DIAMOND, DIAMOND_FILES)
    document.data["parameters"] = {"rate": 0.5}
    document.save(path)
    return document, uuids, path


async def run_pipeline(jp_fetch: Any, body: dict[str, Any]) -> dict[str, Any]:
    run = await wait_run(jp_fetch, (await start_run(jp_fetch, body))["id"], timeout=120)
    failures = {s["title"]: s["failure"] for s in run["steps"] if s["failure"]}
    assert run["status"] == "SUCCESS", failures
    return run


async def test_steps_pass_dataframes_arrays_and_objects_in_memory(
    jp_fetch: Any, jp_root_dir: Path, memory_dir: Path
) -> None:
    document, uuids, _ = diamond(jp_root_dir)
    await run_pipeline(jp_fetch, {"pipeline_path": "p.orchest"})
    printed = json.loads(stdout_of(jp_root_dir / "train.ipynb"))
    assert printed == {
        "names": ["features", "unnamed"],
        "rows": 4,
        "squares": [0, 1, 4, 9, 16],
        "mean": 1.0,
        "rate": 0.5,
    }
    store = store_dir(memory_dir, jp_root_dir, str(document.uuid))
    assert sorted(p.name for p in store.glob("*.arrow")) == sorted(
        f"{uuids[t]}.arrow" for t in ("Load", "Clean", "Features", "Train")
    ), "every output is an Arrow file in the pipeline's memory store; Report output nothing"
    log = jp_root_dir / ".orchest" / "pipelines" / str(document.uuid) / "logs"
    assert "model 4" in (log / f"{uuids['Report']}.log").read_text()


async def test_a_missing_input_fails_the_step_naming_the_parent(
    jp_fetch: Any, jp_root_dir: Path
) -> None:
    steps = {"Silent parent": ("silent.py", []), "Child": ("child.ipynb", ["Silent parent"])}
    files = {
        "silent.py": "print('no output')\n",
        "child.ipynb": ["import orchest", "orchest.get_inputs()"],
    }
    write_pipeline(jp_root_dir, steps, files)
    run = await wait_run(
        jp_fetch, (await start_run(jp_fetch, {"pipeline_path": "p.orchest"}))["id"]
    )
    failure = steps_by_title(run)["Child"]["failure"]
    assert failure["name"] == "OutputNotFoundError"
    assert "incoming step 'Silent parent'" in failure["message"]
    assert "Run that step first" in failure["message"]


async def execute_in_session(jp_fetch: Any, jp_serverapp: Any, path: str, code: str) -> str:
    """Open `path` as JupyterLab does (a session with a new python3 kernel), run `code` in its
    kernel and return what it printed (stdout and error text)."""
    body = {
        "path": path,
        "name": Path(path).name,
        "type": "notebook",
        "kernel": {"name": "python3"},
    }
    session = json.loads(
        (await jp_fetch("api", "sessions", method="POST", body=json.dumps(body))).body
    )
    manager = jp_serverapp.kernel_manager.get_kernel(session["kernel"]["id"])
    client: AsyncKernelClient = manager.client()
    client.start_channels()
    printed: list[str] = []

    def keep(message: dict[str, Any]) -> None:
        content = message["content"]
        if message["msg_type"] == "stream":
            printed.append(content["text"])
        elif message["msg_type"] == "error":
            printed.append(f"{content['ename']}: {content['evalue']}")

    try:
        await client.wait_for_ready(timeout=60)
        await client.execute_interactive(code, output_hook=keep, timeout=60)
    finally:
        client.stop_channels()
        await jp_fetch("api", "sessions", session["id"], method="DELETE")
    return "".join(printed)


async def test_a_notebook_opened_in_jupyterlab_reads_the_last_runs_data(
    jp_fetch: Any, jp_root_dir: Path, jp_serverapp: Any
) -> None:
    # Two pipelines in two folders, each with a notebook "use.ipynb": same name, other steps.
    for folder in ("one", "two"):
        write_pipeline(
            jp_root_dir / folder,
            {"Make": ("make.py", []), "Use": ("use.ipynb", ["Make"])},
            {
                "make.py": f"import orchest\norchest.output('made in {folder}', name='x')\n",
                "use.ipynb": ["import orchest"],
            },
        )
        await run_pipeline(
            jp_fetch,
            {"pipeline_path": f"{folder}/p.orchest", "mode": "selection", "steps": ["Make"]},
        )
    code = "import orchest\nprint(orchest.get_inputs()['x'], orchest.__file__)"
    for folder in ("one", "two"):
        printed = await execute_in_session(jp_fetch, jp_serverapp, f"{folder}/use.ipynb", code)
        assert printed.startswith(f"made in {folder} "), printed
        assert printed.strip().endswith(
            os.path.join("orchest_lab", "sdk", "orchest", "__init__.py")
        )

    # A notebook that is a step of two pipelines: the kernel cannot know which is meant.
    write_notebook(jp_root_dir / "shared" / "nb.ipynb", "1")
    for name in ("a", "b"):
        write_pipeline(jp_root_dir / "shared", {"S": ("nb.ipynb", [])}, {}, name=name)
    printed = await execute_in_session(jp_fetch, jp_serverapp, "shared/nb.ipynb", code)
    assert printed.startswith("StepUUIDResolveError: Notebook "), printed
    assert "a.orchest step 'S'" in printed and "b.orchest step 'S'" in printed

    # A notebook of no pipeline gets the explanation of how steps are found.
    write_notebook(jp_root_dir / "lonely.ipynb", "1")
    printed = await execute_in_session(jp_fetch, jp_serverapp, "lonely.ipynb", code)
    assert "is not a step of any pipeline" in printed and "JPY_SESSION_NAME" in printed

    # Data output from JupyterLab replaces the run's; the plan says so.
    await execute_in_session(
        jp_fetch, jp_serverapp, "one/make.py", "import orchest\norchest.output('by hand', name='x')"
    )
    plan = payload(
        await call(
            jp_fetch, "POST", "pipelines/plan", {"path": "one/p.orchest", "mode": "outdated"}
        )
    )
    assert [s["title"] for s in plan["steps"]] == ["Make", "Use"]
    assert plan["steps"][0]["reason"] == (
        "out of date: its output was replaced since its last run (by a kernel or another run)"
    )
    printed = await execute_in_session(jp_fetch, jp_serverapp, "one/use.ipynb", code)
    assert printed.startswith("by hand ")


def plan_of(response: Any) -> dict[str, Any]:
    assert response.code == 200, payload(response)
    plan: dict[str, Any] = payload(response)
    return plan


async def outdated(jp_fetch: Any, **extra: Any) -> dict[str, Any]:
    body = {"path": "p.orchest", "mode": "outdated", **extra}
    return plan_of(await call(jp_fetch, "POST", "pipelines/plan", body))


async def test_fingerprints_decide_what_an_outdated_run_runs(
    jp_fetch: Any, jp_root_dir: Path
) -> None:
    document, uuids, path = diamond(jp_root_dir)
    before = await outdated(jp_fetch)
    assert [s["title"] for s in before["steps"]] == list(DIAMOND)
    assert {s["title"]: s["outputs"] for s in before["data"]} == dict.fromkeys(DIAMOND, "none")

    await run_pipeline(jp_fetch, {"pipeline_path": "p.orchest"})
    after = await outdated(jp_fetch)
    assert after["steps"] == []
    assert all(s["up_to_date"] and not s["runs"] for s in after["data"])
    assert {s["title"]: s["outputs"] for s in after["data"]} == {
        **dict.fromkeys(DIAMOND, "available"),
        "Report": "none",  # it writes no output, and is up to date all the same
    }

    # Runs wrote outputs into the notebooks; a markdown cell is no code: nothing changes.
    notebook = nbformat.read(jp_root_dir / "load.ipynb", as_version=4)
    notebook.cells.append(nbformat.v4.new_markdown_cell("Notes"))
    notebook.metadata["edited"] = True
    nbformat.write(notebook, jp_root_dir / "load.ipynb")
    assert (await outdated(jp_fetch))["steps"] == []

    # Editing a script: it and what depends on it.
    (jp_root_dir / "clean.py").write_text(DIAMOND_FILES["clean.py"] + "# cleaner\n")
    plan = await outdated(jp_fetch)
    assert {s["title"]: s["reason"] for s in plan["steps"]} == {
        "Clean": "out of date: its file changed",
        "Train": "out of date: 'Clean' changed",
        "Report": "out of date: 'Train' changed",
    }
    # Selected steps limit the candidates to them and their ancestors.
    only = await outdated(jp_fetch, steps=["Features"])
    assert only["steps"] == [] and only["selected"] == [uuids["Features"]]

    # Changing a step's parameter; a run's own parameters count as well.
    document.data["steps"][uuids["Features"]]["parameters"] = {"unused": 1}
    document.save(path)
    plan = await outdated(jp_fetch)
    assert [s["title"] for s in plan["steps"]] == ["Clean", "Features", "Train", "Report"]
    with_params = await outdated(jp_fetch, parameters={"steps": {"Load": {"rows": 3}}})
    assert [s["title"] for s in with_params["steps"]] == list(DIAMOND)

    # An outdated run runs only those, reusing Load's stored output.
    load_outputs = stdout_of(jp_root_dir / "load.ipynb")
    run = await run_pipeline(jp_fetch, {"pipeline_path": "p.orchest", "mode": "outdated"})
    assert [s["title"] for s in run["steps"]] == ["Clean", "Features", "Train", "Report"]
    assert stdout_of(jp_root_dir / "load.ipynb") == load_outputs
    assert (await outdated(jp_fetch))["steps"] == []

    # A run with other parameters makes the steps out of date for the file's parameters.
    await run_pipeline(
        jp_fetch,
        {
            "pipeline_path": "p.orchest",
            "mode": "outdated",
            "parameters": {"steps": {"Load": {"rows": 3}}},
        },
    )
    assert json.loads(stdout_of(jp_root_dir / "train.ipynb"))["rows"] == 2
    assert len((await outdated(jp_fetch))["steps"]) == 5
    assert (await outdated(jp_fetch, parameters={"steps": {"Load": {"rows": 3}}}))["steps"] == []


async def test_the_api_lists_a_pipelines_data_and_memory_use(
    jp_fetch: Any, jp_root_dir: Path, memory_dir: Path
) -> None:
    document, _, _ = diamond(jp_root_dir)
    (jp_root_dir / "clean.py").write_text(
        "import orchest\norchest.transfer.output_to_disk(orchest.get_inputs()['table'], None)\n"
    )
    run = await run_pipeline(jp_fetch, {"pipeline_path": "p.orchest"})
    response = await call(jp_fetch, "GET", "pipelines/data", params={"path": "p.orchest"})
    assert response.code == 200, payload(response)
    data = payload(response)
    outputs = {o["title"]: o for o in data["outputs"]}
    assert set(outputs) == {"Load", "Clean", "Features", "Train"}
    assert outputs["Load"]["transport"] == "memory" and outputs["Load"]["type"] == "DataFrame"
    assert outputs["Load"]["serialization"] == "ARROW_TABLE" and outputs["Load"]["name"] == "table"
    assert outputs["Clean"]["transport"] == "disk" and outputs["Clean"]["name"] is None
    assert outputs["Features"]["type"] == "pickle"
    assert all(o["run"] == run["id"] and o["up_to_date"] and o["current"] for o in outputs.values())
    memory = sum(o["bytes"] for o in data["outputs"] if o["transport"] == "memory")
    assert data["totals"]["memory_bytes"] == memory > 0
    assert data["totals"]["disk_bytes"] == outputs["Clean"]["bytes"] > 0
    assert data["totals"]["memory_budget_bytes"] == 10**9
    assert data["memory_dir"] == str(store_dir(memory_dir, jp_root_dir, str(document.uuid)))

    for params, message in (
        ({}, "query parameter 'path' is required"),
        ({"path": "../p.orchest"}, "leaves the root folder"),
        ({"path": "nope.orchest"}, "does not exist"),
    ):
        response = await call(jp_fetch, "GET", "pipelines/data", params=params)
        assert response.code in (400, 404) and message in payload(response)["message"]


async def wait_for(condition: Any, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        await asyncio.sleep(0.05)


async def test_a_cancelled_run_removes_what_its_unfinished_steps_wrote(
    jp_fetch: Any, jp_root_dir: Path, memory_dir: Path
) -> None:
    steps = {"Quick": ("quick.py", []), "Slow": ("slow.ipynb", ["Quick"])}
    files = {
        "quick.py": "import orchest\norchest.output(1, name='q')\n",
        "slow.ipynb": ["import orchest, time\norchest.output(2, name='s')", "time.sleep(300)"],
    }
    document, uuids, _ = write_pipeline(jp_root_dir, steps, files)
    store = store_dir(memory_dir, jp_root_dir, str(document.uuid))
    run = await start_run(jp_fetch, {"pipeline_path": "p.orchest"})
    await wait_for(lambda: (store / f"{uuids['Slow']}.arrow").exists())
    response = await call(jp_fetch, "DELETE", f"runs/{run['id']}")
    assert payload(response)["status"] == "ABORTED"
    assert not (store / f"{uuids['Slow']}.arrow").exists(), "the unfinished step's output is gone"
    assert (store / f"{uuids['Quick']}.arrow").exists(), "the finished step's output stays"


class _Quiet:
    def run_changed(self, run: RunRecord) -> None: ...

    def step_changed(self, run: RunRecord, step: Any) -> None: ...

    def cell(self, *args: Any) -> None: ...

    def stream(self, *args: Any) -> None: ...


async def test_a_job_run_frees_outputs_as_they_are_read_and_leaves_none(
    tmp_path: Path, monkeypatch: Any
) -> None:
    """Jobs do not exist yet: a run of kind "job", prepared and run as a job would be."""
    memory = tmp_path / "memory"
    reads = tmp_path / "reads.txt"
    read = (  # B and C read A's output, then say what the store holds
        "import json, os, orchest\n"
        "x = orchest.get_inputs()['x']\n"
        "store = os.path.join(os.environ['ORCHEST_MEMORY_DIR'],\n"
        "                     os.environ['ORCHEST_PROJECT_UUID'],\n"
        "                     os.environ['ORCHEST_PIPELINE_UUID'])\n"
        f"with open({str(reads)!r}, 'a') as f:\n"
        "    held = sorted(n for n in os.listdir(store) if n.endswith('.arrow'))\n"
        "    f.write(json.dumps([os.environ['ORCHEST_MEMORY_EVICTION'], held]) + '\\n')\n"
        "orchest.output(x + 1, name=os.environ['ORCHEST_STEP_UUID'])\n"
    )
    steps = {"A": ("a.py", []), "B": ("b.py", ["A"]), "C": ("c.py", ["A"]), "D": ("d.py", ["B"])}
    files = {
        "a.py": "import orchest\norchest.output(1, name='x')\n",
        "b.py": read,
        "c.py": read,
        "d.py": "import orchest\nprint(orchest.get_inputs())\n",
    }
    document, uuids, path = write_pipeline(tmp_path, steps, files)
    interactive = store_dir(memory, tmp_path, str(document.uuid)) / f"{uuids['A']}.arrow"
    interactive.parent.mkdir(parents=True)
    interactive.write_bytes(b"an interactive run's output")
    executor = LocalExecutor(kernel_pool_size=0, workdir=str(tmp_path))
    prepared = prepare_run(
        RunLocation(tmp_path, path, tmp_path),
        document,
        make_plan(document, "full"),
        {"pipeline": {}, "steps": {}},
        data_dir=tmp_path / "data",
        choose_kernel=notebook_kernel_chooser(executor.kernel_spec_manager),
        kind="job",
        memory_dir=memory,
    )
    engine = RunEngine(executor, _Quiet(), StepSlots(0))
    try:
        run = await engine.wait(engine.start(prepared).id)
    finally:
        await executor.close()
    assert run is not None and run.status is Status.SUCCESS
    assert not (memory / "job-runs" / run.id).exists(), "a job run leaves no output in memory"
    assert interactive.read_bytes() == b"an interactive run's output", "nor touches others'"
    seen = [json.loads(line) for line in reads.read_text().splitlines()]
    assert [flag for flag, _ in seen] == ["1", "1"], (
        "steps of a job run get ORCHEST_MEMORY_EVICTION"
    )
    assert any(f"{uuids['A']}.arrow" not in held for _, held in seen), (
        "once B and C both read A's output, it was freed"
    )


def test_orchest_lab_run_outdated_reruns_only_what_changed(tmp_path: Path) -> None:
    steps = {"Make": ("make.py", []), "Use": ("use.py", ["Make"])}
    files = {
        "make.py": "import orchest\norchest.output(41, name='n')\n",
        "use.py": "import orchest\nprint('n+1 =', orchest.get_inputs()['n'] + 1)\n",
    }
    write_pipeline(tmp_path, steps, files)
    env = {**os.environ, "ORCHEST_MEMORY_DIR": str(tmp_path / "memory")}

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "orchest_lab.cli", *args],
            cwd=tmp_path,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )

    first = run("run", "p.orchest", "--mode", "outdated", "--output", "--data-dir", "data")
    assert first.returncode == 0, first.stderr
    assert first.stderr.startswith("0 of 2 steps up to date: their stored outputs are reused\n")
    assert "(outdated: 2 steps)" in first.stderr and "n+1 = 42" in first.stderr
    again = run("run", "p.orchest", "--mode", "outdated", "--data-dir", "data")
    assert again.returncode == 0, again.stderr
    assert (
        again.stderr.startswith("2 of 2 steps up to date") and "(outdated: 0 steps)" in again.stderr
    )
    (tmp_path / "use.py").write_text(files["use.py"] + "# changed\n")
    plan = run("plan", "p.orchest", "--mode", "outdated")
    assert "  [*] ( ) Make  up to date" in plan.stdout
    assert "  [ ] (>) Use   out of date: its file changed" in plan.stdout  # it outputs nothing
