"""Who hears about runs as they happen: the server's event bus, the command line's progress."""

from __future__ import annotations

from typing import Protocol

from ..records import CellUpdate, RunRecord, StepRecord


class RunListener(Protocol):
    def run_changed(self, run: RunRecord) -> None: ...

    def step_changed(self, run: RunRecord, step: StepRecord) -> None: ...

    def cell(self, run: RunRecord, step_uuid: str, path: str, update: CellUpdate) -> None: ...

    def stream(self, run: RunRecord, step_uuid: str, path: str, name: str, text: str) -> None: ...
