"""Running a script step as a subprocess, its stdout and stderr streamed as they come."""

from __future__ import annotations

import asyncio
import codecs
import contextlib
import ctypes
import errno
import functools
import os
import shutil
import signal
import subprocess
import sys
from collections.abc import Callable
from typing import Any

from ..records import StepFailure
from ..runner.protocol import INTERPRETERS
from .base import StepFailed, StepOutput, StepTask
from .log import StepLog
from .orphans import recorded_group
from .spawn import SpawnedProcess, spawn
from .throttle import OutputThrottle

STOP_GRACE = 1.0  # seconds between SIGTERM and SIGKILL when a step is cancelled


def script_command(task: StepTask, python: str | None) -> list[str]:
    suffix = task.file.suffix.lower()
    if suffix == ".py":
        return [python or sys.executable, "-u", str(task.file)]
    program = INTERPRETERS.get(suffix)
    if program is None or shutil.which(program) is None:
        what = program or f"a program for {suffix} files"
        raise StepFailed(
            StepFailure(
                "InterpreterNotFound", f"{what} is not installed, so {task.file.name} cannot run"
            )
        )
    return [program, str(task.file)]


async def run_script(task: StepTask, command: list[str], output: StepOutput, log: StepLog) -> None:
    env = {**os.environ, **task.env, "PYTHONUNBUFFERED": "1"}
    prefix, preexec = await _parent_death(command, env)
    # In its own process group (session): stopping it stops its children too.
    process = await spawn([*prefix, *command], cwd=task.cwd, env=env, preexec_fn=preexec)
    # Recorded while it runs, so that a server started after a crash of this one can stop what
    # the script leaves (its children; the script itself dies with the server).
    with recorded_group(process.pid, task.run_id, task.step_uuid):
        try:
            await _follow(task, process, output, log)
        finally:
            if process.returncode is None:
                await _stop(process)
            await log.drain()  # all of it in the files before the step counts as ended


async def _follow(
    task: StepTask, process: SpawnedProcess, output: StepOutput, log: StepLog
) -> None:
    tail: list[str] = []
    pending: dict[str, list[str]] = {"stdout": [], "stderr": []}

    def publish(name: str) -> int:
        text = "".join(pending[name])
        pending[name].clear()
        if text:
            output.stream(task, name, text)
        return len(text)

    events = OutputThrottle(publish)

    async def pump(stream: asyncio.StreamReader, name: str) -> None:
        decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        while chunk := await stream.read(65536):
            text = decoder.decode(chunk)
            log.write(text)
            pending[name].append(text)
            events.touch(name)
            if name == "stderr":
                tail.append(text)
                del tail[:-20]

    assert process.stdout is not None and process.stderr is not None
    await asyncio.gather(pump(process.stdout, "stdout"), pump(process.stderr, "stderr"))
    status = await process.wait()
    events.flush_all()
    if status != 0:
        last = "".join(tail).strip().splitlines()[-1:] or [""]
        detail = f": {last[0]}" if last[0] else ""
        raise StepFailed(
            StepFailure("ExitStatus", f"{task.file.name} exited with status {status}{detail}")
        )


async def _stop(process: SpawnedProcess) -> None:
    """SIGTERM the script's whole process group, then SIGKILL what is left."""
    for signum, wait in ((signal.SIGTERM, STOP_GRACE), (signal.SIGKILL, 5.0)):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signum)
        try:
            await asyncio.wait_for(asyncio.shield(process.wait()), wait)
        except asyncio.TimeoutError:
            continue
        # The group may outlive its leader (a background child): make sure it is gone.
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        return


# --- dying with the server ----------------------------------------------------------------------
#
# On Linux the script gets SIGKILL when the server dies, even by `kill -9` (PR_SET_PDEATHSIG;
# what it started is left to orphans.reap). The signal is set in the child between fork and exec.
# util-linux's `setpriv --pdeathsig` does that and keeps Python's cheap vfork spawn; a preexec_fn,
# the fallback, makes Python fork the whole server instead: 10-40 ms of the event loop per step
# here, and Python code run in a forked copy of a threaded process.
# The signal comes when the *thread* that started the child ends: spawn's thread, which lives as
# long as the server.

PR_SET_PDEATHSIG = 1


async def _parent_death(
    command: list[str], env: dict[str, str]
) -> tuple[list[str], Callable[[], None] | None]:
    """What to start the command with so that it dies with this process."""
    if sys.platform != "linux":
        return [], None
    prefix = _setpriv_prefix()
    if prefix:
        # setpriv would report a missing program as its own failure (status 127): fail as
        # starting the program directly fails.
        if shutil.which(command[0], path=env.get("PATH")) is None:
            raise FileNotFoundError(errno.ENOENT, os.strerror(errno.ENOENT), command[0])
        return prefix, None
    return [], _die_with_parent(os.getpid())


@functools.cache
def _setpriv_prefix() -> list[str]:
    """setpriv's prefix when it has --pdeathsig (util-linux 2.33 and later), else []. Asked once
    per process, by the first script step: a few milliseconds of the event loop."""
    program = shutil.which("setpriv")
    if program is None:
        return []
    check = [program, "--pdeathsig", "KILL", "--", program, "--version"]
    if subprocess.run(check, capture_output=True, check=False).returncode != 0:
        return []
    return [program, "--pdeathsig", "KILL", "--"]


@functools.cache
def _prctl() -> Any:
    return ctypes.CDLL(None, use_errno=True).prctl


def _die_with_parent(parent: int) -> Callable[[], None]:
    prctl = _prctl()

    def preexec() -> None:  # in the child, before exec: no allocation-heavy work here
        prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
        if os.getppid() != parent:  # the server died before the call: nobody would signal
            os.kill(os.getpid(), signal.SIGKILL)

    return preexec
