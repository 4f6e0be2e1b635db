"""Running a notebook step on a fresh kernel, cell by cell, with live outputs.

Every output is written into the notebook file as it arrives (throttled, atomically) and handed
to `StepOutput` for the UI; streams are merged as JupyterLab shows them; cells tagged `skip` do
not run; an error stops the notebook and fails the step with the exception and the cell.
"""

from __future__ import annotations

import json
import os
from typing import Any

from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError, DeadKernelError
from nbformat import NotebookNode

from ..records import StepFailure
from .base import StepFailed, StepOutput, StepTask
from .kernels.launch import RunningKernel
from .live_file import ChangedOnDisk, LiveNotebookFile
from .log import StepLog
from .orphans import recorded_group
from .throttle import Throttle

SKIP_TAG = "skip"
OUTPUT_MESSAGES = {
    "stream",
    "display_data",
    "execute_result",
    "error",
    "clear_output",
    "update_display_data",
}
EVENT_INTERVAL = 0.025  # at most one output event per cell per 25 ms; the first goes at once
# Each event holds the cell's whole output: a cell that has printed a lot is sent less often, so
# that its text goes out at about this rate (and at least every 2 s), not once per 25 ms.
EVENT_BYTES_PER_SECOND = 256 << 10
MAX_EVENT_INTERVAL = 2.0


class _LiveClient(NotebookClient):
    """nbclient with a hook on every output message of every cell."""

    def __init__(self, notebook: NotebookNode, runner: NotebookRunner, **kwargs: Any) -> None:
        super().__init__(notebook, **kwargs)
        self._runner = runner

    def process_message(
        self, msg: dict[str, Any], cell: NotebookNode, cell_index: int
    ) -> NotebookNode | None:
        out = super().process_message(msg, cell, cell_index)
        msg_type = msg["msg_type"]
        if out is not None and out.get("output_type") == "stream":
            _merge_streams(cell.outputs)
            self._runner.log.write(out["text"])
        elif msg_type == "error":
            self._runner.log.write("\n".join(msg["content"].get("traceback", [])) + "\n")
        if msg_type in OUTPUT_MESSAGES:
            cells = {cell_index}
            if msg_type == "update_display_data":
                display_id = (msg["content"].get("transient") or {}).get("display_id")
                if display_id:
                    cells |= set(self._display_id_map.get(display_id, {}))
            for index in cells:
                self._runner.outputs_changed(index)
        return out


def _merge_streams(outputs: list[NotebookNode]) -> None:
    """Merge the newest output into the one before when both are the same stream."""
    if len(outputs) >= 2:
        last, before = outputs[-1], outputs[-2]
        if before.get("output_type") == "stream" and before.get("name") == last.get("name"):
            before["text"] += last["text"]
            outputs.pop()


class NotebookRunner:
    def __init__(
        self, task: StepTask, kernel: RunningKernel, output: StepOutput, log: StepLog
    ) -> None:
        self.task = task
        self.kernel = kernel
        self.output = output
        self.log = log
        self.file: LiveNotebookFile  # read when the run starts (not on the event loop)
        self._events = Throttle(EVENT_INTERVAL, self._publish_running, self._event_interval)

    async def run(self) -> None:
        self.file = await LiveNotebookFile.load(self.task.output_file)
        notebook = self.file.notebook
        client = _LiveClient(
            notebook,
            self,
            km=self.kernel.manager,
            skip_cells_with_tag=SKIP_TAG,
            allow_errors=False,
            record_timing=False,
        )
        client.kc = self.kernel.client  # the kernel is already running: nbclient only drives it
        # Recorded while the step runs, so that a server started after a crash of this one can
        # stop what the kernel started (the kernel ends with its zygote or its parent).
        pid = getattr(self.kernel.manager.provisioner, "pid", None)
        with recorded_group(pid, self.task.run_id, self.task.step_uuid):
            await self._execute(client, notebook)

    async def _execute(self, client: _LiveClient, notebook: NotebookNode) -> None:
        await self._prepare_kernel(notebook)
        # Every code cell starts empty, as papermill has it: below a failing cell, or in a cell
        # tagged skip, no output of an earlier run reads as if it came from this one.
        for index, cell in enumerate(notebook.cells):
            if cell.cell_type == "code" and (cell.get("outputs") or cell.get("execution_count")):
                cell.outputs = []
                cell.execution_count = None
                self._publish_cell(index, "done")  # an open notebook empties it too
        self.file.changed()
        try:
            for index, cell in enumerate(notebook.cells):
                if cell.cell_type != "code" or SKIP_TAG in cell.get("metadata", {}).get("tags", []):
                    continue
                cell.outputs = []
                cell.execution_count = None
                self._publish_cell(index, "running")
                self.file.changed()
                try:
                    await client.async_execute_cell(cell, index)
                finally:
                    self._publish_cell(index, "done")
                self.file.check()
        except CellExecutionError as err:
            raise StepFailed(
                StepFailure(err.ename, err.evalue, index, _traceback(notebook, index))
            ) from err
        except DeadKernelError as err:
            raise StepFailed(
                StepFailure("DeadKernelError", f"the kernel died while running cell {index}", index)
            ) from err
        except ChangedOnDisk as err:
            raise StepFailed(StepFailure("NotebookChangedOnDisk", str(err))) from err
        finally:
            try:
                await self.file.flush()
            except ChangedOnDisk as err:
                raise StepFailed(StepFailure("NotebookChangedOnDisk", str(err))) from err
            finally:
                await self.log.drain()  # all of it in the files before the step counts as ended

    async def _prepare_kernel(self, notebook: NotebookNode) -> None:
        """Put the (pre-started) kernel in the step's folder with the step's variables, and the
        step's PYTHONPATH (the SDK first: `import orchest`) at the front of its sys.path."""
        client = self.kernel.client
        if self.kernel.language.lower() == "python":
            paths = [p for p in self.task.env.get("PYTHONPATH", "").split(os.pathsep) if p]
            code = (
                f"__import__('os').chdir({json.dumps(str(self.task.cwd))}); "
                f"__import__('os').environ.update({json.dumps(self.task.env)}); "
                f"__import__('sys').path[:0] = [p for p in {json.dumps(paths)} "
                "if p not in __import__('sys').path]"
            )
            reply = await client.execute(code, silent=True, store_history=False, reply=True)
            if reply["content"]["status"] != "ok":
                raise StepFailed(StepFailure("KernelSetupError", "could not prepare the kernel"))
        info = await client.kernel_info(reply=True)
        language_info = info["content"].get("language_info")
        if language_info:
            notebook.metadata["language_info"] = language_info

    def outputs_changed(self, index: int) -> None:
        self.file.changed()
        self._events.touch(index)

    def _event_interval(self, index: int) -> float:
        size = sum(
            len(output.get("text", ""))
            for output in self.file.notebook.cells[index].outputs
            if output.get("output_type") == "stream"  # what grows: streams, merged as they come
        )
        return min(MAX_EVENT_INTERVAL, max(EVENT_INTERVAL, size / EVENT_BYTES_PER_SECOND))

    def _publish_running(self, index: int) -> None:
        self._publish_cell(index, "running")

    def _publish_cell(self, index: int, state: str) -> None:
        if state == "done":
            self._events.flush(index)  # its last "running" event goes out before "done"
        cell = self.file.notebook.cells[index]
        self.output.cell(
            self.task,
            index,
            cell.get("id"),
            state,
            cell.get("execution_count"),
            cell.outputs,  # listeners copy what they keep
        )


def _traceback(notebook: NotebookNode, index: int) -> list[str] | None:
    for output in notebook.cells[index].outputs:
        if output.get("output_type") == "error":
            return list(output.get("traceback", []))
    return None
