"""Step processes that outlive a crashed server, and how the next server finds and stops them.

Each running step's process group (a script's own, or the kernel's of a notebook step) is
recorded in a small file under the server's state folder while the step runs. A server killed
with `kill -9` cannot stop them; the next one, at start, kills the groups that are still there.

A recorded pid may have been reused by an unrelated process meanwhile: nothing is killed unless it
is shown to be the step's. The group's leader is the step's when its start time (from
/proc/<pid>/stat) is the recorded one; a process of the group whose leader is gone is the step's
when its environment names the step's run and step (ORCHEST_RUN_UUID, ORCHEST_STEP_UUID, which
children inherit). Linux only: elsewhere nothing is recorded.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import signal
import sys
import uuid
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path

log = logging.getLogger(__name__)

PROC = Path("/proc")
REAP_ROUNDS = 10  # members can fork while being killed: look again, up to this many times


@dataclass(frozen=True)
class GroupRecord:
    pgid: int  # also the pid of the group's leader
    start: int  # the leader's start time, in clock ticks since boot
    run_id: str
    step_uuid: str


@dataclass(frozen=True)
class ProcessInfo:
    pid: int
    pgid: int
    start: int


def process_info(pid: int) -> ProcessInfo | None:
    """The process's group and start time, or None when it is gone (or a zombie)."""
    try:
        stat = (PROC / str(pid) / "stat").read_text()
    except (FileNotFoundError, ProcessLookupError, PermissionError):
        return None
    # The command name (field 2) is in parentheses and may hold spaces or parentheses itself.
    fields = stat[stat.rindex(")") + 2 :].split()
    if fields[0] in ("Z", "X"):
        return None
    return ProcessInfo(pid, int(fields[2]), int(fields[19]))


class ProcessRecords:
    """The records of running steps' process groups: one file each in `folder`."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def add(self, pid: int, run_id: str, step_uuid: str) -> Path | None:
        """Record the group led by `pid`; None when the process is already gone."""
        info = process_info(pid)
        if info is None or info.pgid != pid:  # gone, or not the leader of a group of its own
            return None
        record = GroupRecord(info.pgid, info.start, run_id, step_uuid)
        self.folder.mkdir(parents=True, exist_ok=True)
        path = self.folder / f"{info.pgid}-{info.start}.json"
        # No fsync: the file must survive the server's death, not the machine's (which ends
        # the processes too).
        tmp = self.folder / f".{uuid.uuid4().hex}.tmp"
        tmp.write_text(json.dumps(asdict(record)))
        os.replace(tmp, path)
        return path

    def remove(self, path: Path) -> None:
        with contextlib.suppress(FileNotFoundError):
            path.unlink()

    def records(self) -> list[tuple[Path, GroupRecord | None]]:
        found: list[tuple[Path, GroupRecord | None]] = []
        for path in sorted(self.folder.glob("*.json")):
            try:
                found.append((path, GroupRecord(**json.loads(path.read_text()))))
            except (OSError, ValueError, TypeError):
                found.append((path, None))  # unreadable: nothing to act on, removed
        return found


_records: ProcessRecords | None = None


def record_groups_in(folder: Path | None) -> None:
    """Record this process's running steps' groups under `folder` (None: nowhere, the default),
    in a folder named after this process (pid and start time): `reap` leaves alone the records
    of a server that still runs (two servers may share a state folder)."""
    global _records
    me = process_info(os.getpid()) if folder is not None and sys.platform == "linux" else None
    _records = None if folder is None or me is None else ProcessRecords(folder / _owner_name(me))


def _owner_name(info: ProcessInfo) -> str:
    return f"{info.pid}-{info.start}"


@contextlib.contextmanager
def recorded_group(pid: int | None, run_id: str, step_uuid: str) -> Iterator[None]:
    """Keep a record of the group led by `pid` while the block runs. The files are written and
    removed by a worker thread, in that order; entering and leaving never wait (or get
    cancelled)."""
    records = _records
    if records is None or pid is None:
        yield
        return
    loop = asyncio.get_running_loop()
    added = loop.run_in_executor(None, records.add, pid, run_id, step_uuid)
    try:
        yield
    finally:

        def remove(future: asyncio.Future[Path | None]) -> None:
            if future.cancelled():
                return
            if future.exception() is not None:
                log.warning("could not record a step's processes", exc_info=future.exception())
                return
            path = future.result()
            if path is not None:
                loop.run_in_executor(None, records.remove, path)

        added.add_done_callback(remove)


def reap(folder: Path) -> list[int]:
    """Kill what is left of the groups recorded under `folder` by servers that are not running
    any more, and remove their records; the pids killed. Call at start-up, before any step can
    run."""
    if sys.platform != "linux" or not folder.is_dir():
        return []
    killed: list[int] = []
    for owner in sorted(folder.iterdir()):
        pid, _, start = owner.name.partition("-")
        if owner.is_symlink() or not owner.is_dir() or not (pid.isdigit() and start.isdigit()):
            continue
        info = process_info(int(pid))
        if info is not None and _owner_name(info) == owner.name:
            continue  # that server still runs: its steps are its business
        records = ProcessRecords(owner)
        for path, record in records.records():
            if record is not None:
                killed += _reap_group(record)
            records.remove(path)
        for tmp in owner.glob(".*.tmp"):  # a record being written when the server died
            records.remove(tmp)
        with contextlib.suppress(OSError):
            owner.rmdir()
    return killed


def _reap_group(record: GroupRecord) -> list[int]:
    leader = process_info(record.pgid)
    if leader is not None:
        if leader.start != record.start:
            return []  # the pid was reused, so the step's group had ended: this one is another's
        # The leader is the step's own process, so the whole group is the step's. (It is alive,
        # so its pid, which is the group's id, cannot belong to anyone else.)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(record.pgid, signal.SIGKILL)
            return [record.pgid]
        return []
    # The leader is gone, but the group lives on while it has members (and its id cannot be
    # taken by a new process meanwhile): those with the step's variables are the step's.
    killed: list[int] = []
    for _ in range(REAP_ROUNDS):
        members = [
            p
            for p in _group_members(record.pgid)
            if p.pid not in killed and _is_the_steps(p, record)
        ]
        if not members:
            break
        killed += [p.pid for p in members if _kill(p)]
    return killed


def _group_members(pgid: int) -> list[ProcessInfo]:
    members = []
    for entry in PROC.iterdir():
        if entry.name.isdigit():
            info = process_info(int(entry.name))
            if info is not None and info.pgid == pgid:
                members.append(info)
    return members


def _is_the_steps(process: ProcessInfo, record: GroupRecord) -> bool:
    if process.start < record.start:
        return False
    try:
        environ = (PROC / str(process.pid) / "environ").read_bytes().split(b"\0")
    except (FileNotFoundError, ProcessLookupError, PermissionError):
        return False
    wanted = {f"ORCHEST_RUN_UUID={record.run_id}", f"ORCHEST_STEP_UUID={record.step_uuid}"}
    return wanted <= {v.decode(errors="replace") for v in environ}


def _kill(process: ProcessInfo) -> bool:
    """SIGKILL the process if it is still the one that started at `process.start`: through a
    pidfd opened before that check, so the signal cannot reach a process that took the pid after
    it."""
    fd: int | None = None
    try:
        fd = os.pidfd_open(process.pid)
    except ProcessLookupError:
        return False
    except (OSError, AttributeError):  # no pidfds (an old kernel): the check narrows the race
        pass
    try:
        now = process_info(process.pid)
        if now is None or now.start != process.start:
            return False
        if fd is None:
            os.kill(process.pid, signal.SIGKILL)
        else:
            signal.pidfd_send_signal(fd, signal.SIGKILL)
        return True
    except ProcessLookupError:
        return False
    finally:
        if fd is not None:
            os.close(fd)
