"""Talking to kernel zygotes (see zygote_main.py): one per Python interpreter and environment."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import signal
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..priority import lower_priority

ZYGOTE_SCRIPT = Path(__file__).with_name("zygote_main.py")
START_TIMEOUT = 120.0  # the first import of ipykernel in a new environment can be slow

log = logging.getLogger(__name__)


class ZygoteError(RuntimeError):
    pass


@dataclass(frozen=True)
class Preload:
    """Modules a zygote imports before it forks (those its Python has), and a folder on its
    path while it imports them (the SDK's)."""

    modules: tuple[str, ...] = ()
    path: str = ""

    def arguments(self) -> list[str]:
        if not self.modules:
            return []
        return ["--preload", *self.modules, *(["--path", self.path] if self.path else [])]


class Zygote:
    def __init__(
        self, python: str, env: dict[str, str], niceness: int = 0, preload: Preload = Preload()
    ) -> None:
        self.python = python
        self.env = env
        self.niceness = niceness  # its kernels inherit it
        self.preload = preload
        self.preloaded: list[str] = []  # what it imported of preload.modules
        self._process: asyncio.subprocess.Process | None = None
        self._lock = asyncio.Lock()

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process is not None else None

    @property
    def alive(self) -> bool:
        return self._process is not None and self._process.returncode is None

    async def start(self) -> None:
        self._process = await asyncio.create_subprocess_exec(
            *lower_priority(
                [self.python, str(ZYGOTE_SCRIPT), *self.preload.arguments()], self.niceness
            ),
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.DEVNULL,
            env=self.env,
            start_new_session=True,  # Ctrl-C in a terminal must not reach it; we stop it
        )
        reply = await self._read(START_TIMEOUT)
        if not reply.get("ready"):
            await self.close()
            raise ZygoteError(reply.get("error", "the kernel zygote did not start"))
        self.preloaded = list(reply.get("preloaded", []))
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
        async with self._lock:
            if not self.alive:
                raise ZygoteError("the kernel zygote is not running")
            request = {
                "connection_file": connection_file,
                "env": env,
                "cwd": cwd,
                "argv0": argv0,
                "options": options or [],
            }
            assert self._process is not None and self._process.stdin is not None
            self._process.stdin.write((json.dumps(request) + "\n").encode())
            await self._process.stdin.drain()
            reply = await self._read(30.0)
        if "pid" not in reply:
            raise ZygoteError(reply.get("error", "the kernel zygote did not fork"))
        return int(reply["pid"])

    async def close(self) -> None:
        process, self._process = self._process, None
        if process is None or process.returncode is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        await process.wait()

    async def _read(self, timeout: float) -> dict[str, Any]:
        assert self._process is not None and self._process.stdout is not None
        try:
            line = await asyncio.wait_for(self._process.stdout.readline(), timeout)
        except asyncio.TimeoutError as err:
            raise ZygoteError(f"the kernel zygote did not answer within {timeout:.0f} s") from err
        if not line:
            raise ZygoteError(
                f"the kernel zygote of {self.python} exited (is ipykernel installed?)"
            )
        reply: dict[str, Any] = json.loads(line)
        return reply


class Zygotes:
    """The zygotes of a process, started on first use and kept for reuse."""

    def __init__(self, niceness: int = 0, preload: Preload = Preload()) -> None:
        self.niceness = niceness  # the CPU priority of the kernels they fork (see priority.py)
        self.preload = preload
        self._zygotes: dict[tuple[str, tuple[tuple[str, str], ...]], Zygote] = {}
        self._lock = asyncio.Lock()

    async def get(self, python: str, env: dict[str, str]) -> Zygote:
        key = (python, tuple(sorted(env.items())))
        async with self._lock:
            zygote = self._zygotes.get(key)
            if zygote is None or not zygote.alive:
                zygote = Zygote(python, env, self.niceness, self.preload)
                await zygote.start()
                self._zygotes[key] = zygote
                log.debug("started a kernel zygote for %s", python)
            return zygote

    def running(self) -> list[Zygote]:
        return [z for z in self._zygotes.values() if z.alive]

    async def close(self) -> None:
        zygotes, self._zygotes = list(self._zygotes.values()), {}
        await asyncio.gather(*(z.close() for z in zygotes))
