"""An Orchest project behaves as it did in Orchest: steps run in their file's folder, get
Orchest's session variables, leave no stale outputs below a failure, and honour the pipeline's
memory eviction in interactive runs."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from api_client import call, payload, start_run, steps_by_title, wait_run
from project_factory import read_outputs, stdout_of, write_notebook, write_pipeline

from orchest_lab.data.outputs import store_dir


async def run_pipeline(jp_fetch: Any) -> dict[str, Any]:
    return await wait_run(
        jp_fetch, (await start_run(jp_fetch, {"pipeline_path": "p.orchest"}))["id"]
    )


async def test_a_step_in_a_sub_folder_runs_in_its_own_folder(
    jp_fetch: Any, jp_root_dir: Path
) -> None:
    (jp_root_dir / "sub").mkdir()
    (jp_root_dir / "sub" / "data.csv").write_text("a,b\n1,2\n")
    files: dict[str, Any] = {
        "sub/clean.ipynb": [
            "import os; print(open('data.csv').read().split()[1], os.environ['PWD'])"
        ],
        "sub/load.py": (
            "import os\nopen('seen.txt', 'w').write(os.getcwd() + ' ' + os.environ['PWD'])\n"
        ),
    }
    write_pipeline(
        jp_root_dir, {"Load": ("sub/load.py", []), "Clean": ("sub/clean.ipynb", [])}, files
    )
    run = await run_pipeline(jp_fetch)
    assert run["status"] == "SUCCESS", steps_by_title(run)
    folder = str(jp_root_dir / "sub")
    assert stdout_of(jp_root_dir / "sub" / "clean.ipynb") == f"1,2 {folder}\n"
    assert (jp_root_dir / "sub" / "seen.txt").read_text() == f"{folder} {folder}"


async def test_steps_get_orchest_session_variables(jp_fetch: Any, jp_root_dir: Path) -> None:
    script = (
        "import json, os\n"
        "keys = ['ORCHEST_SESSION_UUID', 'ORCHEST_SESSION_TYPE', 'ORCHEST_PROJECT_UUID',"
        " 'ORCHEST_PIPELINE_UUID']\n"
        "print(json.dumps({k: os.environ[k] for k in keys}))\n"
    )
    document, _, _ = write_pipeline(jp_root_dir, {"S": ("s.ipynb", [])}, {"s.ipynb": [script]})
    run = await run_pipeline(jp_fetch)
    assert run["status"] == "SUCCESS"
    seen = json.loads(stdout_of(jp_root_dir / "s.ipynb"))
    assert seen["ORCHEST_SESSION_TYPE"] == "interactive"
    assert seen["ORCHEST_PIPELINE_UUID"] == document.uuid
    expected = seen["ORCHEST_PROJECT_UUID"][:18] + str(document.uuid)[:18]
    assert seen["ORCHEST_SESSION_UUID"] == expected


async def test_a_failing_cell_leaves_no_stale_output_below_it(
    jp_fetch: Any, jp_root_dir: Path
) -> None:
    write_pipeline(jp_root_dir, {"S": ("s.ipynb", [])}, {"s.ipynb": ["print('ok')"]})
    # The notebook as an earlier run left it: every cell with an output and a count.
    write_notebook(
        jp_root_dir / "s.ipynb", "print('one')", "1 / 0", "print('three')", ("x", ["skip"])
    )
    notebook = json.loads((jp_root_dir / "s.ipynb").read_text())
    for count, cell in enumerate(notebook["cells"], 1):
        cell["execution_count"] = count
        cell["outputs"] = [{"output_type": "stream", "name": "stdout", "text": "old\n"}]
    (jp_root_dir / "s.ipynb").write_text(json.dumps(notebook))
    run = await run_pipeline(jp_fetch)
    assert run["status"] == "FAILURE"
    outputs = read_outputs(jp_root_dir / "s.ipynb")
    assert outputs[0] == (1, [{"output_type": "stream", "name": "stdout", "text": "one\n"}])
    count, failed = outputs[1]
    assert count == 2 and failed[0]["output_type"] == "error"  # the failure is in the notebook
    assert outputs[2] == (None, []) and outputs[3] == (None, []), "nothing of the earlier run"


async def test_memory_eviction_of_the_pipeline_frees_outputs_in_interactive_runs(
    jp_fetch: Any, jp_root_dir: Path, memory_dir: Path
) -> None:
    files = {
        "a.py": "import orchest\norchest.output(list(range(1000)), name='x')\n",
        "b.py": "import orchest\nprint(len(orchest.get_inputs()['x']))\n",
    }
    document, uuids, path = write_pipeline(
        jp_root_dir, {"A": ("a.py", []), "B": ("b.py", ["A"])}, files
    )
    stored = store_dir(memory_dir, jp_root_dir, str(document.uuid)) / f"{uuids['A']}.arrow"
    run = await run_pipeline(jp_fetch)
    assert run["status"] == "SUCCESS" and stored.exists(), "kept when eviction is off"
    document.data["settings"]["auto_eviction"] = True
    document.save(path)
    run = await run_pipeline(jp_fetch)
    assert run["status"] == "SUCCESS"
    assert not stored.exists(), "freed once B, its only reader, read it"


async def test_two_copies_of_a_project_never_share_outputs(
    jp_fetch: Any, jp_root_dir: Path
) -> None:
    files = {
        "a.py": "import orchest\norchest.output(41, name='x')\n",
        "b.py": "import orchest\nprint(orchest.get_inputs()['x'] + 1)\n",
    }
    steps = {"A": ("a.py", []), "B": ("b.py", ["A"])}
    one, two = jp_root_dir / "one", jp_root_dir / "two"
    write_pipeline(one, steps, files)
    write_pipeline(two, steps, files)
    (two / "p.orchest").write_text((one / "p.orchest").read_text())  # the same pipeline uuid
    run = await wait_run(
        jp_fetch, (await start_run(jp_fetch, {"pipeline_path": "one/p.orchest"}))["id"]
    )
    assert run["status"] == "SUCCESS"
    plan = payload(
        await call(jp_fetch, "POST", "pipelines/plan", {"path": "two/p.orchest", "mode": "full"})
    )
    assert [step["outputs"] for step in plan["data"]] == ["none", "none"]
    lone = {"pipeline_path": "two/p.orchest", "mode": "selection", "steps": ["B"]}
    run = await wait_run(jp_fetch, (await start_run(jp_fetch, lone))["id"])
    b = steps_by_title(run)["B"]
    assert b["status"] == "FAILURE", "two's B cannot read what one's A wrote"
    assert b["failure"]["name"] == "ExitStatus"
