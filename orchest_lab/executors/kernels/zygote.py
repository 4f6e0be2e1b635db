"""Talking to kernel zygotes (see zygote_main.py): one per Python interpreter and environment."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import signal
import subprocess
from collections.abc import Callable
from typing import Any

from .exits import until_exited
from .sockets import SocketFolder
from .zygote_main import STOP_PRELOADING
from .zygote_start import (
    NO_PRELOAD,
    Preload,
    ZygoteError,
    ZygoteKey,
    claim_early,
    spawn_zygote,
    unclaimed_early,
    zygote_key,
)

START_TIMEOUT = 120.0  # the first import of ipykernel in a new environment can be slow

log = logging.getLogger(__name__)


class Zygote:
    """A zygote process. `spawn` starts it at once, without a loop (a command starts it before
    its slow imports); `ready` waits, in a loop, until it has imported what it preloads."""

    def __init__(
        self,
        python: str,
        env: dict[str, str],
        niceness: int = 0,
        preload: Preload = NO_PRELOAD,
        process: subprocess.Popen[bytes] | None = None,
    ) -> None:
        """`process`: the zygote's, when it was started already (see zygote_start.py)."""
        self.python = python
        self.env = env
        self.niceness = niceness  # its kernels inherit it
        self.preload = preload
        self.preloaded: list[str] = []  # what it imported of preload.modules
        self._process = process
        self._reader: asyncio.StreamReader | None = None
        self._transport: asyncio.BaseTransport | None = None
        self._ready = False
        self._lock = asyncio.Lock()
        self.on_fork: Callable[[], None] = lambda: None  # after each kernel it forked
        # Kernelspecs (by argv) whose kernels forked here greet a new iopub subscriber, with
        # their language_info: they are ready at their greeting (see launch.wait_until_ready).
        self.greeting_kernels: dict[tuple[str, ...], dict[str, Any] | None] = {}

    @property
    def key(self) -> ZygoteKey:
        return zygote_key(self.python, self.env)

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process is not None else None

    @property
    def alive(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def spawn(self) -> None:
        self._process = spawn_zygote(self.python, self.env, self.niceness, self.preload)

    async def start(self) -> None:
        self.spawn()
        await self.ready()

    async def ready(self) -> None:
        async with self._lock:
            await self._ready_locked()

    async def _ready_locked(self) -> None:
        if self._ready:
            return
        reply = await self._read(START_TIMEOUT)
        if not reply.get("ready"):
            await self.close()
            raise ZygoteError(reply.get("error", "the kernel zygote did not start"))
        self._ready = True
        self._preload_report(reply)

    def _preload_report(self, reply: dict[str, Any]) -> None:
        if "preloaded" in reply:
            self.preloaded = list(reply["preloaded"])
        for name, reason in (reply.get("skipped") or {}).items():
            log.info("kernels of %s start without %s preloaded: %s", self.python, name, reason)

    async def fork(
        self,
        connection_file: str,
        env: dict[str, str],
        cwd: str,
        argv0: str,
        options: list[str] | None = None,
    ) -> int:
        """Fork a kernel; returns its pid (also its process group id)."""
        request = {
            "connection_file": connection_file,
            "env": env,
            "cwd": cwd,
            "argv0": argv0,
            "options": options or [],
        }
        async with self._lock:
            # A zygote that forks while preloading reads requests between two imports: one
            # already waiting when it is ready is served before it imports the first module.
            if not self.preload.fork_while_preloading:
                await self._ready_locked()
            if not self.alive:
                await self._ready_locked()  # its own error, when it exited on starting
                raise ZygoteError("the kernel zygote is not running")
            assert self._process is not None and self._process.stdin is not None
            try:
                # A line far smaller than a pipe's buffer, which the zygote keeps reading.
                self._process.stdin.write((json.dumps(request) + "\n").encode())
                self._process.stdin.flush()
            except OSError as err:
                await self._ready_locked()
                raise ZygoteError(f"the kernel zygote is not running: {err}") from err
            await self._ready_locked()  # its first line
            reply = await self._read(30.0)
        if "pid" not in reply:
            raise ZygoteError(reply.get("error", "the kernel zygote did not fork"))
        self.on_fork()
        return int(reply["pid"])

    def stop_preloading(self) -> None:
        """A zygote that forks while preloading imports no more modules: no kernel will."""
        if self.preload.fork_while_preloading and self.alive:
            assert self._process is not None and self._process.stdin is not None
            with contextlib.suppress(OSError):  # it ended: nothing to stop
                self._process.stdin.write(STOP_PRELOADING + b"\n")
                self._process.stdin.flush()

    async def close(self) -> None:
        process, self._process = self._process, None
        if self._transport is not None:
            self._transport.close()
            self._transport = None
        if process is not None:
            await _stop(process)

    async def _read(self, timeout: float) -> dict[str, Any]:
        assert self._process is not None and self._process.stdout is not None
        if self._reader is None:
            reader = asyncio.StreamReader()
            self._transport, _ = await asyncio.get_running_loop().connect_read_pipe(
                lambda: asyncio.StreamReaderProtocol(reader), self._process.stdout
            )
            self._reader = reader
        deadline = asyncio.get_running_loop().time() + timeout
        while True:
            remaining = deadline - asyncio.get_running_loop().time()
            try:
                line = await asyncio.wait_for(self._reader.readline(), max(0.0, remaining))
            except asyncio.TimeoutError as err:
                raise ZygoteError(
                    f"the kernel zygote did not answer within {timeout:.0f} s"
                ) from err
            if not line:
                raise ZygoteError(
                    f"the kernel zygote of {self.python} exited (is ipykernel installed?)"
                )
            reply: dict[str, Any] = json.loads(line)
            if "preloaded" in reply and "ready" not in reply:
                self._preload_report(reply)  # a zygote forking while preloading is done
                continue
            return reply


async def _stop(process: subprocess.Popen[bytes]) -> None:
    """Kill a zygote (its kernels end with it) and wait until it is gone."""
    if process.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
    for pipe in (process.stdin, process.stdout):  # stdout too, when never read
        if pipe is not None:
            with contextlib.suppress(OSError):
                pipe.close()

    async def poll() -> int | None:
        return process.poll()

    await until_exited(poll, None)


class Zygotes:
    """The zygotes of a process, started on first use and kept for reuse."""

    def __init__(self, niceness: int = 0, preload: Preload = NO_PRELOAD) -> None:
        self.niceness = niceness  # the CPU priority of the kernels they fork (see priority.py)
        self.preload = preload
        self._zygotes: dict[ZygoteKey, Zygote] = {}
        self._lock = asyncio.Lock()
        self._forks_to_come: int | None = None  # None: more may always come (a server)
        self.sockets = SocketFolder()  # where the kernels they fork put their Unix sockets

    async def get(self, python: str, env: dict[str, str]) -> Zygote:
        key = zygote_key(python, env)
        async with self._lock:
            zygote = self._zygotes.get(key)
            if zygote is None or not zygote.alive:
                if zygote is not None:
                    await zygote.close()  # it died: its pipe goes too
                zygote = self._new(python, env)
                self._zygotes[key] = zygote
                log.debug("started a kernel zygote for %s", python)
        if zygote.preload.fork_while_preloading:
            # Its first fork request goes out now, ahead of its first line (see fork); a
            # zygote that cannot start fails that fork.
            return zygote
        try:
            await zygote.ready()
        except ZygoteError:
            if self._zygotes.get(key) is zygote:
                del self._zygotes[key]
            await zygote.close()
            raise
        return zygote

    def spawn(self, python: str, env: dict[str, str]) -> None:
        """Start the zygote of `python` and `env` now, without a loop and without waiting for
        it (`get` then finds it, ready or nearly)."""
        key = zygote_key(python, env)
        if key not in self._zygotes:
            self._zygotes[key] = self._new(python, env)

    def _new(self, python: str, env: dict[str, str]) -> Zygote:
        """A started zygote: one the command started early when it has these settings."""
        early = claim_early(python, env, self.niceness, self.preload)
        zygote = Zygote(python, env, self.niceness, self.preload, early)
        if early is None:
            zygote.spawn()
        zygote.on_fork = self._forked
        if self._forks_to_come == 0:
            zygote.stop_preloading()
        return zygote

    def forks_to_come(self, count: int) -> None:
        """For a command that knows its run: `count` more kernels will be forked, then none.
        Zygotes that fork while they preload stop importing after the last: what they would
        import next no kernel would have."""
        self._forks_to_come = count
        if count <= 0:
            for zygote in self._zygotes.values():
                zygote.stop_preloading()

    def _forked(self) -> None:
        if self._forks_to_come is not None:
            self.forks_to_come(self._forks_to_come - 1)

    def running(self) -> list[Zygote]:
        return [z for z in self._zygotes.values() if z.alive]

    async def close(self) -> None:
        """Stop its zygotes, and those started early that nothing took over."""
        zygotes, self._zygotes = list(self._zygotes.values()), {}
        await asyncio.gather(
            *(z.close() for z in zygotes), *(_stop(e.process) for e in unclaimed_early())
        )
        await asyncio.to_thread(self.sockets.remove)
