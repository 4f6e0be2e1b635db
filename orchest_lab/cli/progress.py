"""Live progress of a run on a terminal: one line per step as it starts and ends."""

from __future__ import annotations

import sys
import time
from typing import Any, TextIO

from ..records import RunRecord, Status, StepRecord

MARKS = {
    Status.STARTED: "..",
    Status.SUCCESS: "ok",
    Status.FAILURE: "FAILED",
    Status.SKIPPED: "skipped",
    Status.ABORTED: "aborted",
}

OUTCOMES = {
    Status.PENDING: "not run",
    Status.STARTED: "not finished",
    Status.SUCCESS: "succeeded",
    Status.FAILURE: "failed",
    Status.SKIPPED: "skipped",
    Status.ABORTED: "aborted",
}


class ProgressPrinter:
    def __init__(self, stream: TextIO = sys.stderr, show_output: bool = False) -> None:
        self.out = stream
        self.show_output = show_output
        self._began: dict[str, float] = {}
        self._width = 0

    def run_changed(self, run: RunRecord) -> None:
        if run.status is Status.STARTED:
            self._width = max((len(s.title) for s in run.steps.values()), default=0)
            self._print(
                f"Running '{run.pipeline_name}' ({run.mode}: {len(run.steps)} step"
                f"{'s' if len(run.steps) != 1 else ''}), run {run.id}"
            )
        elif run.status.ended:
            counts: dict[str, int] = {}
            for step in run.steps.values():
                word = OUTCOMES[step.status]
                counts[word] = counts.get(word, 0) + 1
            summary = ", ".join(f"{n} {word}" for word, n in counts.items()) or "nothing to run"
            took = self._elapsed("run")
            reason = f" ({run.reason})" if run.reason else ""
            self._print(f"{run.status.value}{reason} in {took:.1f} s: {summary}")

    def step_changed(self, run: RunRecord, step: StepRecord) -> None:
        if step.status is Status.STARTED:
            self._began[step.uuid] = time.monotonic()
            self._line(step, step.file_path)
        elif step.status is Status.SUCCESS:
            self._line(step, f"{self._elapsed(step.uuid):.1f} s")
        elif step.status is Status.FAILURE and step.failure:
            where = (
                f" (cell {step.failure.cell_index})" if step.failure.cell_index is not None else ""
            )
            self._line(step, f"{step.failure.name}: {step.failure.message}{where}")
        else:
            self._line(step, step.reason or "")

    def cell(self, run: RunRecord, step_uuid: str, path: str, *args: Any) -> None:
        pass  # notebooks are written as they run; their outputs are in the files

    def stream(self, run: RunRecord, step_uuid: str, path: str, name: str, text: str) -> None:
        if self.show_output:
            self.out.write(text)

    def _line(self, step: StepRecord, detail: str) -> None:
        mark = MARKS.get(step.status, step.status.value)
        self._print(f"  {mark:>7}  {step.title:<{self._width}}  {detail}".rstrip())

    def _elapsed(self, key: str) -> float:
        if key == "run":
            return time.monotonic() - self._began.get("run", time.monotonic())
        return time.monotonic() - self._began.get(key, time.monotonic())

    def _print(self, text: str) -> None:
        self._began.setdefault("run", time.monotonic())
        print(text, file=self.out, flush=True)
