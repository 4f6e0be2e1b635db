"""`orchest-lab job run` as a user runs it: a real subprocess running a grid on a snapshot."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

from project_factory import write_pipeline
from test_runs_lifecycle import alive

COMMAND = [sys.executable, "-m", "orchest_lab.cli", "job", "run"]


def grid_project(folder: Path, script: str) -> None:
    document, _, path = write_pipeline(folder, {"Fit": ("fit.py", [])}, {"fit.py": script})
    document.data["parameters"] = {"rate": 1}
    document.save(path)


def job_cli(folder: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            *COMMAND,
            "p.orchest",
            *args,
            "--data-dir",
            str(folder / "data"),
            "--jobs-dir",
            str(folder / "jobs"),
        ],
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )


def test_a_grid_runs_every_combination_with_a_line_each(tmp_path: Path) -> None:
    script = (
        "import orchest\n"
        "rate = orchest.get_pipeline_param('rate')\n"
        "open(f'rate-{rate}.txt', 'w').write(str(rate))\n"
        "assert rate != 3, 'rate 3 fails'\n"
    )
    grid_project(tmp_path, script)
    done = job_cli(tmp_path, "--grid", "rate=[1, 2, 3]", "--parallel", "2")
    assert done.returncode == 1, done.stderr  # the run with rate 3 failed
    lines = [line.split() for line in done.stderr.splitlines() if line.strip().startswith("[")]
    assert sorted((line[1], line[2]) for line in lines) == [
        ("FAILURE", "rate=3"),
        ("SUCCESS", "rate=1"),
        ("SUCCESS", "rate=2"),
    ]
    assert "Job FAILED: 2 success, 1 failure" in done.stdout
    # Each run wrote in its own copy of the project, never in the project.
    (job,) = (tmp_path / "jobs").iterdir()
    written = sorted(p.name for p in (job / "runs").glob("*/rate-*.txt"))
    assert written == ["rate-1.txt", "rate-2.txt", "rate-3.txt"]
    assert not list(tmp_path.glob("rate-*.txt"))


def test_bad_grids_are_refused_before_anything_runs(tmp_path: Path) -> None:
    grid_project(tmp_path, "print('x')\n")
    not_a_list = job_cli(tmp_path, "--grid", "rate=5")
    assert not_a_list.returncode == 2
    assert "must be a JSON list" in not_a_list.stderr
    unknown = job_cli(tmp_path, "--grid", "speed=[1]")
    assert unknown.returncode == 2
    assert "has no parameter 'speed'" in unknown.stderr
    assert not (tmp_path / "jobs").exists()


def test_ctrl_c_cancels_the_job_and_leaves_no_process(tmp_path: Path) -> None:
    pids = tmp_path / "pids"
    script = (
        "import os, subprocess, time\n"
        "child = subprocess.Popen(['sleep', '300'])\n"
        f"open({str(pids)!r}, 'a').write(f'{{os.getpid()}} {{child.pid}} ')\n"
        "time.sleep(300)\n"
    )
    grid_project(tmp_path, script)
    process = subprocess.Popen(
        [
            *COMMAND,
            "p.orchest",
            "--grid",
            "rate=[1, 2]",
            "--data-dir",
            str(tmp_path / "data"),
            "--jobs-dir",
            str(tmp_path / "jobs"),
        ],
        cwd=tmp_path,
        stderr=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 60
    while not pids.exists() or len(pids.read_text().split()) < 4:
        assert time.monotonic() < deadline and process.poll() is None
        time.sleep(0.05)
    started = [int(p) for p in pids.read_text().split()]
    process.send_signal(signal.SIGINT)
    stdout, _ = process.communicate(timeout=20)
    assert process.returncode == 130
    assert "2 aborted" in stdout
    deadline = time.monotonic() + 5
    while any(alive(pid) for pid in started):
        assert time.monotonic() < deadline, "a step's process outlived the job"
        time.sleep(0.05)
