"""What an executor is: the one interface the run engine and the app drive, whatever runs the
steps. The server makes its executor from `c.OrchestLab.executor_class`; each executor is a
configurable class of its own (`c.LocalExecutor.*`), as jupyter-scheduler configures its backends.
"""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from traitlets.config import LoggingConfigurable

from ..fs import PathOutsideRoot, real_within
from ..records import CellUpdate, StepFailure

if TYPE_CHECKING:  # jupyter_client loads when an executor is made, not with the step types
    from jupyter_client.kernelspec import KernelSpecManager

DEFAULT_KERNEL = "python3"  # the kernelspec of steps that name none (Jupyter's default)


@dataclass(frozen=True)
class StepTask:
    """Everything needed to run one step of one run."""

    run_id: str
    step_uuid: str
    title: str
    file: Path  # the notebook or script to execute
    output_file: Path  # where a notebook's outputs go (the file itself in interactive runs)
    output_path: str  # output_file as the UI names it (relative to the server root)
    cwd: Path
    env: dict[str, str]
    kernel_name: str  # kernelspec for notebooks (scripts use its interpreter when it is Python)
    log_files: tuple[Path, ...]  # the step log; written to all of them
    project: Path | None = None  # the folder the run executes in: steps' files stay inside it
    environment: str = ""  # the environment's uuid; "" runs on the notebook's own kernel
    # The project whose environment builds the step uses when it runs in a copy of it (a job's
    # snapshot): the build of an equal definition, never one per copy. None: `project`'s own.
    builds_from: Path | None = None
    # Optional limits from the step or its pipeline's settings (used by the Kubernetes
    # executor): seconds the step may run (None: no limit), and its requests and limits
    # ({"requests": {"cpu": "1", "memory": "2Gi"}, "limits": {...}}).
    timeout: float | None = None
    resources: dict[str, dict[str, str]] | None = None

    @property
    def kind(self) -> str:
        return "notebook" if self.file.suffix == ".ipynb" else "script"


class StepOutput(Protocol):
    """Live output of a running step, published as it arrives."""

    def cell(self, task: StepTask, update: CellUpdate) -> None: ...

    def stream(self, task: StepTask, name: str, text: str) -> None: ...


class EnvironmentResolver(Protocol):
    async def kernel_for(self, task: StepTask) -> str:
        """The kernelspec of the step's environment, ready to use (built first when so
        configured); raises StepFailed saying why the environment cannot be used."""


class StepFailed(Exception):
    """The step ran and failed (or could not be run); carries what the UI shows."""

    def __init__(self, failure: StepFailure) -> None:
        super().__init__(f"{failure.name}: {failure.message}")
        self.failure = failure


def confine_step_files(task: StepTask) -> StepTask:
    """The task with its file and output file as real paths, checked now, when the step starts
    (a file may have been swapped for a symlink since the run was planned): a step never runs
    or writes a file outside the folder its run executes in. Raises StepFailed."""
    if task.project is None:
        return task
    try:
        file = real_within(task.project, task.file)
        output = (
            file if task.output_file == task.file else real_within(task.project, task.output_file)
        )
    except PathOutsideRoot as err:
        raise StepFailed(
            StepFailure("PathOutsideProject", f"{task.file.name} cannot be run: {err}")
        ) from err
    return dataclasses.replace(task, file=file, output_file=output)


class Executor(LoggingConfigurable):
    """Runs steps. Subclasses implement `run` and may use the other hooks.

    `environments` finds (and builds) the kernel of a step's environment; `workdir` is a folder
    where work that belongs to no step yet may wait (kernels started ahead of time);
    `kernel_spec_manager` is the server's (None: jupyter_client's default)."""

    def __init__(
        self,
        *,
        environments: EnvironmentResolver | None = None,
        workdir: str = "/",
        kernel_spec_manager: KernelSpecManager | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.environments = environments
        self.workdir = workdir
        if kernel_spec_manager is None:
            from jupyter_client.kernelspec import KernelSpecManager

            kernel_spec_manager = KernelSpecManager()
        self.kernel_spec_manager = kernel_spec_manager
        # The ids of the runs in progress, set by what drives the executor (the server: its
        # engine's runs): an executor that finds work left by other runs (a previous server's)
        # may stop it.
        self.runs_in_progress: Callable[[], Iterable[str]] = tuple

    async def warm_up(self) -> None:
        """The server runs: get ready for a first run (start kernels ahead, connect...)."""

    def start_early(self, kernel_name: str) -> None:
        """Start now, without an event loop and without waiting, what steps on this kernel will
        need: a command calls it before its slow work (loading, validating, planning)."""

    async def prepare(self, tasks: list[StepTask]) -> None:
        """A run is about to start these tasks: warm up what they need."""

    def release(self, tasks: list[StepTask]) -> None:
        """Tasks announced by `prepare` that will not run after all."""

    async def run(self, task: StepTask, output: StepOutput) -> None:
        """Run the step to the end. Raises StepFailed when it fails. Cancelling the call stops the
        step and every process it started before it returns."""
        raise NotImplementedError

    async def close(self) -> None:
        """Stop everything the executor started."""


def being_cancelled() -> bool:
    """Whether the running task has been asked to stop (Task.cancelling(), Python 3.11+), even
    when the CancelledError did not reach it: code it awaited may have swallowed it
    (asyncio.wait_for, before Python 3.12, returns what it waited for when that ends as the
    cancel comes)."""
    task = asyncio.current_task()
    cancelling = getattr(task, "cancelling", None)
    return bool(cancelling is not None and cancelling())
