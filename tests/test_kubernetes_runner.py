"""The step runner of pods (`python -m orchest_lab.runner`) as a pod runs it: a process whose
stdout is the log, stopped with SIGTERM."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

from project_factory import write_notebook
from test_crash import wait_until
from test_runs_lifecycle import alive

from orchest_lab.runner.protocol import PREFIX, decode

RUNNER = [sys.executable, "-m", "orchest_lab.runner"]


def reports(stdout: str) -> list[dict[str, Any]]:
    found = [decode(line) for line in stdout.splitlines()]
    assert all(r is not None for r in found), stdout  # the runner prints reports only
    return [r for r in found if r is not None]


def run(path: Path, **env: str) -> tuple[int, list[dict[str, Any]]]:
    done = subprocess.run(
        [*RUNNER, path.name],
        cwd=path.parent,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )
    return done.returncode, reports(done.stdout)


def test_a_notebook_is_reported_cell_by_cell_and_not_written(tmp_path: Path) -> None:
    notebook = write_notebook(
        tmp_path / "n.ipynb",
        "import sys\nfor i in range(3):\n    print(i)\nprint('e', file=sys.stderr)",
        ("print('skipped')", ["skip"]),
        "from IPython.display import HTML, display\n"
        "h = display(HTML('<b>a</b>'), display_id=True)\nh.update(HTML('<i>b</i>'))\n40 + 2",
        "1 / 0",
        "print('never')",
    )
    before = notebook.read_bytes()
    # A temporary folder too deep for Unix sockets: the kernel is reached over TCP instead.
    deep = tmp_path / ("d" * 60) / ("e" * 60)
    deep.mkdir(parents=True)
    code, got = run(notebook, TMPDIR=str(deep))
    assert code == 1 and notebook.read_bytes() == before
    assert got[0]["t"] == "start" and got[0]["cells"] == 5
    assert got[0]["language_info"]["name"] == "python"
    cells = [(r["i"], r["state"]) for r in got if r["t"] == "cell"]
    assert cells == [
        (0, "running"),
        (0, "done"),
        (2, "running"),
        (2, "done"),
        (3, "running"),
        (3, "done"),
    ]
    messages = [(r["i"], r["msg_type"], r["content"]) for r in got if r["t"] == "msg"]
    # Consecutive text of a stream goes as one message; counts come with execute_input.
    assert messages[:3] == [
        (0, "execute_input", {"execution_count": 1}),
        (0, "stream", {"name": "stdout", "text": "0\n1\n2\n"}),
        (0, "stream", {"name": "stderr", "text": "e\n"}),
    ]
    kinds = [(i, kind) for i, kind, _ in messages[3:]]
    assert kinds == [
        (2, "execute_input"),
        (2, "display_data"),
        (2, "update_display_data"),
        (2, "execute_result"),
        (3, "execute_input"),
        (3, "error"),
    ]
    assert got[-1] == {
        "t": "end",
        "status": "error",
        "ename": "ZeroDivisionError",
        "evalue": "division by zero",
        "i": 3,
    }


def test_a_script_is_reported_with_its_exit_status(tmp_path: Path) -> None:
    script = tmp_path / "s.py"
    script.write_text("import sys\nprint('out')\nprint('err', file=sys.stderr)\nsys.exit(3)\n")
    code, got = run(script)
    assert code == 3
    text = {
        name: "".join(r["text"] for r in got if r["t"] == "stream" and r["name"] == name)
        for name in ("stdout", "stderr")
    }
    assert text == {"stdout": "out\n", "stderr": "err\n"}
    assert got[0] == {"t": "start", "v": 1, "kind": "script"}
    assert got[-1] == {"t": "end", "status": "exited", "code": 3}
    other = tmp_path / "data.csv"
    other.write_text("a,b\n")
    code, got = run(other)
    assert code == 1
    assert got == [
        {
            "t": "end",
            "status": "failed",
            "name": "InterpreterNotFound",
            "message": "a program for .csv files is not installed in the image, so data.csv "
            "cannot run",
        }
    ]


def test_sigterm_stops_the_kernel_and_says_so(tmp_path: Path) -> None:
    """What the kubelet does to a pod that is deleted: PID 1 gets SIGTERM."""
    notebook = write_notebook(
        tmp_path / "held.ipynb",
        "import os, time\nprint(os.getpid(), flush=True)\nwhile True:\n    time.sleep(0.1)",
    )
    process = subprocess.Popen(
        [*RUNNER, notebook.name], cwd=tmp_path, stdout=subprocess.PIPE, text=True
    )
    assert process.stdout is not None
    kernel = 0
    lines = []
    for line in process.stdout:
        lines.append(line)
        report = decode(line.rstrip("\n"))
        if report and report.get("msg_type") == "stream":
            kernel = int(report["content"]["text"])
            process.send_signal(signal.SIGTERM)
    assert process.wait() == 143
    assert decode(lines[-1].rstrip("\n")) == {
        "t": "end",
        "status": "failed",
        "name": "Terminated",
        "message": "the step's pod was stopped",
    }
    wait_until(lambda: not alive(kernel), "the kernel is gone")
    assert kernel != os.getpid()
    assert all(line.startswith(PREFIX) for line in lines)
    assert json.loads(lines[0][len(PREFIX) :])["t"] == "start"
