"""Starting a kernel from a kernelspec: forked from a zygote when possible, cold otherwise."""

from __future__ import annotations

import asyncio
import contextlib
import copy
import json
import logging
import os
import shutil
import sys
import time
import uuid
from dataclasses import dataclass
from queue import Empty
from typing import Any

import zmq.asyncio
from jupyter_client.asynchronous.client import AsyncKernelClient
from jupyter_client.kernelspec import KernelSpec, KernelSpecManager
from jupyter_client.manager import AsyncKernelManager

from .exits import until_exited
from .forked_kernel import PREPARE_KEY
from .provisioner import ForkingProvisioner, forkable
from .sockets import use_unix_sockets
from .zygote import Zygote, Zygotes
from .zygote_start import ZygoteError

log = logging.getLogger(__name__)

READY_TIMEOUT = 120.0
GREETING = "iopub_welcome"  # what ipykernel 7 sends a new iopub subscriber (JEP 65)


def spec_python(spec: KernelSpec) -> str:
    """The interpreter of a Python kernelspec. A bare `python` means this process's own, as
    jupyter_client has it (the server may run from a venv that is not activated)."""
    program = spec.argv[0]
    own = {"python", f"python{sys.version_info[0]}", "python{}.{}".format(*sys.version_info[:2])}
    if program in own:
        return sys.executable
    return shutil.which(program) or program


class KernelStartError(RuntimeError):
    pass


class StepKernelClient(AsyncKernelClient):
    """The client of a kernel the engine starts; it opens the shell and iopub channels only."""

    def stop_channels(self) -> None:
        """Stop the channels it opened. jupyter_client's stop_channels opens each channel it
        does not have (stdin, heartbeat, control: two sockets and a thread object) to ask
        whether it runs: 0.7 to 0.9 ms of the server's CPU for every kernel stopped."""
        for channel in (
            self._shell_channel,
            self._iopub_channel,
            self._stdin_channel,
            self._hb_channel,
            self._control_channel,
        ):
            if channel is not None and channel.is_alive():
                channel.stop()
        if self._created_context and not self.context.closed:
            self.context.destroy(linger=100)


@dataclass
class RunningKernel:
    spec_name: str
    language: str
    manager: AsyncKernelManager
    client: AsyncKernelClient
    forked: bool
    language_info: dict[str, Any] | None = None  # from its kernel_info reply, once ready
    preparing: bool = False  # its preparation waits for the next execute request

    async def is_alive(self) -> bool:
        return bool(await self.manager.is_alive())

    async def kill(self) -> None:
        """Stop the kernel and everything it started (its process group) right now."""
        self.client.stop_channels()
        provisioner = self.manager.provisioner
        if provisioner is not None and provisioner.has_process:
            with contextlib.suppress(OSError):
                await provisioner.kill()

    async def shutdown(self) -> None:
        """Kill the kernel and release what it held (connection file, ports)."""
        await self.kill()
        await self._gone()
        try:
            await self.manager.shutdown_kernel(now=True)
        except Exception:
            log.debug("kernel shutdown", exc_info=True)

    async def prepare(self, cwd: str, env: dict[str, str], path: list[str]) -> str | None:
        """Put this Python kernel in `cwd`, with `env` set and `path` at the front of its
        sys.path; None, or why it could not. A kernel not forked runs code that does it. A
        forked kernel is told with the next execute request sent to it, which sets them just
        before its code runs: this returns None at once, and should they fail, that request's
        reply is an error named SETUP_ERROR and its code does not run."""
        if self.forked:
            self._prepare_with_next_request({"cwd": cwd, "env": env, "path": path})
            return None
        code = (
            f"__import__('os').chdir({json.dumps(cwd)}); "
            f"__import__('os').environ.update({json.dumps(env)}); "
            f"__import__('sys').path[:0] = [p for p in {json.dumps(path)} "
            "if p not in __import__('sys').path]"
        )
        reply = await self.client.execute(code, silent=True, store_history=False, reply=True)
        content = reply["content"]
        if content["status"] == "ok":
            return None
        return f"{content.get('ename', 'Error')}: {content.get('evalue', '')}"

    def _prepare_with_next_request(self, content: dict[str, Any]) -> None:
        channel = self.client.shell_channel

        def send(msg: dict[str, Any]) -> None:
            if msg["header"]["msg_type"] == "execute_request":
                msg["metadata"][PREPARE_KEY] = content
                del channel.send  # the channel's own again
                self.preparing = False
            type(channel).send(channel, msg)

        channel.send = send
        self.preparing = True

    async def _gone(self, timeout: float = 5.0) -> None:
        """Wait until the killed kernel's process is gone."""
        provisioner = self.manager.provisioner
        if provisioner is not None and provisioner.has_process:
            await until_exited(provisioner.poll, timeout)


async def start_kernel(
    spec_name: str,
    *,
    kernel_spec_manager: KernelSpecManager,
    zygotes: Zygotes | None,
    cwd: str,
    env: dict[str, str] | None = None,
    context: zmq.asyncio.Context | None = None,
) -> RunningKernel:
    """A kernel of `spec_name`, answering. Kernels that share `context` (the caller's, which it
    ends) skip a context's start and end of its I/O thread each: several ms per kernel."""
    options = {"context": context} if context is not None else {}
    manager = AsyncKernelManager(
        kernel_name=spec_name,
        kernel_spec_manager=kernel_spec_manager,
        client_class=f"{__name__}.StepKernelClient",
        **options,
    )
    try:
        # Read in a thread: kernelspecs are files (a project's are searched for among all), and
        # the manager would read it on the event loop. It keeps what it is given.
        spec, sockets = await asyncio.to_thread(
            _spec_and_sockets, spec_name, kernel_spec_manager, zygotes
        )
    except Exception as err:  # jupyter_client raises NoSuchKernel (a KeyError)
        raise KernelStartError(f"no kernel named '{spec_name}' is installed") from err
    manager._kernel_spec = spec
    forked = False
    zygote: Zygote | None = None
    if zygotes is not None and forkable(spec):
        python = spec_python(spec)
        try:
            zygote = await zygotes.get(python, {**os.environ, **(spec.env or {})})
        except ZygoteError as err:
            log.warning("starting %s kernels without a zygote: %s", spec_name, err)
            zygote = None
        else:
            provisioner = ForkingProvisioner(
                kernel_id=str(uuid.uuid4()), kernel_spec=spec, parent=manager
            )
            provisioner.zygote = zygote
            manager.provisioner = provisioner
            forked = True
            if sockets is not None:
                use_unix_sockets(manager, sockets)
    try:
        await manager.start_kernel(cwd=cwd, env={**os.environ, **(env or {})})
    except ZygoteError as err:
        # A zygote that forks while it preloads is not waited for (see Zygotes.get): one that
        # could not start says so here.
        log.warning("starting a %s kernel without a zygote: %s", spec_name, err)
        with contextlib.suppress(Exception):
            await manager.cleanup_resources()
        return await start_kernel(
            spec_name,
            kernel_spec_manager=kernel_spec_manager,
            zygotes=None,
            cwd=cwd,
            env=env,
            context=context,
        )
    except Exception as err:
        raise KernelStartError(f"kernel '{spec_name}' failed to start: {err}") from err
    client = manager.client(**options)
    kernel = RunningKernel(spec_name, spec.language, manager, client, forked)
    kind = tuple(spec.argv)  # its zygote's kernels of this kernelspec all greet, or none
    try:
        if zygote is not None and kind in zygote.greeting_kernels:
            await wait_until_ready(kernel, greets=True)
            kernel.language_info = copy.deepcopy(zygote.greeting_kernels[kind])  # a notebook's
        elif await wait_until_ready(kernel) and zygote is not None:
            zygote.greeting_kernels[kind] = kernel.language_info
    except BaseException:
        await kernel.shutdown()
        raise
    return kernel


def _spec_and_sockets(
    name: str, specs: KernelSpecManager, zygotes: Zygotes | None
) -> tuple[KernelSpec, str | None]:
    """The kernelspec `name`, and where a kernel forked from it may put its Unix sockets (None:
    nowhere, it uses TCP). Blocking."""
    spec = specs.get_kernel_spec(name)
    if zygotes is None or not forkable(spec):
        return spec, None
    try:
        return spec, zygotes.sockets.path()
    except OSError as err:
        log.warning("kernels use TCP: no folder for their sockets (%s)", err)
        return spec, None


async def wait_until_ready(
    kernel: RunningKernel, *, greets: bool = False, timeout: float = READY_TIMEOUT
) -> bool:
    """Wait until the kernel serves and its iopub channel is connected; whether it greeted the
    connection (ipykernel 7 sends each new iopub subscriber an `iopub_welcome`).

    A kernel that `greets` is ready at its greeting: it has bound its shell socket by then, and
    requests wait there until it serves them. That spares it and the server a kernel_info
    exchange (about 4 ms of CPU between them). Others, and one whose greeting does not come
    within a second, are asked for their kernel_info (its reply gives their language_info).
    Unlike jupyter_client's wait_for_ready this does not then sit through 0.2 s of iopub silence:
    readers filter iopub messages by their parent request, so stray status messages do no harm.
    """
    client = kernel.client
    # No heartbeat thread (liveness comes from the process) and no stdin (steps cannot prompt).
    client.start_channels(stdin=False, hb=False)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not await kernel.is_alive():
            raise KernelStartError(f"kernel '{kernel.spec_name}' died while starting")
        try:
            if greets:
                greets = False  # one second for it, then as for any kernel
                if (await client.get_iopub_msg(timeout=1.0))["msg_type"] == GREETING:
                    return True
                continue
            client.kernel_info()
            reply = await client.get_shell_msg(timeout=1.0)
            kernel.language_info = reply["content"].get("language_info")
            first = await client.get_iopub_msg(timeout=0.5)  # a greeting or a status: connected
            return bool(first["msg_type"] == GREETING)
        except Empty:
            await asyncio.sleep(0)
    raise KernelStartError(f"kernel '{kernel.spec_name}' did not answer within {timeout:.0f} s")
