"""Warm pools of fresh kernels, one per kernelspec, so a step never waits for a kernel start.

A kernel leaves the pool for exactly one step and is shut down after it: every step gets a kernel
that nothing ran on before. The pool keeps `idle_size` kernels ready, and more while a run has
announced (`reserve`) that it will need them.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import logging
import os
from collections.abc import Awaitable, Callable

from .launch import KernelStartError, RunningKernel

log = logging.getLogger(__name__)

Starter = Callable[[], Awaitable[RunningKernel]]


class KernelPool:
    def __init__(self, start: Starter, idle_size: int, max_size: int, concurrency: int) -> None:
        self._start = start
        self.idle_size = idle_size
        self.max_size = max(max_size, idle_size)
        self._ready: collections.deque[RunningKernel] = collections.deque()
        self._waiters: collections.deque[asyncio.Future[RunningKernel]] = collections.deque()
        self._starting: set[asyncio.Task[None]] = set()
        self._stopping: set[asyncio.Task[None]] = set()
        self._reserved = 0
        self._start_slots = asyncio.Semaphore(concurrency)
        self._closed = False

    def fill(self) -> None:
        """Start the idle kernels now (they are otherwise started on first use)."""
        self._top_up()

    def reserve(self, count: int) -> None:
        """Announce `count` acquisitions to come, so their kernels start right away."""
        self._reserved += count
        self._top_up()

    def release_reservation(self, count: int) -> None:
        """Withdraw what a run reserved but did not use (it failed or was cancelled)."""
        self._reserved = max(0, self._reserved - count)
        self._shrink()

    async def acquire(self) -> RunningKernel:
        self._reserved = max(0, self._reserved - 1)
        while self._ready:
            kernel = self._ready.popleft()
            if await kernel.is_alive():
                self._top_up()
                return kernel
            await kernel.shutdown()
        waiter: asyncio.Future[RunningKernel] = asyncio.get_running_loop().create_future()
        self._waiters.append(waiter)
        self._top_up()
        try:
            return await waiter
        finally:
            if waiter in self._waiters:
                self._waiters.remove(waiter)

    async def close(self) -> None:
        self._closed = True
        for task in list(self._starting):
            task.cancel()
        await asyncio.gather(*self._starting, return_exceptions=True)
        kernels, self._ready = list(self._ready), collections.deque()
        await asyncio.gather(*(k.shutdown() for k in kernels), *self._stopping)

    # --- internals -----------------------------------------------------------------------------

    def _wanted(self) -> int:
        return min(self.max_size, max(self.idle_size, self._reserved)) + len(self._waiters)

    def _top_up(self) -> None:
        if self._closed:
            return
        while len(self._ready) + len(self._starting) < self._wanted():
            task = asyncio.ensure_future(self._start_one())
            self._starting.add(task)
            task.add_done_callback(self._starting.discard)

    def _shrink(self) -> None:
        while len(self._ready) > self._wanted():
            task = asyncio.ensure_future(self._ready.pop().shutdown())
            self._stopping.add(task)
            task.add_done_callback(self._stopping.discard)

    async def _start_one(self) -> None:
        try:
            async with self._start_slots:
                try:
                    kernel = await self._start()
                except KernelStartError as err:
                    # Rarely a new kernel dies at once (a port taken meanwhile): one more try.
                    log.info("a kernel failed to start (%s); starting another", err)
                    kernel = await self._start()
        except asyncio.CancelledError:
            raise
        except Exception as err:
            # Hand the failure to a waiting step (it fails with this message); do not retry here.
            if self._waiters:
                self._waiters.popleft().set_exception(err)
            else:
                log.warning("could not pre-start a kernel: %s", err)
            return
        # No longer starting, as of now: a step that acquires as soon as this kernel is handed
        # over must see it gone (its done callback comes a turn later), or it waits for a kernel
        # that no start will bring.
        self._starting.discard(asyncio.current_task())
        while self._waiters:
            waiter = self._waiters.popleft()
            if not waiter.done():
                waiter.set_result(kernel)
                return
        if self._closed:
            await kernel.shutdown()
        else:
            self._ready.append(kernel)


class KernelPools:
    """One pool per kernelspec name."""

    def __init__(
        self, starter: Callable[[str], Starter], idle_size: int, max_size: int = 16
    ) -> None:
        self._starter = starter
        self.idle_size = idle_size
        self.max_size = max_size
        self._pools: dict[str, KernelPool] = {}
        self._concurrency = 2 * max(2, os.cpu_count() or 2)

    def pool(self, spec_name: str) -> KernelPool:
        if spec_name not in self._pools:
            self._pools[spec_name] = KernelPool(
                self._starter(spec_name), self.idle_size, self.max_size, self._concurrency
            )
        return self._pools[spec_name]

    async def close(self) -> None:
        pools, self._pools = list(self._pools.values()), {}
        with contextlib.suppress(Exception):
            await asyncio.gather(*(p.close() for p in pools))
