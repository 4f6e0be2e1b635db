"""What steps leave behind when the server dies, on real processes: scripts die with the process
that started them, and the reaper stops recorded groups, never a process that is not the step's."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from orchest_lab.executors.orphans import ProcessRecords, process_info, reap

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="Linux only (/proc, prctl)")

DEADLINE = 30.0
RUN, STEP = "11111111-2222-4333-8444-555555555555", "step-1"
MARKED = {**os.environ, "ORCHEST_RUN_UUID": RUN, "ORCHEST_STEP_UUID": STEP}


def wait_until(condition: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + DEADLINE
    while not condition():
        assert time.monotonic() < deadline, f"still not true after {DEADLINE:.0f} s: {what}"
        time.sleep(0.05)


def running(pid: int, start: int) -> bool:
    info = process_info(pid)
    return info is not None and info.start == start


@pytest.fixture
def records(tmp_path: Path) -> ProcessRecords:
    """The records of a server that is gone (named, as servers' are, after a process that
    ended)."""
    ended = subprocess.Popen(["sleep", "300"])
    info = process_info(ended.pid)
    ended.kill()
    ended.wait()
    assert info is not None
    return ProcessRecords(tmp_path / "records" / f"{info.pid}-{info.start}")


@pytest.fixture
def spawned() -> Iterator[list[subprocess.Popen[bytes]]]:
    """Processes a test starts; killed (with their groups) at its end."""
    processes: list[subprocess.Popen[bytes]] = []
    yield processes
    for process in processes:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def group_with_members(
    spawned: list[subprocess.Popen[bytes]],
    tmp_path: Path,
    leader_stays: bool,
    records: ProcessRecords | None = None,
) -> tuple[int, int, dict[str, tuple[int, int]]]:
    """A process group (leader pid, its start time) with two sleeping members: one with the
    step's variables, one without them (`env -u`); recorded in `records` as a step's."""
    pids, go = tmp_path / "members", tmp_path / "go"
    script = (
        "sleep 300 & marked=$!\n"
        "env -u ORCHEST_RUN_UUID -u ORCHEST_STEP_UUID sleep 300 & other=$!\n"
        f'echo "$marked $other" > {pids}\n'
        # The leader stays until it is recorded; then it ends, or waits for its children.
        f"while [ ! -e {go} ]; do sleep 0.05; done\n" + ("wait\n" if leader_stays else "")
    )
    leader = subprocess.Popen(["bash", "-c", script], env=MARKED, start_new_session=True)
    spawned.append(leader)
    info = process_info(leader.pid)
    assert info is not None
    if records is not None:
        assert records.add(leader.pid, RUN, STEP) is not None
    go.touch()
    wait_until(lambda: pids.exists() and len(pids.read_text().split()) == 2, "members started")
    members = {}
    for name, pid in zip(("marked", "other"), map(int, pids.read_text().split()), strict=True):
        member = process_info(pid)
        assert member is not None and member.pgid == leader.pid
        members[name] = (pid, member.start)
    return leader.pid, info.start, members


def test_a_recorded_group_whose_leader_runs_is_killed_whole(
    tmp_path: Path, spawned: list[subprocess.Popen[bytes]], records: ProcessRecords
) -> None:
    leader, start, members = group_with_members(spawned, tmp_path, True, records)

    assert reap(tmp_path / "records") == [leader]
    for pid, member_start in [(leader, start), *members.values()]:
        wait_until(lambda p=pid, s=member_start: not running(p, s), f"{pid} is gone")
    assert not list((tmp_path / "records").iterdir())


def test_the_groups_of_a_server_that_still_runs_are_left_alone(
    tmp_path: Path, spawned: list[subprocess.Popen[bytes]]
) -> None:
    me = process_info(os.getpid())
    assert me is not None
    records = ProcessRecords(tmp_path / "records" / f"{me.pid}-{me.start}")
    leader, start, members = group_with_members(spawned, tmp_path, True, records)

    assert reap(tmp_path / "records") == []
    assert running(leader, start) and all(running(*m) for m in members.values())
    assert len(list(records.folder.iterdir())) == 1


def test_without_its_leader_only_the_steps_processes_of_a_group_are_killed(
    tmp_path: Path, spawned: list[subprocess.Popen[bytes]], records: ProcessRecords
) -> None:
    leader, start, members = group_with_members(spawned, tmp_path, False, records)
    spawned[0].wait()  # the leader ended; its children are left in its group
    assert not running(leader, start)

    assert reap(tmp_path / "records") == [members["marked"][0]]
    wait_until(lambda: not running(*members["marked"]), "the step's process is gone")
    assert running(*members["other"])  # no ORCHEST_* variables of the step: not known to be its


def test_a_record_whose_pid_now_belongs_to_another_process_kills_nothing(
    tmp_path: Path, spawned: list[subprocess.Popen[bytes]], records: ProcessRecords
) -> None:
    leader, start, members = group_with_members(spawned, tmp_path, leader_stays=True)
    folder = records.folder
    folder.mkdir(parents=True)
    # As if a step's leader with this pid had started earlier, died, and the pid were reused.
    record = {"pgid": leader, "start": start - 1, "run_id": RUN, "step_uuid": STEP}
    (folder / f"{leader}-{start - 1}.json").write_text(json.dumps(record))
    (folder / "broken.json").write_text("{")

    assert reap(tmp_path / "records") == []
    assert running(leader, start) and all(running(*m) for m in members.values())
    assert not folder.exists()


HELPER = """
import asyncio, sys
from pathlib import Path
from orchest_lab.executors import script
from orchest_lab.executors.base import StepTask
from orchest_lab.executors.log import StepLog

if sys.argv[1] == "preexec":
    script._setpriv_prefix = lambda: []  # as where setpriv is missing: the fallback

class Quiet:
    def cell(self, *args): pass
    def stream(self, *args): pass

async def main():
    folder = Path(sys.argv[2])
    task = StepTask("run", "step", "Sleep", folder / "sleep.py", folder / "sleep.py", "sleep.py",
                    folder, {}, "python3", (folder / "sleep.log",))
    with StepLog(task.log_files) as log:
        await script.run_script(task, [sys.executable, str(task.file)], Quiet(), log)

asyncio.run(main())
"""


@pytest.mark.parametrize("how", ["setpriv", "preexec"])
def test_a_script_dies_with_the_process_that_started_it(tmp_path: Path, how: str) -> None:
    if how == "setpriv" and shutil.which("setpriv") is None:
        pytest.skip("util-linux's setpriv is not installed")
    pid_file = tmp_path / "pid"
    (tmp_path / "sleep.py").write_text(
        f"import os, time\nopen({str(pid_file)!r}, 'w').write(str(os.getpid()))\ntime.sleep(300)\n"
    )
    starter = subprocess.Popen([sys.executable, "-c", HELPER, how, str(tmp_path)])
    pid = 0
    try:
        wait_until(lambda: pid_file.exists() and pid_file.read_text() != "", "the script runs")
        pid = int(pid_file.read_text())
        info = process_info(pid)
        assert info is not None
        assert info.pgid == pid  # the script leads a group of its own
        starter.kill()
        starter.wait()
        wait_until(lambda: not running(pid, info.start), "the script died with its starter")
    finally:
        starter.kill()
        starter.wait()
        if pid:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(pid, signal.SIGKILL)
