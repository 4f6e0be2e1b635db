"""A kernel's client connects as soon as the kernel is forked, before the kernel has bound its
ports: its sockets retry the refused connection within milliseconds, not after zmq's default
100 ms, which every kernel start waited out."""

from __future__ import annotations

from pathlib import Path

import zmq

from orchest_lab.executors.local import (
    RECONNECT_INTERVAL_MAX_MS,
    RECONNECT_INTERVAL_MS,
    LocalExecutor,
)


async def test_a_pooled_kernels_client_retries_its_connection_soon(tmp_path: Path) -> None:
    executor = LocalExecutor(workdir=str(tmp_path), kernel_pool_size=0, preload_modules=())
    try:
        kernel = await executor.pools.pool("python3").acquire()
        try:
            assert kernel.forked
            client = kernel.client
            for channel in (client.shell_channel, client.iopub_channel, client.control_channel):
                socket = channel.socket
                assert socket.getsockopt(zmq.RECONNECT_IVL) == RECONNECT_INTERVAL_MS
                assert socket.getsockopt(zmq.RECONNECT_IVL_MAX) == RECONNECT_INTERVAL_MAX_MS
            reply = await client.execute("1 + 1", reply=True, timeout=30)
            assert reply["content"]["status"] == "ok"
        finally:
            await kernel.shutdown()
    finally:
        await executor.close()
