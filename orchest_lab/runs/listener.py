"""Who hears about runs as they happen: the server's event bus, the command line's progress."""

from __future__ import annotations

from typing import Any, Protocol

from .models import RunRecord, StepRecord


class RunListener(Protocol):
    def run_changed(self, run: RunRecord) -> None: ...

    def step_changed(self, run: RunRecord, step: StepRecord) -> None: ...

    def cell(
        self,
        run: RunRecord,
        step_uuid: str,
        path: str,
        index: int,
        cell_id: str | None,
        state: str,
        execution_count: int | None,
        outputs: list[dict[str, Any]],
    ) -> None: ...

    def stream(self, run: RunRecord, step_uuid: str, path: str, name: str, text: str) -> None: ...


class RunListeners:
    """Several listeners as one."""

    def __init__(self, *listeners: RunListener) -> None:
        self.listeners = list(listeners)

    def run_changed(self, run: RunRecord) -> None:
        for listener in self.listeners:
            listener.run_changed(run)

    def step_changed(self, run: RunRecord, step: StepRecord) -> None:
        for listener in self.listeners:
            listener.step_changed(run, step)

    def cell(self, run: RunRecord, step_uuid: str, path: str, *args: Any) -> None:
        for listener in self.listeners:
            listener.cell(run, step_uuid, path, *args)

    def stream(self, run: RunRecord, step_uuid: str, path: str, name: str, text: str) -> None:
        for listener in self.listeners:
            listener.stream(run, step_uuid, path, name, text)
