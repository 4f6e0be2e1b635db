"""The warm pool hands every step a kernel of its own, however the steps' requests interleave."""

from __future__ import annotations

import asyncio
from pathlib import Path

from orchest_lab.executors.local import LocalExecutor


async def test_steps_that_ask_one_after_another_each_get_a_kernel(tmp_path: Path) -> None:
    """A step that asks as soon as the previous one got its kernel (no idle kernels kept) is
    not left waiting for the start that served the previous one."""
    executor = LocalExecutor(workdir=str(tmp_path), kernel_pool_size=0, preload_modules=())
    pool = executor.pools.pool("python3")
    kernels = []
    try:
        # A deadline that adds no task between the two (asyncio.wait_for would).
        async with asyncio.timeout(30):
            for _ in range(3):
                kernels.append(await pool.acquire())
        assert len({k.manager.provisioner.pid for k in kernels if k.manager.provisioner}) == 3
    finally:
        for kernel in kernels:
            await kernel.shutdown()
        await executor.close()
