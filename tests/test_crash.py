"""A server killed with `kill -9` in the middle of a run: no process of the run's steps outlives
it, and the next server on the same state says the run was aborted."""

from __future__ import annotations

import contextlib
import os
import signal
import time
import uuid
from collections.abc import Callable
from pathlib import Path

from project_factory import write_pipeline
from server_process import ServerProcess

from orchest_lab.executors.orphans import process_info

DEADLINE = 60.0  # seconds to reach a state; the states, not the time, are what is tested


def wait_until(condition: Callable[[], bool], what: str, timeout: float = DEADLINE) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"still not true after {timeout:.0f} s: {what}"
        time.sleep(0.1)


def marked_processes(marker: str) -> dict[int, int]:
    """{pid: start time} of the live processes whose environment holds `marker`."""
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            environ = (entry / "environ").read_bytes()
        except OSError:  # gone meanwhile, or not ours to read
            continue
        info = process_info(int(entry.name))
        if info is not None and f"CRASH_TEST_MARKER={marker}".encode() in environ.split(b"\0"):
            found[info.pid] = info.start
    return found


def still_alive(processes: dict[int, int]) -> dict[int, int]:
    """Those of `processes` that still run (same pid, same start time)."""
    alive = {}
    for pid, start in processes.items():
        info = process_info(pid)
        if info is not None and info.start == start:
            alive[pid] = start
    return alive


def test_a_killed_server_leaves_no_step_process_and_its_run_is_aborted(tmp_path: Path) -> None:
    server = ServerProcess(tmp_path)
    pids = tmp_path / "pids"
    pids.mkdir()
    marker = uuid.uuid4().hex
    spawn = (
        "import os, subprocess, time\n"
        "child = subprocess.Popen(['sleep', '300'])\n"
        "open({path!r}, 'w').write(f'{{os.getpid()}} {{child.pid}}')\n"
        "time.sleep(300)\n"
    )
    files: dict[str, str | list[str]] = {
        "shell.sh": f'sleep 300 &\necho "$$ $!" > {pids / "shell"}\nwait\n',
        "python.py": spawn.format(path=str(pids / "python")),
        "notebook.ipynb": [spawn.format(path=str(pids / "kernel"))],
    }
    steps = {
        "Shell": ("shell.sh", []),
        "Python": ("python.py", []),
        "Notebook": ("notebook.ipynb", []),
    }
    document, _, pipeline = write_pipeline(server.root, steps, files)
    # Every step's process, and what they start, inherit the pipeline's variables.
    document.data["env_variables"] = {"CRASH_TEST_MARKER": marker}
    document.save(pipeline)
    started: dict[int, int] = {}
    try:
        server.start()
        run = server.api("POST", "runs", {"pipeline_path": "p.orchest"})
        wait_until(
            lambda: all((pids / n).exists() and (pids / n).read_text() for n in steps_files()),
            "every step started its child",
        )
        started.update(marked_processes(marker))
        shown = {int(p) for n in steps_files() for p in (pids / n).read_text().split()}
        kernel = int((pids / "kernel").read_text().split()[0])
        info = process_info(kernel)
        assert info is not None
        started[kernel] = info.start  # forked before the run: it has not the run's variables
        # The two scripts, their children, the kernel and its child.
        assert shown <= set(started), (shown, started)
        script_leaders = [int((pids / n).read_text().split()[0]) for n in ("shell", "python")]
        leaders = {pid: started[pid] for pid in script_leaders}

        server.kill()
        # The scripts die with the server at once (their parent-death signal).
        wait_until(lambda: not still_alive(leaders), "the scripts died with the server")

        server.start()  # on the same state: it stops what is left of the steps
        wait_until(lambda: not still_alive(started), "no process of the steps is left")
        assert not marked_processes(marker)
        aborted = server.api("GET", f"runs/{run['id']}")
        assert aborted["status"] == "ABORTED", aborted
        assert aborted["reason"] == "the server stopped while the run was in progress"
        assert {s["status"] for s in aborted["steps"]} == {"ABORTED"}
    finally:
        server.stop()
        for pid in [*marked_processes(marker), *still_alive(started)]:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)


def steps_files() -> tuple[str, ...]:
    return ("shell", "python", "kernel")
