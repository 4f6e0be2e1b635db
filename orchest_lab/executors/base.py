"""What an executor is: the one interface the run engine drives, whatever runs the steps."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from ..runs.models import StepFailure


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
    parameters: dict[str, Any] = field(default_factory=dict)
    project: Path | None = None
    environment: str = ""  # the environment's uuid; "" runs on the notebook's own kernel

    @property
    def kind(self) -> str:
        return "notebook" if self.file.suffix == ".ipynb" else "script"


class StepOutput(Protocol):
    """Live output of a running step, published as it arrives."""

    def cell(
        self,
        task: StepTask,
        index: int,
        cell_id: str | None,
        state: str,  # "running" or "done"
        execution_count: int | None,
        outputs: list[dict[str, Any]],
    ) -> None: ...

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


class Executor(Protocol):
    def prepare(self, tasks: list[StepTask]) -> None:
        """A run is about to start these tasks: warm up what they need (kernels)."""

    def release(self, tasks: list[StepTask]) -> None:
        """Tasks announced by `prepare` that will not run after all."""

    async def run(self, task: StepTask, output: StepOutput) -> None:
        """Run the step to the end. Raises StepFailed when it fails. Cancelling the call stops the
        step and every process it started before it returns."""

    async def close(self) -> None: ...
