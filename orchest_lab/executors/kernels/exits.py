"""Waiting for a killed process (a kernel, a zygote) to be gone."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable


async def until_exited(poll: Callable[[], Awaitable[int | None]], timeout: float | None) -> None:
    """Wait until `poll` gives an exit status (None while the process runs), or `timeout` is
    over. A killed process is gone within a few ms, which a command waits for at its end:
    checked every ms at first, then less often (jupyter_client checks every 0.1 s)."""
    loop = asyncio.get_running_loop()
    deadline = None if timeout is None else loop.time() + timeout
    pause = 0.001
    while await poll() is None and (deadline is None or loop.time() < deadline):
        await asyncio.sleep(pause)
        pause = min(2 * pause, 0.05)
