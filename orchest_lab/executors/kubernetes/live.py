"""A step pod's reports, applied on the server as a local run applies its kernel's messages:
a notebook's outputs into the notebook file and cell events (through LiveNotebook, the code
local runs use), a script's output into the step log and stream events, anything else the pod
printed into the step log."""

from __future__ import annotations

import logging
from typing import Any

from ...records import StepFailure
from ..base import StepFailed, StepOutput, StepTask
from ..live_file import ChangedOnDisk
from ..log import StepLog
from ..notebook import LiveNotebook
from ..throttle import OutputThrottle
from .logs import Item

log = logging.getLogger(__name__)
TAIL = 20  # lines of plain text and stderr kept for failure messages


class PodReports:
    def __init__(
        self, task: StepTask, output: StepOutput, log: StepLog, live: LiveNotebook | None
    ) -> None:
        self.task = task
        self.output = output
        self.log = log
        self.live = live
        self.client = live.client() if live is not None else None
        self.started = False
        self.end: dict[str, Any] | None = None
        self.error: StepFailed | None = None  # what applying the reports ran into
        self._tail: list[str] = []  # the last lines of stderr or of plain text
        self._pending: dict[str, list[str]] = {"stdout": [], "stderr": []}
        self._events = OutputThrottle(self._publish)

    def take(self, items: list[Item]) -> None:
        """Apply what the log follower read (called on the event loop; never raises)."""
        for item in items:
            if self.error is not None:
                return  # the step fails; the rest is not applied
            try:
                if isinstance(item, str):
                    self._text(item)
                else:
                    self._report(item)
            except ChangedOnDisk as err:
                self.error = StepFailed(StepFailure("NotebookChangedOnDisk", str(err)))
            except StepFailed as err:
                self.error = err
            except Exception as err:  # a report this server cannot apply: say which
                log.warning("orchest-lab: bad report from a step's pod: %r", item, exc_info=True)
                failure = StepFailure(
                    "BadReport",
                    f"the step's pod sent a report that could "
                    f"not be applied: {type(err).__name__}: {err}",
                )
                self.error = StepFailed(failure)

    def failure(self) -> StepFailure | StepFailed | None:
        """What the runner said about the end of the step (None: success, or it said nothing:
        see `ended`)."""
        end = self.end or {}
        status = end.get("status")
        if status == "error" and self.live is not None:
            return self.live.failure(str(end.get("ename")), str(end.get("evalue")), end.get("i", 0))
        if status == "failed":
            index = end.get("i")
            return StepFailure(str(end.get("name")), str(end.get("message")), index)
        if status == "exited" and end.get("code") != 0:
            return StepFailure(
                "ExitStatus",
                f"{self.task.file.name} exited with status {end.get('code')}" + self.last_words(),
            )
        return None

    def last_words(self) -> str:
        """': <the last line of stderr or plain text>', or ''."""
        last = "".join(self._tail).strip().splitlines()[-1:]
        return f": {last[0]}" if last and last[0] else ""

    async def finish(self) -> None:
        """Everything applied is in the files, and its events are out."""
        self._events.flush_all()
        if self.live is not None:
            await self.live.finish()
        else:
            await self.log.drain()

    # --- reports ------------------------------------------------------------------------------

    def _report(self, report: dict[str, Any]) -> None:
        kind = report["t"]
        if kind == "start":
            self.started = True
            if self.live is not None:
                self._notebook_started(report)
        elif kind == "end":
            self.end = report
        elif kind == "stream":
            self._stream(str(report["name"]), str(report["text"]))
        elif self.live is not None and kind in ("cell", "msg"):
            self._cell(self.live, report)

    def _notebook_started(self, report: dict[str, Any]) -> None:
        assert self.live is not None
        notebook = self.live.notebook
        if report.get("cells") != len(notebook.cells):
            raise ChangedOnDisk(
                f"{self.task.output_file.name} changed on disk between the start of the run "
                f"and the start of its pod ({report.get('cells')} cells there, "
                f"{len(notebook.cells)} here)"
            )
        if report.get("language_info"):
            notebook.metadata["language_info"] = report["language_info"]
        self.live.empty_code_cells()  # as a local run does when its kernel is ready

    def _cell(self, live: LiveNotebook, report: dict[str, Any]) -> None:
        index = report["i"]
        if not isinstance(index, int) or not 0 <= index < len(live.notebook.cells):
            raise ValueError(f"no cell {index!r}")
        assert self.client is not None
        if report["t"] == "cell":
            if report["state"] == "running":
                self.client.clear_before_next_output = False  # as nbclient does for each cell
                live.cell_started(index)
            else:
                live.cell_ended(index)
                live.check()
            return
        msg_type = str(report["msg_type"])
        msg = {
            "msg_type": msg_type,
            "header": {"msg_type": msg_type},
            "parent_header": {"msg_id": f"cell-{index}"},
            "metadata": {},
            "content": report["content"],
            "buffers": [],
        }
        self.client.process_message(msg, live.notebook.cells[index], index)

    def _stream(self, name: str, text: str) -> None:
        """A script's output: into the step log and out as stream events."""
        if name not in self._pending:
            name = "stderr"
        self.log.write(text)
        self._pending[name].append(text)
        self._events.touch(name)
        if name == "stderr":
            self._keep(text)

    def _text(self, text: str) -> None:
        """What the pod printed besides reports (the runner failing to start, a kernel's
        warnings): kept in the step log, and shown as stderr for scripts."""
        if self.live is None:
            self._stream("stderr", text)
        else:
            self.log.write(text)
            self._keep(text)

    def _keep(self, text: str) -> None:
        self._tail.append(text)
        del self._tail[:-TAIL]

    def _publish(self, name: str) -> int:
        text = "".join(self._pending[name])
        self._pending[name].clear()
        if text:
            self.output.stream(self.task, name, text)
        return len(text)
