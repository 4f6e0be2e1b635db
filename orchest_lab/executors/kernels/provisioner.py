"""A jupyter_client kernel provisioner that forks kernels from a zygote instead of starting a
new interpreter: the kernel manager, clients and nbclient work with it unchanged."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
from typing import Any

from jupyter_client.connect import KernelConnectionInfo
from jupyter_client.kernelspec import KernelSpec
from jupyter_client.provisioning.local_provisioner import LocalProvisioner

from .zygote import Zygote
from .zygote_start import STEP_KERNEL_OPTIONS

IPYKERNEL_MODULES = ("ipykernel_launcher", "ipykernel")


def forkable(spec: KernelSpec) -> bool:
    """Whether kernels of `spec` are plain ipykernels that a zygote of their Python can fork
    (options after the connection file, like `--IPKernelApp.exec_lines=...`, are passed on)."""
    argv = spec.argv
    return (
        spec.language.lower() == "python"
        and len(argv) >= 5
        and all(option.startswith("--") for option in argv[5:])
        and argv[1] == "-m"
        and argv[2] in IPYKERNEL_MODULES
        and argv[3] == "-f"
        and argv[4] == "{connection_file}"
        and spec.interrupt_mode == "signal"
        and "kernel_provisioner" not in (spec.metadata or {})
    )


class ForkingProvisioner(LocalProvisioner):
    """Launches through `zygote`; the kernel process is not our child, so it is tracked by pid."""

    zygote: Zygote | None = None

    @property
    def has_process(self) -> bool:
        return self.pid is not None

    async def launch_kernel(self, cmd: list[str], **kwargs: Any) -> KernelConnectionInfo:
        assert self.zygote is not None, "set the provisioner's zygote before starting the kernel"
        env = dict(kwargs.get("env") or os.environ)
        cwd = str(kwargs.get("cwd") or os.getcwd())
        assert self.parent is not None, "the provisioner belongs to a kernel manager"
        connection_file = self.parent.connection_file
        self.pid = await self.zygote.fork(
            connection_file, env, cwd, cmd[0], [*STEP_KERNEL_OPTIONS, *cmd[5:]]
        )
        self.pgid = self.pid
        self.cwd = cwd
        return self.connection_info

    async def poll(self) -> int | None:
        if self.pid is None:
            return 0
        try:
            os.kill(self.pid, 0)
        except ProcessLookupError:
            return 0  # the zygote reaped it; its exit code is not ours to know
        return None

    async def wait(self) -> int | None:
        while await self.poll() is None:
            await asyncio.sleep(0.05)
        self.pid = None
        return 0

    async def send_signal(self, signum: int) -> None:
        if self.pgid is not None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.pgid, signum)

    async def kill(self, restart: bool = False) -> None:
        await self.send_signal(signal.SIGKILL)

    async def terminate(self, restart: bool = False) -> None:
        await self.send_signal(signal.SIGTERM)
