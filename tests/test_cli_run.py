"""`orchest-lab run` as a user runs it: a real subprocess, real kernels, real signals."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from project_factory import stdout_of, write_pipeline
from test_runs_lifecycle import alive

COMMAND = [sys.executable, "-m", "orchest_lab.cli", "run"]


def run_cli(*args: str, cwd: Path, data_dir: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*COMMAND, *args, "--data-dir", str(data_dir)],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_a_run_shows_progress_per_step_and_succeeds(tmp_path: Path) -> None:
    steps = {"Load": ("load.ipynb", []), "Report": ("report.py", ["Load"])}
    files = {"load.ipynb": ["print('loaded')"], "report.py": "print('report')\n"}
    write_pipeline(tmp_path, steps, files)
    done = run_cli("p.orchest", cwd=tmp_path, data_dir=tmp_path / "data")
    assert done.returncode == 0, done.stderr
    lines = done.stderr.splitlines()
    assert lines[0].startswith("Running 'test' (full: 2 steps), run ")
    assert [line.split()[:2] for line in lines[1:5]] == [
        ["..", "Load"],
        ["ok", "Load"],
        ["..", "Report"],
        ["ok", "Report"],
    ]
    assert lines[-1].startswith("SUCCESS in ") and lines[-1].endswith(": 2 succeeded")
    assert stdout_of(tmp_path / "load.ipynb") == "loaded\n"


def test_a_failing_run_exits_non_zero_and_says_why(tmp_path: Path) -> None:
    steps = {"Bad": ("bad.ipynb", []), "After": ("after.py", ["Bad"]), "Fine": ("fine.py", [])}
    files = {"bad.ipynb": ["x = 1", "raise ValueError('no data')"], "after.py": "", "fine.py": ""}
    write_pipeline(tmp_path, steps, files)
    done = run_cli("p.orchest", "--json", cwd=tmp_path, data_dir=tmp_path / "data")
    assert done.returncode == 1
    assert "FAILED  Bad    ValueError: no data (cell 1)" in done.stderr
    assert "skipped  After  'Bad' failed" in done.stderr
    run = json.loads(done.stdout)
    assert run["status"] == "FAILURE"
    assert {s["title"]: s["status"] for s in run["steps"]} == {
        "Bad": "FAILURE",
        "After": "SKIPPED",
        "Fine": "SUCCESS",
    }


def test_modes_steps_and_parameters(tmp_path: Path) -> None:
    show = "import json, os\nd = json.load(open(os.environ['ORCHEST_PIPELINE_PATH']))\n"
    show += "print(d['parameters'], d['steps'][os.environ['ORCHEST_STEP_UUID']]['parameters'])\n"
    steps = {"A": ("a.py", []), "B.v2": ("b.py", ["A"]), "C": ("c.py", ["B.v2"])}
    write_pipeline(tmp_path, steps, {"a.py": show, "b.py": show, "c.py": show})
    done = run_cli(
        "p.orchest",
        "--mode", "incoming", "--steps", "B.v2",
        "--param", "size=3", "--param", "B.v2.rate=0.5", "--param", "name=plain text",
        "--output", cwd=tmp_path, data_dir=tmp_path / "data",
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "{'size': 3, 'name': 'plain text'} {}" in done.stderr  # A: pipeline parameters only
    assert "{'size': 3, 'name': 'plain text'} {'rate': 0.5}" in done.stderr  # B.v2: its own too
    assert "(incoming: 2 steps)" in done.stderr

    bad = run_cli("p.orchest", "--param", "oops", cwd=tmp_path, data_dir=tmp_path / "data")
    assert bad.returncode == 2
    assert "'oops' is not KEY=VALUE or STEP.KEY=VALUE" in bad.stderr


def test_ctrl_c_cancels_the_run_and_leaves_no_process(tmp_path: Path) -> None:
    pids = tmp_path / "pids"
    notebook = [
        "import os, subprocess\n"
        "child = subprocess.Popen(['sleep', '300'])\n"
        f"open({str(pids)!r}, 'w').write(f'{{os.getpid()}} {{child.pid}}')",
        "import time; time.sleep(300)",
    ]
    write_pipeline(tmp_path, {"Busy": ("busy.ipynb", [])}, {"busy.ipynb": notebook})
    process = subprocess.Popen(
        [*COMMAND, "p.orchest", "--data-dir", str(tmp_path / "data")],
        cwd=tmp_path,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONFAULTHANDLER": "1"},  # see below
    )
    deadline = time.monotonic() + 60
    while not pids.exists() or not pids.read_text():
        assert time.monotonic() < deadline and process.poll() is None
        time.sleep(0.05)
    started = [int(p) for p in pids.read_text().split()]
    process.send_signal(signal.SIGINT)
    try:
        _, stderr = process.communicate(timeout=10)
    except subprocess.TimeoutExpired:
        # Seen once in a CI run, not reproduced since: the report says where it waits (with
        # PYTHONFAULTHANDLER, Python prints every thread's stack on SIGABRT).
        process.send_signal(signal.SIGABRT)
        _, stderr = process.communicate(timeout=10)
        pytest.fail(f"the command did not end within 10 s of its SIGINT:\n{stderr}")
    assert process.returncode == 130
    assert "ABORTED (interrupted from the keyboard)" in stderr
    deadline = time.monotonic() + 2
    while any(alive(pid) for pid in started):
        assert time.monotonic() < deadline, "a kernel or its child outlived the run"
        time.sleep(0.05)
    assert os.path.exists(tmp_path / "busy.ipynb")


def test_an_invalid_pipeline_does_not_run(tmp_path: Path) -> None:
    write_pipeline(tmp_path, {"A": ("missing.py", [])}, {})
    done = run_cli("p.orchest", cwd=tmp_path, data_dir=tmp_path / "data")
    assert done.returncode == 1
    assert "[missing-file] step 'A': file 'missing.py' does not exist" in done.stderr
    assert "Running" not in done.stderr


def test_set_reads_a_list_setting_written_out_or_repeated() -> None:
    from orchest_lab.cli.common import configured_preload, jupyter_config

    key = "OrchestLab.preload_modules"
    assert configured_preload(jupyter_config([f'{key}=["numpy", "pandas"]'])) == [
        "numpy",
        "pandas",
    ]
    assert configured_preload(jupyter_config([f"{key}=numpy", f"{key}=pandas"])) == [
        "numpy",
        "pandas",
    ]
    assert configured_preload(jupyter_config([f"{key}=[]"])) == []


def test_a_kernelspec_in_ipythons_folder_is_found(tmp_path: Path) -> None:
    """The command finds IPython's own folder of kernelspecs without asking IPython (see
    CommandKernelSpecManager): a notebook asking for a kernel installed only there runs on it."""
    ipython = tmp_path / "ipython"
    spec_dir = ipython / "kernels" / "only-in-ipython"
    spec_dir.mkdir(parents=True)
    spec = {
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "Only in IPython's folder",
        "language": "python",
        "env": {"WHICH_KERNEL": "ipython-folder"},
    }
    (spec_dir / "kernel.json").write_text(json.dumps(spec))
    project = tmp_path / "project"
    project.mkdir()
    cell = "import os\nprint(os.environ.get('WHICH_KERNEL'))"
    write_pipeline(project, {"Step": ("step.ipynb", [])}, {"step.ipynb": [cell]})
    notebook = json.loads((project / "step.ipynb").read_text())
    notebook["metadata"]["kernelspec"] = {"name": "only-in-ipython", "display_name": "x"}
    (project / "step.ipynb").write_text(json.dumps(notebook))
    done = subprocess.run(
        [*COMMAND, "p.orchest", "--data-dir", str(tmp_path / "data")],
        cwd=project,
        env={**os.environ, "IPYTHONDIR": str(ipython)},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert stdout_of(project / "step.ipynb") == "ipython-folder\n"
