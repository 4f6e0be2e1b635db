"""Running a script step as a subprocess, its stdout and stderr streamed as they come."""

from __future__ import annotations

import asyncio
import codecs
import contextlib
import os
import shutil
import signal
import sys

from ..records import StepFailure
from .base import StepFailed, StepOutput, StepTask
from .log import StepLog
from .throttle import Throttle

# How each kind of script runs; Python uses the environment's interpreter.
INTERPRETERS = {".sh": "bash", ".r": "Rscript", ".jl": "julia", ".js": "node"}
EVENT_INTERVAL = 0.025  # at most one output event per stream per 25 ms; the first goes at once
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
    process = await asyncio.create_subprocess_exec(
        *command,
        cwd=task.cwd,
        env={**os.environ, **task.env, "PYTHONUNBUFFERED": "1"},
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        start_new_session=True,  # its own process group: stopping it stops its children too
    )
    tail: list[str] = []
    pending: dict[str, list[str]] = {"stdout": [], "stderr": []}

    def publish(name: str) -> None:
        text = "".join(pending[name])
        pending[name].clear()
        if text:
            output.stream(task, name, text)

    events = Throttle(EVENT_INTERVAL, publish)

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
    try:
        await asyncio.gather(pump(process.stdout, "stdout"), pump(process.stderr, "stderr"))
        status = await process.wait()
        events.flush_all()
    finally:
        if process.returncode is None:
            await _stop(process)
    if status != 0:
        last = "".join(tail).strip().splitlines()[-1:] or [""]
        detail = f": {last[0]}" if last[0] else ""
        raise StepFailed(
            StepFailure("ExitStatus", f"{task.file.name} exited with status {status}{detail}")
        )


async def _stop(process: asyncio.subprocess.Process) -> None:
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
