"""Starting a step's process without the event loop waiting for it.

asyncio starts a subprocess on the event loop's thread, which is suspended until the child has
executed its program (vfork): on a machine whose cores are busy that takes milliseconds, tens of
them at worst, for every script step. Here the child is started by one long-lived spawner
thread; the event loop reads its output pipes and learns of its exit from a pidfd (a thread
waits for it where there is none).

The spawner thread lives as long as the server, which matters on Linux: a child's parent-death
signal (PR_SET_PDEATHSIG) comes when the thread that started it ends.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import subprocess
import threading
from collections.abc import Callable
from concurrent.futures import Future
from pathlib import Path

from .threads import own_thread

READ_LIMIT = 1 << 20


class SpawnedProcess:
    """A child process in its own session, its stdout and stderr read by the event loop."""

    def __init__(
        self,
        popen: subprocess.Popen[bytes],
        stdout: asyncio.StreamReader,
        stderr: asyncio.StreamReader,
        exited: asyncio.Future[int],
    ) -> None:
        self._popen = popen
        self.stdout = stdout
        self.stderr = stderr
        self._exited = exited

    @property
    def pid(self) -> int:
        return self._popen.pid

    @property
    def returncode(self) -> int | None:
        return self._exited.result() if self._exited.done() else None

    async def wait(self) -> int:
        return await asyncio.shield(self._exited)


async def spawn(
    command: list[str],
    *,
    cwd: Path,
    env: dict[str, str],
    preexec_fn: Callable[[], None] | None = None,
) -> SpawnedProcess:
    """Start `command` in a new session (its own process group), stdin from /dev/null."""
    loop = asyncio.get_running_loop()
    started = own_thread("orchest-lab-spawn").submit(
        subprocess.Popen,
        command,
        cwd=cwd,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
        preexec_fn=preexec_fn,
    )
    try:
        popen: subprocess.Popen[bytes] = await asyncio.shield(asyncio.wrap_future(started))
    except asyncio.CancelledError:
        started.add_done_callback(_stop_unwanted)  # it may start anyway: then it is stopped
        raise
    assert popen.stdout is not None and popen.stderr is not None
    try:
        stdout = await _reader(loop, popen.stdout)
        stderr = await _reader(loop, popen.stderr)
    except BaseException:
        _kill_and_reap(popen)
        raise
    return SpawnedProcess(popen, stdout, stderr, _exit_of(loop, popen))


async def _reader(loop: asyncio.AbstractEventLoop, pipe: object) -> asyncio.StreamReader:
    reader = asyncio.StreamReader(limit=READ_LIMIT, loop=loop)
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader, loop=loop), pipe)
    return reader


def _exit_of(
    loop: asyncio.AbstractEventLoop, popen: subprocess.Popen[bytes]
) -> asyncio.Future[int]:
    """A future of the child's exit status, set on the loop when it has exited."""
    exited: asyncio.Future[int] = loop.create_future()

    def reaped(status: int) -> None:
        if not exited.done():
            exited.set_result(status)

    try:
        pidfd = os.pidfd_open(popen.pid)
    except (AttributeError, OSError):  # no pidfd here: a thread waits
        threading.Thread(
            target=lambda: loop.call_soon_threadsafe(reaped, popen.wait()),
            name="orchest-lab-wait",
            daemon=True,
        ).start()
        return exited

    def readable() -> None:
        loop.remove_reader(pidfd)
        os.close(pidfd)
        reaped(popen.wait())  # it has exited: waitpid returns at once

    loop.add_reader(pidfd, readable)
    return exited


def _stop_unwanted(started: Future[subprocess.Popen[bytes]]) -> None:
    if not started.cancelled() and started.exception() is None:
        popen = started.result()
        threading.Thread(target=_kill_and_reap, args=(popen,), daemon=True).start()


def _kill_and_reap(popen: subprocess.Popen[bytes]) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(popen.pid, signal.SIGKILL)
    popen.wait()
    for pipe in (popen.stdout, popen.stderr):
        if pipe is not None:
            pipe.close()
