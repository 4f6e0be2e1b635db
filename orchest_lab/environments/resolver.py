"""How a run finds the kernel of a step's environment, building it first when so configured."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ..executors.base import StepFailed, StepTask, being_cancelled
from ..records import StepFailure
from .builds import RUNTIME, EnvironmentBuilds
from .definition import DefinitionError, EnvironmentDefinition


class RunEnvironments:
    def __init__(
        self, builds: EnvironmentBuilds, build_on_run: bool, label: Callable[[Path], str]
    ) -> None:
        self.builds = builds
        self.build_on_run = build_on_run
        self.label = label  # how a project is named in events

    async def kernel_for(self, task: StepTask) -> str:
        assert task.project is not None, "a step with an environment belongs to a project"
        project, env_uuid = task.project, task.environment
        # Files are read in threads: a slow disk must not stall the server's event loop.
        try:
            definition = await asyncio.to_thread(EnvironmentDefinition.load, project, env_uuid)
        except DefinitionError as err:
            raise _unavailable(f"the step's environment {env_uuid} cannot be used: {err}") from err
        if task.builds_from is not None:
            return await self._kernel_of_original(task.builds_from, definition)
        built = await asyncio.to_thread(self.builds.resolve, project, env_uuid)
        if self.build_on_run and (built is None or not await self._up_to_date(project, definition)):
            status = await self._build(project, definition)
            if status["state"] != "ready":
                raise _unavailable(
                    f"environment '{definition.name}' did not build: {status.get('message')}"
                )
            built = await asyncio.to_thread(self.builds.resolve, project, env_uuid)
        if built is None:
            raise _unavailable(
                f"environment '{definition.name}' is not built; build it (Environments panel, "
                f"or `orchest-lab env build {project} {env_uuid}`) and run again"
            )
        return built.kernel_name

    async def _kernel_of_original(self, original: Path, copied: EnvironmentDefinition) -> str:
        """The kernel of a copy's environment (a job's snapshot): the build of the original
        project, when its definition is the copy's (resolved by content: a copy is never
        built on its own)."""
        wanted = copied.content_hash(RUNTIME)
        built = await asyncio.to_thread(self.builds.resolve, original, copied.uuid)
        if built is not None and built.hash == wanted:
            return built.kernel_name
        try:
            current = await asyncio.to_thread(EnvironmentDefinition.load, original, copied.uuid)
        except DefinitionError:
            current = None
        if current is None or current.content_hash(RUNTIME) != wanted:
            raise _unavailable(
                f"environment '{copied.name}' changed in the project (or was deleted) since the "
                "job's snapshot was taken, and the snapshot's version is not built; make a new "
                "job from the project as it is now"
            )
        if not self.build_on_run:
            raise _unavailable(f"environment '{copied.name}' is not built; build it and run again")
        status = await self._build(original, current)
        built = await asyncio.to_thread(self.builds.resolve, original, copied.uuid)
        if status["state"] != "ready" or built is None or built.hash != wanted:
            raise _unavailable(
                f"environment '{copied.name}' did not build: {status.get('message')}"
            )
        return built.kernel_name

    async def _build(self, project: Path, definition: EnvironmentDefinition) -> dict[str, Any]:
        """Wait for the environment's build, which steps of other runs may share: this step
        being cancelled (its run was) must not cancel the build for them."""
        build = self.builds.build(project, self.label(project), definition)
        try:
            return await asyncio.shield(build)
        except asyncio.CancelledError:
            if being_cancelled() or not build.cancelled():
                raise  # this step's own task is being cancelled
            raise _unavailable(
                f"environment '{definition.name}' ({definition.uuid}) cannot be used: its build "
                "was cancelled"
            ) from None
        except Exception as err:  # the build crashed (a bug): the step says so, the server goes on
            raise _unavailable(
                f"environment '{definition.name}' did not build: {type(err).__name__}: {err}"
            ) from err

    async def _up_to_date(self, project: Path, definition: EnvironmentDefinition) -> bool:
        status = await asyncio.to_thread(self.builds.status, project, definition)
        return bool(status["up_to_date"])


def _unavailable(message: str) -> StepFailed:
    return StepFailed(StepFailure("EnvironmentUnavailable", message))
