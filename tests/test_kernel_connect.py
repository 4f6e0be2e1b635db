"""How the server reaches a step's kernel: its client connects as soon as the kernel is forked,
before the kernel has bound its sockets, and retries the refused connection within milliseconds,
not after zmq's default 100 ms, which every kernel start waited out; a forked kernel's sockets
are Unix domain sockets in a folder only this user can enter; and once a zygote's kernels are
known to greet their client on iopub, the next ones are ready at that greeting."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import pytest
import zmq

from orchest_lab.executors.kernels import launch
from orchest_lab.executors.kernels.sockets import PREFIX, SocketFolder
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


async def test_a_forked_kernel_talks_over_unix_sockets_that_only_its_user_can_reach(
    tmp_path: Path,
) -> None:
    executor = LocalExecutor(workdir=str(tmp_path), kernel_pool_size=0, preload_modules=())
    try:
        kernel = await executor.pools.pool("python3").acquire()
        base = Path(kernel.manager.ip)
        try:
            assert kernel.manager.transport == "ipc"
            folder = base.parent.stat()
            assert stat.S_IMODE(folder.st_mode) == 0o700
            assert folder.st_uid == os.geteuid()
            sockets = list(base.parent.glob(f"{base.name}-*"))
            assert len(sockets) >= 4  # shell, iopub, stdin, control
            assert all(stat.S_ISSOCK(p.stat().st_mode) for p in sockets)
            reply = await kernel.client.execute("1 + 1", reply=True, timeout=30)
            assert reply["content"]["status"] == "ok"
        finally:
            await kernel.shutdown()
        assert not list(base.parent.glob(f"{base.name}-*"))  # gone with the kernel
    finally:
        await executor.close()
    assert not base.parent.exists()  # and the folder with the executor


@pytest.mark.parametrize("while_preloading", [False, True])
async def test_kernels_use_tcp_where_a_socket_path_would_be_too_long(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, while_preloading: bool
) -> None:
    """Also from a command's zygote, which lists the network interfaces after the kernels
    already asked for are forked (kernels on Unix sockets do not need them)."""
    deep = tmp_path / ("x" * 60) / ("y" * 60)
    deep.mkdir(parents=True)
    monkeypatch.setattr(tempfile, "tempdir", str(deep))
    executor = LocalExecutor(
        workdir=str(tmp_path),
        kernel_pool_size=0,
        preload_modules=("json",) if while_preloading else (),
        fork_while_preloading=while_preloading,
    )
    try:
        kernel = await executor.pools.pool("python3").acquire()
        try:
            assert kernel.forked
            assert kernel.manager.transport == "tcp"
            reply = await kernel.client.execute("1 + 1", reply=True, timeout=30)
            assert reply["content"]["status"] == "ok"
        finally:
            await kernel.shutdown()
    finally:
        await executor.close()


async def test_a_zygotes_later_kernels_are_ready_at_their_greeting(tmp_path: Path) -> None:
    executor = LocalExecutor(workdir=str(tmp_path), kernel_pool_size=0, preload_modules=())
    kernels = []
    try:
        read_at_ready = []
        for _ in range(3):
            kernels.append(await executor.pools.pool("python3").acquire())
            # The messages its client had read when it was ready (each client's session keeps
            # their signatures): the greeting alone, or a kernel_info reply and an iopub message.
            read_at_ready.append(len(kernels[-1].client.session.digest_history))
        # The zygote knows its kernels greet (from the first whose greeting came before any
        # other iopub message: almost always the first kernel).
        provisioner: Any = kernels[0].manager.provisioner
        [recorded] = provisioner.zygote.greeting_kernels.values()
        assert recorded is not None and recorded["name"] == "python"
        assert read_at_ready[0] == 2 and 1 in read_at_ready[1:]  # later ones: the greeting only
        for kernel in kernels:
            assert kernel.language_info is not None
            assert kernel.language_info["name"] == "python"
            # Its first cell's output comes through: its iopub channel was connected.
            printed: list[dict[str, Any]] = []
            reply = await kernel.client.execute_interactive(
                "print('hello')", output_hook=printed.append, timeout=30
            )
            assert reply["content"]["status"] == "ok"
            texts = [m["content"]["text"] for m in printed if m["msg_type"] == "stream"]
            assert texts == ["hello\n"]
    finally:
        for kernel in kernels:
            await kernel.shutdown()
        await executor.close()


async def test_a_kernel_whose_greeting_is_not_recognised_is_asked_for_its_kernel_info(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A zygote's later kernels are awaited for their greeting first; one whose first iopub
    message is not it is then asked for its kernel_info, as any kernel is, and is ready at the
    reply. (The greeting is made unrecognisable here: this environment's ipykernel sends it.)"""
    monkeypatch.setattr(launch, "GREETING", "a_greeting_no_kernel_sends")
    executor = LocalExecutor(workdir=str(tmp_path), kernel_pool_size=0, preload_modules=())
    kernels = []
    try:
        pool = executor.pools.pool("python3")
        kernels.append(await pool.acquire())
        provisioner: Any = kernels[0].manager.provisioner
        zygote = provisioner.zygote
        assert zygote.greeting_kernels == {}  # its greeting was not recognised
        kind = tuple(kernels[0].manager.kernel_spec.argv)
        zygote.greeting_kernels[kind] = kernels[0].language_info  # as if its kernels greeted
        kernels.append(await pool.acquire())
        # Ready at a kernel_info reply and an iopub message, after the greeting it did not
        # recognise (or a second without it). Ready at its greeting, it would have read one.
        assert len(kernels[1].client.session.digest_history) >= 2
        reply = await kernels[1].client.execute("1 + 1", reply=True, timeout=30)
        assert reply["content"]["status"] == "ok"
    finally:
        for kernel in kernels:
            await kernel.shutdown()
        await executor.close()


def test_the_socket_folders_of_processes_that_crashed_are_removed_by_the_next(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    gone = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        check=True,
    )
    left = tmp_path / f"{PREFIX}{gone.stdout.strip()}-abc"  # a process that died
    left.mkdir()
    (left / "0123-1").touch()
    running = tmp_path / f"{PREFIX}{os.getppid()}-abc"  # a process still running
    running.mkdir()
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    linked = tmp_path / f"{PREFIX}{gone.stdout.strip()}-link"  # not a folder: a link to one
    linked.symlink_to(elsewhere)
    sockets = SocketFolder()
    try:
        own = Path(sockets.path())
        assert own.name.startswith(f"{PREFIX}{os.getpid()}-")
        assert not left.exists()
        assert running.is_dir() and linked.is_symlink() and elsewhere.is_dir()
    finally:
        sockets.remove()
    assert not own.exists()


async def test_a_cell_that_prints_faster_than_the_server_reads_loses_no_message(
    tmp_path: Path,
) -> None:
    """Over a Unix socket the system buffers only a few hundred messages: the client's queue
    must take the rest, or the kernel drops the cell's last outputs and its idle status."""
    executor = LocalExecutor(workdir=str(tmp_path), kernel_pool_size=0, preload_modules=())
    try:
        kernel = await executor.pools.pool("python3").acquire()
        try:
            msg_id = kernel.client.execute("for i in range(4000):\n    print(i, flush=True)")
            printed, idle = [], False
            while not idle:
                message = await kernel.client.get_iopub_msg(timeout=30)
                if message["parent_header"].get("msg_id") != msg_id:
                    continue
                if message["msg_type"] == "stream":
                    printed.append(message["content"]["text"])
                idle = message["content"].get("execution_state") == "idle"
                time.sleep(0.0005)  # a server busy with other work reads slowly
            assert "".join(printed).split() == [str(i) for i in range(4000)]
        finally:
            await kernel.shutdown()
    finally:
        await executor.close()
