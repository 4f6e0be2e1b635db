"""Running a notebook step on a fresh kernel, cell by cell, with live outputs.

Every output is written into the notebook file as it arrives (throttled, atomically) and handed
to `StepOutput` for the UI; streams are merged as JupyterLab shows them; cells tagged `skip` do
not run; an error stops the notebook and fails the step with the exception and the cell.

`LiveNotebook` is that second half alone (kernel messages in, file writes and events out): the
Kubernetes executor feeds it the messages a step's pod reports, so a cluster run fills an open
notebook exactly as a local one does.
"""

from __future__ import annotations

import asyncio
import os
from typing import Any

from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError, DeadKernelError
from nbformat import NotebookNode

from ..records import StepFailure
from ..runner.protocol import OUTPUT_MESSAGES, SKIP_TAG
from .base import StepFailed, StepOutput, StepTask, being_cancelled
from .cell_updates import CellUpdates
from .kernels.forked_kernel import SETUP_ERROR
from .kernels.launch import RunningKernel
from .live_file import ChangedOnDisk, LiveNotebookFile
from .log import StepLog
from .orphans import recorded_group
from .streams import StreamMerger
from .throttle import OutputThrottle

IOPUB_DRAIN_TIMEOUT = 3600


class _LiveClient(NotebookClient):
    """nbclient with a hook on every output message of every cell."""

    def __init__(self, notebook: NotebookNode, live: LiveNotebook, **kwargs: Any) -> None:
        super().__init__(notebook, **kwargs)
        self._live = live

    def process_message(
        self, msg: dict[str, Any], cell: NotebookNode, cell_index: int
    ) -> NotebookNode | None:
        out = super().process_message(msg, cell, cell_index)
        msg_type = msg["msg_type"]
        if out is not None and out.get("output_type") == "stream":
            self._live.streams.merge(cell_index, cell.outputs)
            self._live.log.write(out["text"])
        elif msg_type == "error":
            self._live.log.write("\n".join(msg["content"].get("traceback", [])) + "\n")
        if msg_type in OUTPUT_MESSAGES:
            cells = {cell_index}
            if msg_type == "update_display_data":
                display_id = (msg["content"].get("transient") or {}).get("display_id")
                if display_id:
                    cells |= set(self._display_id_map.get(display_id, {}))
            for index in cells:
                self._live.outputs_changed(index, reshaped=msg_type != "stream")
        return out

    def output(
        self,
        outs: list[NotebookNode],
        msg: dict[str, Any],
        display_id: str | None,
        cell_index: int,
    ) -> NotebookNode | None:
        # A plain stream piece, the message a printing loop sends thousands of times: built
        # without nbformat's per-output schema validation (~0.5 ms each, on the event loop),
        # as the checks below are all that schema asks of a stream output.
        content = msg["content"]
        if (
            msg["msg_type"] == "stream"
            and content.get("name") in ("stdout", "stderr")
            and isinstance(content.get("text"), str)
            and not self.clear_before_next_output
            and not self.output_hook_stack[msg["parent_header"].get("msg_id")]
        ):
            out = NotebookNode(output_type="stream", name=content["name"], text=content["text"])
            outs.append(out)
            return out
        return super().output(outs, msg, display_id, cell_index)


def runs(cell: NotebookNode) -> bool:
    """Whether a run executes the cell (code, not tagged to skip)."""
    return cell.cell_type == "code" and SKIP_TAG not in cell.get("metadata", {}).get("tags", [])


class LiveNotebook:
    """The notebook a step fills as it runs: kernel messages in; outputs written into the file,
    cell events for the UI and text for the step log out."""

    def __init__(
        self, task: StepTask, file: LiveNotebookFile, output: StepOutput, log: StepLog
    ) -> None:
        self.task = task
        self.file = file
        self.output = output
        self.log = log
        self.streams = StreamMerger()
        self.updates = CellUpdates(self.streams)
        self._events = OutputThrottle(self._publish_running)
        file.before_write = self.streams.join_all  # the file gets whole texts

    @property
    def notebook(self) -> NotebookNode:
        return self.file.notebook

    def client(self, **kwargs: Any) -> NotebookClient:
        """An nbclient client over the notebook whose messages come here. Without a kernel, its
        `process_message` turns messages that arrive otherwise (from a pod) into outputs."""
        return _LiveClient(
            self.notebook,
            self,
            skip_cells_with_tag=SKIP_TAG,
            allow_errors=False,
            record_timing=False,
            # After a cell's reply, its outputs still queued are read until the kernel says idle:
            # a cell that printed faster than they are processed must not lose its last ones
            # (nbclient drops them after 4 s). A kernel that dies is noticed meanwhile.
            iopub_timeout=IOPUB_DRAIN_TIMEOUT,
            raise_on_iopub_timeout=True,
            **kwargs,
        )

    def empty_code_cells(self) -> None:
        """Every code cell starts empty, as papermill has it: below a failing cell, or in a
        cell tagged skip, no output of an earlier run reads as if it came from this one."""
        for index, cell in enumerate(self.notebook.cells):
            if cell.cell_type == "code" and (cell.get("outputs") or cell.get("execution_count")):
                cell.outputs = []
                cell.execution_count = None
                self.streams.forget(index)
                self.updates.forget(index)
                self._publish_cell(index, "done")  # an open notebook empties it too
        self.file.changed()

    def cell_started(self, index: int) -> None:
        cell = self.notebook.cells[index]
        cell.outputs = []
        cell.execution_count = None
        self.streams.forget(index)
        self.updates.forget(index)
        self._publish_cell(index, "running")
        self.file.changed()

    def cell_ended(self, index: int) -> None:
        self._publish_cell(index, "done")

    def check(self) -> None:
        """Raise ChangedOnDisk when a write found the file changed by someone else."""
        self.file.check()

    def outputs_changed(self, index: int, reshaped: bool = False) -> None:
        """Cell `index` has new outputs; `reshaped` when they changed otherwise than by a
        stream growing or outputs added (cleared, a display updated)."""
        if reshaped:
            self.updates.reshaped(index)
        self.file.changed()
        self._events.touch(index)

    def failure(self, ename: str, evalue: str, index: int) -> StepFailed:
        """The failure of an exception raised by a cell (its traceback from its outputs)."""
        return StepFailed(StepFailure(ename, evalue, index, _traceback(self.notebook, index)))

    async def finish(self) -> None:
        """Write the notebook and the log out: all of it is on disk before the step ends."""
        self.streams.join_all()
        try:
            await self.file.flush()
        except ChangedOnDisk as err:
            raise StepFailed(StepFailure("NotebookChangedOnDisk", str(err))) from err
        finally:
            await self.log.drain()

    def _publish_running(self, index: int) -> int:
        return self._publish_cell(index, "running")

    def _publish_cell(self, index: int, state: str) -> int:
        """Publish cell `index` as it is; returns the characters of text the update carried."""
        if state == "done":
            self._events.flush(index)  # its last "running" event goes out before "done"
        update = self.updates.next(index, self.notebook.cells[index], state)
        self.output.cell(self.task, update)
        return update.text_size


class NotebookRunner:
    """Runs the notebook `file` (the step's output file, loaded) on `kernel`."""

    def __init__(
        self,
        task: StepTask,
        kernel: RunningKernel,
        file: LiveNotebookFile,
        output: StepOutput,
        log: StepLog,
    ) -> None:
        self.task = task
        self.kernel = kernel
        self.file = file
        self.output = output
        self.log = log

    async def run(self) -> None:
        live = LiveNotebook(self.task, self.file, self.output, self.log)
        client = live.client(km=self.kernel.manager)
        client.kc = self.kernel.client  # the kernel is already running: nbclient only drives it
        # Recorded while the step runs, so that a server started after a crash of this one can
        # stop what the kernel started (the kernel ends with its zygote or its parent).
        pid = getattr(self.kernel.manager.provisioner, "pid", None)
        with recorded_group(pid, self.task.run_id, self.task.step_uuid):
            await self._execute(client, live)

    async def _execute(self, client: NotebookClient, live: LiveNotebook) -> None:
        notebook = live.notebook
        await self._prepare_kernel(notebook)
        live.empty_code_cells()
        carrier = None  # the cell whose request carried the kernel's preparation
        try:
            for index, cell in enumerate(notebook.cells):
                if not runs(cell):
                    continue
                if being_cancelled():
                    # Cancelled, and something the step awaited swallowed it: nbclient waits
                    # for a cell's last outputs with asyncio.wait_for, which before Python 3.12
                    # returns what it waited for when that ends as the cancel comes.
                    raise asyncio.CancelledError
                live.cell_started(index)
                preparing = self.kernel.preparing
                try:
                    await client.async_execute_cell(cell, index)  # sends nothing for an empty cell
                finally:
                    live.cell_ended(index)
                    if preparing and not self.kernel.preparing:
                        carrier = index
                live.check()
        except CellExecutionError as err:
            if index == carrier and err.ename == SETUP_ERROR:  # the kernel failed, not the cell
                raise StepFailed(StepFailure(err.ename, err.evalue)) from err
            raise live.failure(err.ename, err.evalue, index) from err
        except DeadKernelError as err:
            raise StepFailed(
                StepFailure("DeadKernelError", f"the kernel died while running cell {index}", index)
            ) from err
        except ChangedOnDisk as err:
            raise StepFailed(StepFailure("NotebookChangedOnDisk", str(err))) from err
        finally:
            await live.finish()

    async def _prepare_kernel(self, notebook: NotebookNode) -> None:
        """Put the (pre-started) kernel in the step's folder with the step's variables, and the
        step's PYTHONPATH (the SDK first: `import orchest`) at the front of its sys.path."""
        client = self.kernel.client
        if self.kernel.language.lower() == "python":
            paths = [p for p in self.task.env.get("PYTHONPATH", "").split(os.pathsep) if p]
            # A forked kernel is prepared with its first cell: see _execute for its failure.
            why = await self.kernel.prepare(str(self.task.cwd), self.task.env, paths)
            if why is not None:
                failure = StepFailure(SETUP_ERROR, f"could not prepare the kernel ({why})")
                raise StepFailed(failure)
        language_info = self.kernel.language_info
        if language_info is None:
            info = await client.kernel_info(reply=True)
            language_info = info["content"].get("language_info")
        if language_info:
            notebook.metadata["language_info"] = language_info


def _traceback(notebook: NotebookNode, index: int) -> list[str] | None:
    for output in notebook.cells[index].outputs:
        if output.get("output_type") == "error":
            return list(output.get("traceback", []))
    return None
