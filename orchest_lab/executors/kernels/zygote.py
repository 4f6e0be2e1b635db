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
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..priority import lower_priority

ZYGOTE_SCRIPT = Path(__file__).with_name("zygote_main.py")
START_TIMEOUT = 120.0  # the first import of ipykernel in a new environment can be slow
# Forked kernels run steps, whose inputs belong in their notebooks, not in the user's IPython
# history: no history database (its opening and writer thread are a fifth of a kernel's start).
# Given to every kernel (before its kernelspec's options), and to the zygote, which builds the
# shell of kernels with these options only.
STEP_KERNEL_OPTIONS = ("--HistoryManager.enabled=False",)
# What forked kernels find imported (`c.OrchestLab.preload_modules`): the SDK and what it passes
# data with, when the kernel's Python has them.
DEFAULT_PRELOAD = ("orchest", "numpy", "pandas", "pyarrow")

log = logging.getLogger(__name__)


class ZygoteError(RuntimeError):
    pass


@dataclass(frozen=True)
class Preload:
    """Modules a zygote imports before it forks (those its Python has), and a folder on its
    path while it imports them (the SDK's)."""

    modules: tuple[str, ...] = ()
    path: str = ""
    # Fork kernels asked for while the modules are being imported (with those imported so
    # far), rather than after: for a command whose first step should not wait for them.
    fork_while_preloading: bool = False

    def arguments(self) -> list[str]:
        if not self.modules:
            return []
        return [
            "--preload",
            *self.modules,
            *(["--path", self.path] if self.path else []),
            *(["--fork-while-preloading"] if self.fork_while_preloading else []),
        ]


class Zygote:
    """A zygote process. `spawn` starts it at once, without a loop (a command starts it before
    its slow imports); `ready` waits, in a loop, until it has imported what it preloads."""

    def __init__(
        self, python: str, env: dict[str, str], niceness: int = 0, preload: Preload = Preload()
    ) -> None:
        self.python = python
        self.env = env
        self.niceness = niceness  # its kernels inherit it
        self.preload = preload
        self.preloaded: list[str] = []  # what it imported of preload.modules
        self._process: subprocess.Popen[bytes] | None = None
        self._reader: asyncio.StreamReader | None = None
        self._transport: asyncio.BaseTransport | None = None
        self._ready = False
        self._lock = asyncio.Lock()
        self.on_fork: Callable[[], None] = lambda: None  # after each kernel it forked

    @property
    def key(self) -> tuple[str, tuple[tuple[str, str], ...]]:
        return zygote_key(self.python, self.env)

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process is not None else None

    @property
    def alive(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def spawn(self) -> None:
        try:
            self._process = subprocess.Popen(
                lower_priority(
                    [
                        self.python,
                        str(ZYGOTE_SCRIPT),
                        *self.preload.arguments(),
                        f"--kernel-options={json.dumps(STEP_KERNEL_OPTIONS)}",
                    ],
                    self.niceness,
                ),
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
                env=self.env,
                start_new_session=True,  # Ctrl-C in a terminal must not reach it; we stop it
            )
        except OSError as err:
            raise ZygoteError(f"could not start {self.python}: {err}") from err

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
                self._process.stdin.write(b'{"stop_preloading": true}\n')
                self._process.stdin.flush()

    async def close(self) -> None:
        process, self._process = self._process, None
        if self._transport is not None:
            self._transport.close()
            self._transport = None
        if process is None:
            return
        if process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
        for pipe in (process.stdin, process.stdout):  # stdout too, when never read
            if pipe is not None:
                with contextlib.suppress(OSError):
                    pipe.close()
        while process.poll() is None:  # killed: gone at once
            await asyncio.sleep(0.01)

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


def zygote_key(python: str, env: dict[str, str]) -> tuple[str, tuple[tuple[str, str], ...]]:
    return (python, tuple(sorted(env.items())))


class Zygotes:
    """The zygotes of a process, started on first use and kept for reuse."""

    def __init__(self, niceness: int = 0, preload: Preload = Preload()) -> None:
        self.niceness = niceness  # the CPU priority of the kernels they fork (see priority.py)
        self.preload = preload
        self._zygotes: dict[tuple[str, tuple[tuple[str, str], ...]], Zygote] = {}
        self._lock = asyncio.Lock()
        self._forks_to_come: int | None = None  # None: more may always come (a server)

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
        zygote = _claim_early(python, env, self.niceness, self.preload)
        if zygote is None:
            zygote = Zygote(python, env, self.niceness, self.preload)
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
        zygotes, self._zygotes = [*self._zygotes.values(), *_early], {}
        _early.clear()
        await asyncio.gather(*(z.close() for z in zygotes))


# Zygotes a command started as its first act, before its slow imports and before it knows its
# configuration (see start_early_zygote); the Zygotes of a matching executor takes them over.
_early: list[Zygote] = []


def start_early_zygote(python: str, env: dict[str, str], niceness: int, preload: Preload) -> None:
    """Start a zygote now, without a loop, for an executor still to be made; at most one waits
    to be taken over at a time. Nothing is lost if none takes it: it is stopped with the others,
    or ends when this process does (its stdin closes)."""
    if not any(z.alive for z in _early):
        zygote = Zygote(python, env, niceness, preload)
        zygote.spawn()
        _early.append(zygote)


def _claim_early(
    python: str, env: dict[str, str], niceness: int, preload: Preload
) -> Zygote | None:
    for zygote in _early:
        if (zygote.key, zygote.niceness, zygote.preload) == (
            zygote_key(python, env),
            niceness,
            preload,
        ) and zygote.alive:
            _early.remove(zygote)
            return zygote
    return None
