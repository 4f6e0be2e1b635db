"""The local executor: notebooks on fresh kernels from warm pools, scripts as subprocesses."""

from __future__ import annotations

import asyncio
import collections
import contextlib
import dataclasses
import os
import re
from collections.abc import Sequence
from typing import Any

import zmq.asyncio
from jupyter_client.kernelspec import NoSuchKernel
from traitlets import Bool, Int

from ..environments.kernelspecs import SDK_PATH
from ..records import StepFailure
from .base import (
    DEFAULT_KERNEL,
    Executor,
    StepFailed,
    StepOutput,
    StepTask,
    confine_step_files,
)
from .kernels.launch import KernelStartError, RunningKernel, spec_python, start_kernel
from .kernels.pool import KernelPools
from .kernels.provisioner import forkable
from .kernels.zygote import Zygotes
from .kernels.zygote_start import DEFAULT_PRELOAD, Preload, ZygoteError
from .log import StepLog
from .priority import DEFAULT_STEP_NICENESS, lower_priority
from .script import run_script, script_command

__all__ = ["DEFAULT_PRELOAD", "LocalExecutor"]

NAMES_READ_LIMIT = 16 << 20  # bytes of a notebook searched for the names of preloaded modules
# A client connects as soon as its kernel is forked, some 20-40 ms before the kernel has bound
# its ports; zmq retries a refused connection after 100 ms by default, which a kernel start then
# waits out. Retries come sooner, then back off up to the maximum.
RECONNECT_INTERVAL_MS = 5
RECONNECT_INTERVAL_MAX_MS = 1000
# How many messages a client's socket queues before it stops reading from the kernel. Past that,
# the kernel's iopub socket drops what it publishes: a cell's last outputs and its idle status,
# which a step waits for. Over TCP the system's socket buffers held thousands more; a Unix
# socket's hold a few hundred. 100,000 messages of a printing loop are about 70 MB.
RECEIVE_QUEUE_MESSAGES = 100_000


def kernel_client_context() -> zmq.asyncio.Context:
    """The zmq context of kernel clients: their sockets retry a refused connection soon, and
    keep reading what a kernel publishes faster than the server takes it."""
    context = zmq.asyncio.Context()
    context.setsockopt(zmq.RECONNECT_IVL, RECONNECT_INTERVAL_MS)
    context.setsockopt(zmq.RECONNECT_IVL_MAX, RECONNECT_INTERVAL_MAX_MS)
    context.setsockopt(zmq.RCVHWM, RECEIVE_QUEUE_MESSAGES)
    return context


class LocalExecutor(Executor):
    """Runs steps on this machine (`c.LocalExecutor.*`). `preload_modules` are imported by the
    zygotes kernels are forked from (the server's `c.OrchestLab.preload_modules`)."""

    kernel_pool_size = Int(
        2,
        help="Fresh kernels kept ready per kernelspec, so that steps do not wait for one "
        "(more are started as soon as a run needs them; 0: start them only when needed).",
    ).tag(config=True)
    kernel_pool_max = Int(
        16, help="The most kernels of one kernelspec started ahead for the runs in progress."
    ).tag(config=True)
    step_niceness = Int(
        DEFAULT_STEP_NICENESS,
        help="How much lower than the server's the CPU priority of steps is (nice), so that "
        "the server and JupyterLab stay responsive while steps use every core (0: the same).",
    ).tag(config=True)
    fork_kernels = Bool(
        True,
        help="Start Python kernels by forking a process that has imported ipykernel already "
        "(about 5 times less CPU per kernel than starting a new interpreter).",
    ).tag(config=True)

    def __init__(
        self,
        preload_modules: Sequence[str] = DEFAULT_PRELOAD,
        fork_while_preloading: bool = False,
        **kwargs: Any,
    ) -> None:
        """`fork_while_preloading`: kernels asked for before the zygote has imported
        `preload_modules` start with what it has imported so far, instead of waiting, and the
        zygote stops importing once the kernels of the run are forked (for a command that makes
        one run, whose first step would otherwise wait for imports it may not need)."""
        super().__init__(**kwargs)
        preload = Preload(tuple(preload_modules), str(SDK_PATH), fork_while_preloading)
        self._zygotes = Zygotes(self.step_niceness, preload) if self.fork_kernels else None
        self.pools = KernelPools(
            self._starter, idle_size=self.kernel_pool_size, max_size=self.kernel_pool_max
        )
        self._languages: dict[str, str | None] = {}  # kernelspec -> its language (None: missing)
        self._retiring: set[asyncio.Task[None]] = set()  # used kernels being cleaned up
        self._zmq = kernel_client_context()  # shared by all kernels' clients (see start_kernel)

    def _starter(self, spec_name: str):  # type: ignore[no-untyped-def]
        async def start() -> RunningKernel:
            return await start_kernel(
                spec_name,
                kernel_spec_manager=self.kernel_spec_manager,
                zygotes=self._zygotes,
                cwd=self.workdir,
                context=self._zmq,
            )

        return start

    def _language(self, spec_name: str) -> str | None:
        """The kernelspec's language (read from disk once: it does not change for a name)."""
        if spec_name not in self._languages:
            try:
                spec = self.kernel_spec_manager.get_kernel_spec(spec_name)
                self._languages[spec_name] = spec.language.lower()
            except NoSuchKernel:
                return None  # not remembered: it may be installed later
        return self._languages[spec_name]

    def _poolable(self, spec_name: str) -> bool:
        """Pooled kernels are prepared for their step by Python code; other languages are not."""
        return self._language(spec_name) == "python"

    async def warm_up(self) -> None:
        """Get the idle kernels of the default kernelspec ready before the first run."""
        if self.kernel_pool_size > 0 and await asyncio.to_thread(self._poolable, DEFAULT_KERNEL):
            self.pools.pool(DEFAULT_KERNEL).fill()

    def start_early(self, kernel_name: str) -> None:
        """The zygote of the kernel starts importing while the caller works."""
        if self._zygotes is None:
            return
        try:
            spec = self.kernel_spec_manager.get_kernel_spec(kernel_name)
        except NoSuchKernel:
            return
        if forkable(spec):
            try:  # the same zygote as start_kernel asks for
                self._zygotes.spawn(spec_python(spec), {**os.environ, **(spec.env or {})})
            except ZygoteError as err:
                self.log.debug("no early zygote: %s", err)

    async def prepare(self, tasks: list[StepTask]) -> None:
        demand = await asyncio.to_thread(self._kernel_demand, tasks)
        if self._zygotes is not None and self._zygotes.preload.fork_while_preloading:
            # A command's one run: its zygotes import nothing after its last kernel, nor at all
            # when none of its notebooks names a module they would import.
            named = await asyncio.to_thread(self._names_preloaded, tasks)
            self._zygotes.forks_to_come(sum(demand.values()) if named else 0)
        for name, count in demand.items():
            self.pools.pool(name).reserve(count)

    def release(self, tasks: list[StepTask]) -> None:
        # The languages of these tasks' kernels were read by `prepare`: no file is read here.
        for name, count in self._kernel_demand(tasks).items():
            self.pools.pool(name).release_reservation(count)

    def _names_preloaded(self, tasks: list[StepTask]) -> bool:
        """Whether a notebook of `tasks` names a module the zygotes preload (or the SDK, which
        loads pandas and pyarrow for data it passes): a word in its file, code or not."""
        assert self._zygotes is not None
        names = {name.split(".")[0] for name in self._zygotes.preload.modules} | {"orchest"}
        words = re.compile(rb"\b(?:" + b"|".join(re.escape(n.encode()) for n in names) + rb")\b")
        for task in tasks:
            if task.kind != "notebook":
                continue
            try:
                if task.file.stat().st_size > NAMES_READ_LIMIT:
                    return True  # not read: as if it did
                if words.search(task.file.read_bytes()):
                    return True
            except OSError:
                return True  # the step will say what is wrong with it
        return False

    def _kernel_demand(self, tasks: list[StepTask]) -> collections.Counter[str]:
        return collections.Counter(
            t.kernel_name for t in tasks if t.kind == "notebook" and self._poolable(t.kernel_name)
        )

    async def run(self, task: StepTask, output: StepOutput) -> None:
        task = await asyncio.to_thread(confine_step_files, task)
        if task.environment and self.environments is not None:
            task = dataclasses.replace(task, kernel_name=await self.environments.kernel_for(task))
        with await StepLog.open(task.log_files) as log:
            if task.kind == "notebook":
                await self._run_notebook(task, output, log)
            else:
                python = await asyncio.to_thread(self._python, task)
                command = lower_priority(script_command(task, python), self.step_niceness)
                await run_script(task, command, output, log)

    async def _run_notebook(self, task: StepTask, output: StepOutput, log: StepLog) -> None:
        # nbclient and nbformat load with the first notebook step, not with the executor: a
        # command starts its kernels' zygote before it pays for them (see start_early).
        from .live_file import LiveNotebookFile
        from .notebook import NotebookRunner

        # Read while a kernel is found: a command's first step otherwise reads it (50 ms, with
        # nbformat's first validation) only after waiting for its zygote.
        loading = asyncio.ensure_future(LiveNotebookFile.load(task.output_file))
        try:
            kernel = await self._kernel_for(task)
        except BaseException:
            loading.cancel()
            with contextlib.suppress(BaseException):
                await loading  # its error, if any, is not the step's
            raise
        try:
            await NotebookRunner(task, kernel, await loading, output, log).run()
        finally:
            # The kernel and its children die now (shielded: a cancelled step too); releasing
            # its files and ports can finish after the step.
            await asyncio.shield(kernel.kill())
            retiring = asyncio.ensure_future(kernel.shutdown())
            self._retiring.add(retiring)
            retiring.add_done_callback(self._retiring.discard)

    async def _kernel_for(self, task: StepTask) -> RunningKernel:
        try:
            known = task.kernel_name in self._languages  # else read from disk, off the loop
            poolable = (
                self._poolable(task.kernel_name)
                if known
                else await asyncio.to_thread(self._poolable, task.kernel_name)
            )
            if poolable:
                return await self.pools.pool(task.kernel_name).acquire()
            return await start_kernel(
                task.kernel_name,
                kernel_spec_manager=self.kernel_spec_manager,
                zygotes=self._zygotes,
                cwd=str(task.cwd),
                env=task.env,
                context=self._zmq,
            )
        except KernelStartError as err:
            raise StepFailed(StepFailure("KernelStartError", str(err))) from err

    def _python(self, task: StepTask) -> str | None:
        """The interpreter of the step's kernel, when that kernel is Python (read anew: an
        environment's kernelspec moves to a new build)."""
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
        self._zmq.destroy(linger=0)
