"""The local executor: notebooks on fresh kernels from warm pools, scripts as subprocesses."""

from __future__ import annotations

import asyncio
import collections
import dataclasses

from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel

from ..runs.models import StepFailure
from .base import EnvironmentResolver, StepFailed, StepOutput, StepTask
from .kernels.launch import KernelStartError, RunningKernel, spec_python, start_kernel
from .kernels.pool import KernelPools
from .kernels.zygote import Zygotes
from .log import StepLog
from .notebook import NotebookRunner
from .script import run_script, script_command


class LocalExecutor:
    def __init__(
        self,
        kernel_spec_manager: KernelSpecManager | None = None,
        pool_size: int = 1,
        pool_max: int = 16,
        neutral_cwd: str = "/",
        fork_kernels: bool = True,
        environments: EnvironmentResolver | None = None,
    ) -> None:
        self.kernel_spec_manager = kernel_spec_manager or KernelSpecManager()
        self.environments = environments
        self._zygotes = Zygotes() if fork_kernels else None
        self._neutral_cwd = neutral_cwd
        self.pools = KernelPools(self._starter, idle_size=pool_size, max_size=pool_max)
        self._retiring: set[asyncio.Task[None]] = set()  # used kernels being cleaned up

    def _starter(self, spec_name: str):  # type: ignore[no-untyped-def]
        async def start() -> RunningKernel:
            return await start_kernel(
                spec_name,
                kernel_spec_manager=self.kernel_spec_manager,
                zygotes=self._zygotes,
                cwd=self._neutral_cwd,
            )

        return start

    def _poolable(self, spec_name: str) -> bool:
        """Pooled kernels are prepared for their step by Python code; other languages are not."""
        try:
            spec = self.kernel_spec_manager.get_kernel_spec(spec_name)
        except NoSuchKernel:
            return False
        return spec.language.lower() == "python"

    def warm_up(self, spec_name: str) -> None:
        """Get the idle kernels of a kernelspec ready before the first run asks for one."""
        if self._poolable(spec_name):
            self.pools.pool(spec_name).fill()

    def prepare(self, tasks: list[StepTask]) -> None:
        for name, count in self._kernel_demand(tasks).items():
            self.pools.pool(name).reserve(count)

    def release(self, tasks: list[StepTask]) -> None:
        for name, count in self._kernel_demand(tasks).items():
            self.pools.pool(name).release_reservation(count)

    def _kernel_demand(self, tasks: list[StepTask]) -> collections.Counter[str]:
        return collections.Counter(
            t.kernel_name for t in tasks if t.kind == "notebook" and self._poolable(t.kernel_name)
        )

    async def run(self, task: StepTask, output: StepOutput) -> None:
        if task.environment and self.environments is not None:
            task = dataclasses.replace(task, kernel_name=await self.environments.kernel_for(task))
        with StepLog(task.log_files) as log:
            if task.kind == "notebook":
                await self._run_notebook(task, output, log)
            else:
                await run_script(task, script_command(task, self._python(task)), output, log)

    async def _run_notebook(self, task: StepTask, output: StepOutput, log: StepLog) -> None:
        kernel = await self._kernel_for(task)
        try:
            await NotebookRunner(task, kernel, output, log).run()
        finally:
            # The kernel and its children die now (shielded: a cancelled step too); releasing
            # its files and ports can finish after the step.
            await asyncio.shield(kernel.kill())
            retiring = asyncio.ensure_future(kernel.shutdown())
            self._retiring.add(retiring)
            retiring.add_done_callback(self._retiring.discard)

    async def _kernel_for(self, task: StepTask) -> RunningKernel:
        try:
            if self._poolable(task.kernel_name):
                return await self.pools.pool(task.kernel_name).acquire()
            return await start_kernel(
                task.kernel_name,
                kernel_spec_manager=self.kernel_spec_manager,
                zygotes=self._zygotes,
                cwd=str(task.cwd),
                env=task.env,
            )
        except KernelStartError as err:
            raise StepFailed(StepFailure("KernelStartError", str(err))) from err

    def _python(self, task: StepTask) -> str | None:
        """The interpreter of the step's kernel, when that kernel is Python."""
        try:
            spec = self.kernel_spec_manager.get_kernel_spec(task.kernel_name)
        except NoSuchKernel:
            return None
        if spec.language.lower() != "python":
            return None
        return spec_python(spec)

    async def close(self) -> None:
        await asyncio.gather(*self._retiring, return_exceptions=True)
        await self.pools.close()
        if self._zygotes is not None:
            await self._zygotes.close()
