"""Cancelling runs, surviving server restarts, and live events, against real servers."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import time
from pathlib import Path
from typing import Any

import pytest
from api_client import call, payload, start_run, steps_by_title
from project_factory import write_pipeline

from orchest_lab.events import CELL, RUN, STEP, STREAM
from orchest_lab.records import RunRecord, Status, StepRecord
from orchest_lab.store import Database, RunStore


def alive(pid: int) -> bool:
    """Whether a process exists and is not a zombie waiting to be reaped."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().split(")")[-1].split()[0] != "Z"
    except (FileNotFoundError, ProcessLookupError):  # gone before, or while, it is read
        return False


async def wait_for(condition: Any, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        await asyncio.sleep(0.05)


async def test_cancel_stops_every_kernel_and_process_of_the_run(
    jp_fetch: Any, jp_root_dir: Path
) -> None:
    pids = jp_root_dir / "pids"
    pids.mkdir()
    notebook = [
        "import os, subprocess\n"
        "child = subprocess.Popen(['sleep', '300'])\n"
        f"open({str(pids / 'kernel')!r}, 'w').write(f'{{os.getpid()}} {{child.pid}}')",
        "import time; time.sleep(300)",
    ]
    script = f'sleep 300 &\necho "$$ $!" > {pids / "script"}\nwait\n'
    steps = {"Busy": ("busy.ipynb", []), "Shell": ("busy.sh", []), "Next": ("next.py", ["Busy"])}
    files = {"busy.ipynb": notebook, "busy.sh": script, "next.py": "print('never')\n"}
    write_pipeline(jp_root_dir, steps, files)

    run = await start_run(jp_fetch, {"pipeline_path": "p.orchest"})
    await wait_for(lambda: (pids / "kernel").exists() and (pids / "script").exists())
    started = [int(p) for f in ("kernel", "script") for p in (pids / f).read_text().split()]
    assert all(alive(pid) for pid in started)

    began = time.monotonic()
    response = await call(jp_fetch, "DELETE", f"runs/{run['id']}")
    assert time.monotonic() - began < 5.0
    cancelled = payload(response)
    assert cancelled["status"] == "ABORTED", cancelled
    assert cancelled["reason"] == "cancelled by the user"
    assert {t: s["status"] for t, s in steps_by_title(cancelled).items()} == {
        "Busy": "ABORTED",
        "Shell": "ABORTED",
        "Next": "ABORTED",
    }
    await wait_for(lambda: not any(alive(pid) for pid in started), timeout=2.0)
    # Cancelling again changes nothing.
    again = payload(await call(jp_fetch, "DELETE", f"runs/{run['id']}"))
    assert again["status"] == "ABORTED" and again["finished_at"] == cancelled["finished_at"]


@pytest.fixture
def interrupted_run(tmp_path: Path) -> str:
    """A run that a previous server left STARTED in its database."""
    database = Database(tmp_path / "state" / "state.db")
    store = RunStore(database)
    step = StepRecord("s1", "Step", "s.py", status=Status.STARTED, started_at="2026-01-01T00:00:00")
    run = RunRecord(
        "11111111-2222-4333-8444-555555555555",
        "p.orchest",
        "u",
        "p",
        "",
        "full",
        [],
        {},
        status=Status.STARTED,
        steps={"s1": step},
    )
    done = RunRecord(
        "66666666-7777-4888-8999-000000000000",
        "p.orchest",
        "u",
        "p",
        "",
        "full",
        [],
        {},
        status=Status.SUCCESS,
    )
    store.add(run)
    store.add(done)
    database.close()
    return run.id


@pytest.fixture
def jp_server_config(
    jp_server_config: dict[str, Any], tmp_path: Path, interrupted_run: str
) -> dict[str, Any]:
    jp_server_config["OrchestLab"]["state_dir"] = str(tmp_path / "state")
    return jp_server_config


async def test_a_restart_marks_runs_that_were_in_flight_as_aborted(
    jp_fetch: Any, interrupted_run: str
) -> None:
    run = payload(await call(jp_fetch, "GET", f"runs/{interrupted_run}"))
    assert run["status"] == "ABORTED"
    assert run["reason"] == "the server stopped while the run was in progress"
    assert run["steps"][0]["status"] == "ABORTED"
    assert run["steps"][0]["finished_at"] is not None
    listed = payload(await call(jp_fetch, "GET", "runs"))["runs"]
    assert sorted(r["status"] for r in listed) == ["ABORTED", "SUCCESS"]


async def test_statuses_and_outputs_are_pushed_as_events_and_written_live(
    jp_fetch: Any, jp_ws_fetch: Any, jp_root_dir: Path
) -> None:
    cells = ["import time\nprint('first', flush=True)\ntime.sleep(1.5)\nprint('second')"]
    steps = {"Notebook": ("live.ipynb", []), "Script": ("talk.py", ["Notebook"])}
    files = {
        "live.ipynb": cells,
        "talk.py": "import sys\nprint('out')\nprint('err', file=sys.stderr)\n",
    }
    _, uuids, _ = write_pipeline(jp_root_dir, steps, files)
    socket = await jp_ws_fetch("api", "events", "subscribe")
    run = await start_run(jp_fetch, {"pipeline_path": "p.orchest"})

    events: list[dict[str, Any]] = []
    seen_on_disk_while_running = False
    while True:
        event = json.loads(await asyncio.wait_for(socket.read_message(), 30))
        if event.get("run_id") != run["id"]:
            continue
        events.append(event)
        first_output = not any(e["schema_id"] == CELL and e["outputs"] for e in events[:-1])
        if event["schema_id"] == CELL and event["outputs"] and first_output:
            assert event["state"] == "running"
            assert event["outputs"] == [
                {"output_type": "stream", "name": "stdout", "text": "first\n"}
            ]
            # The file on disk has the output too, well before the cell ends.
            deadline = time.monotonic() + 1.0
            while time.monotonic() < deadline and not seen_on_disk_while_running:
                seen_on_disk_while_running = "first" in (jp_root_dir / "live.ipynb").read_text()
                await asyncio.sleep(0.05)
        if event["schema_id"] == RUN and event["status"] in ("SUCCESS", "FAILURE", "ABORTED"):
            break
    socket.close()
    assert seen_on_disk_while_running

    run_statuses = [e["status"] for e in events if e["schema_id"] == RUN]
    assert run_statuses == ["PENDING", "STARTED", "SUCCESS"]
    step_statuses = [(e["step_uuid"], e["status"]) for e in events if e["schema_id"] == STEP]
    assert step_statuses == [
        (uuids["Notebook"], "STARTED"),
        (uuids["Notebook"], "SUCCESS"),
        (uuids["Script"], "STARTED"),
        (uuids["Script"], "SUCCESS"),
    ]
    final_cell = [e for e in events if e["schema_id"] == CELL][-1]
    assert (final_cell["state"], final_cell["execution_count"], final_cell["path"]) == (
        "done",
        1,
        "live.ipynb",
    )
    assert final_cell["outputs"] == [
        {"output_type": "stream", "name": "stdout", "text": "first\nsecond\n"}
    ]
    streams = {
        name: "".join(e["text"] for e in events if e["schema_id"] == STREAM and e["name"] == name)
        for name in ("stdout", "stderr")
    }
    assert streams == {"stdout": "out\n", "stderr": "err\n"}
    assert os.environ.get("ORCHEST_RUN_UUID") is None  # nothing leaked into the server


def parent_of(pid: int) -> int:
    with open(f"/proc/{pid}/stat") as f:
        return int(f.read().rsplit(")", 1)[1].split()[1])


async def test_kernels_end_when_their_zygote_does() -> None:
    """Even when a process dies without closing its kernel pools, no kernel outlives it."""
    from jupyter_client.kernelspec import KernelSpecManager

    from orchest_lab.executors.kernels.launch import start_kernel
    from orchest_lab.executors.kernels.zygote import Zygotes

    zygotes = Zygotes()
    kernel = await start_kernel(
        "python3", kernel_spec_manager=KernelSpecManager(), zygotes=zygotes, cwd="/"
    )
    assert kernel.forked
    pid = kernel.manager.provisioner.pid  # type: ignore[union-attr]
    zygote = parent_of(pid)  # the kernel was forked from it
    assert zygote not in (os.getpid(), 1)
    os.kill(zygote, signal.SIGKILL)  # as when the server is killed: nobody shuts the kernel down
    await wait_for(lambda: not alive(pid), timeout=5.0)
    kernel.client.stop_channels()
    await zygotes.close()


async def test_stream_events_carry_the_newest_text_and_the_log_has_all_of_it(
    jp_fetch: Any, jp_ws_fetch: Any, jp_root_dir: Path
) -> None:
    printed = "".join(f"line {i}\n" for i in range(20_000))  # about 200 KB in one write
    (jp_root_dir / "loud.py").write_text(f"import sys\nsys.stdout.write({printed!r} + 'end\\n')\n")
    _, uuids, _ = write_pipeline(jp_root_dir, {"Loud": ("loud.py", [])}, {})
    socket = await jp_ws_fetch("api", "events", "subscribe")
    run = await start_run(jp_fetch, {"pipeline_path": "p.orchest"})
    events = []
    while True:
        event = json.loads(await asyncio.wait_for(socket.read_message(), 30))
        if event.get("run_id") == run["id"]:
            events.append(event)
            if event["schema_id"] == RUN and event["status"] in ("SUCCESS", "FAILURE"):
                break
    socket.close()
    assert events[-1]["status"] == "SUCCESS"
    streams = [event for event in events if event["schema_id"] == STREAM]
    assert streams and all(len(event["text"]) <= 4096 for event in streams)
    assert streams[-1]["text"].endswith("line 19999\nend\n")
    assert sum(len(e["text"]) + e.get("skipped", 0) for e in streams) == len(printed) + 4
    log = await call(jp_fetch, "GET", f"runs/{run['id']}/steps/{uuids['Loud']}/log")
    assert log.body.decode() == printed + "end\n"
