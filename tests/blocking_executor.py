"""An executor whose steps run until they are cancelled: runs of thousands of steps whose cost
is the engine's and the server's alone. Configured through the executor seam
(`c.OrchestLab.executor_class`), as any other executor is."""

from __future__ import annotations

import asyncio

from orchest_lab.executors.base import Executor, StepOutput, StepTask


class BlockingExecutor(Executor):
    async def run(self, task: StepTask, output: StepOutput) -> None:
        await asyncio.Event().wait()


class InstantExecutor(Executor):
    """Every step succeeds at once."""

    async def run(self, task: StepTask, output: StepOutput) -> None:
        return None
