"""Running a notebook in the pod, cell by cell, reporting every kernel message of each cell.

The notebook is not written here: the server applies the reported messages to its copy with
the same code as local runs (executors/notebook.py), so outputs, events and the file are alike.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import sys
import tempfile
from pathlib import Path
from typing import Any

import nbformat
from jupyter_client.kernelspec import NoSuchKernel
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError, DeadKernelError
from nbformat import NotebookNode

from .protocol import SKIP_TAG
from .report import Reporter
from .unix_sockets import socket_path_fits

STREAM_FLUSH = 0.02  # seconds a stream's text may wait to go out with the text after it


class _ReportingClient(NotebookClient):
    """nbclient whose cells' messages are reported instead of kept as outputs."""

    def __init__(self, notebook: NotebookNode, reporter: Reporter, **kwargs: Any) -> None:
        super().__init__(notebook, **kwargs)
        self._reporter = reporter
        # Consecutive text of one stream goes out as one report: a cell printing in a loop
        # sends thousands of messages a second, and each report is a line of the pod's log.
        self._stream: tuple[int, str] | None = None
        self._texts: list[str] = []
        self._timer: asyncio.TimerHandle | None = None
        self.sockets: str | None = None

    def create_kernel_manager(self) -> Any:
        # Over Unix sockets in a private folder, not TCP: no port of the pod is open to its
        # network, and the kernel has no reason to warn that TCP is not encrypted. A socket's
        # path has at most 107 bytes: under a long TMPDIR, TCP on the loopback it is.
        folder = tempfile.mkdtemp(prefix="olk-")
        if not socket_path_fits(os.path.join(folder, "ipc")):
            os.rmdir(folder)
            self.km = self.kernel_manager_class(
                kernel_name=self.kernel_name, transport="tcp", ip="127.0.0.1"
            )
            return self.km
        self.sockets = folder
        self.km = self.kernel_manager_class(
            kernel_name=self.kernel_name, transport="ipc", ip=os.path.join(folder, "ipc")
        )
        return self.km

    def process_message(
        self, msg: dict[str, Any], cell: NotebookNode, cell_index: int
    ) -> NotebookNode | None:
        msg_type = msg["msg_type"]
        content = msg["content"]
        if msg_type == "status":
            return super().process_message(msg, cell, cell_index)  # ends the cell when idle
        if msg_type.startswith("comm"):
            return None  # widgets' state: not kept by runs (nor by local ones)
        if msg_type == "stream":
            self._add_text(cell_index, content.get("name", "stdout"), content.get("text", ""))
            return None
        self.flush()
        if msg_type == "execute_input":  # the server needs its count, not the code again
            content = {"execution_count": content.get("execution_count")}
        self._reporter.report("msg", i=cell_index, msg_type=msg_type, content=content)
        return None

    def _add_text(self, index: int, name: str, text: str) -> None:
        if self._stream != (index, name):
            self.flush()
            self._stream = (index, name)
        self._texts.append(text)
        if self._timer is None:
            self._timer = asyncio.get_running_loop().call_later(STREAM_FLUSH, self.flush)

    def flush(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        if self._stream is not None and self._texts:
            index, name = self._stream
            text = "".join(self._texts)
            self._reporter.report(
                "msg", i=index, msg_type="stream", content={"name": name, "text": text}
            )
        self._stream, self._texts = None, []


def run_notebook(path: Path, kernel_name: str, reporter: Reporter) -> int:
    try:
        notebook = nbformat.read(path, as_version=4)
    except (OSError, ValueError) as err:
        reporter.end("failed", name="NotebookUnreadable", message=f"{path.name}: {err}")
        return 1
    return asyncio.run(_run(notebook, kernel_name, reporter))


async def _run(notebook: NotebookNode, kernel_name: str, reporter: Reporter) -> int:
    # The kubelet stops a container with SIGTERM; as PID 1 this process ignores it unless it
    # handles it: the run is cancelled, which shuts the kernel down, and says why.
    main = asyncio.current_task()
    assert main is not None
    loop = asyncio.get_running_loop()
    terminated = False

    def terminate() -> None:
        nonlocal terminated
        terminated = True
        main.cancel()

    loop.add_signal_handler(signal.SIGTERM, terminate)
    client = _ReportingClient(
        notebook,
        reporter,
        kernel_name=kernel_name,
        skip_cells_with_tag=SKIP_TAG,
        allow_errors=False,
        record_timing=False,
        shutdown_kernel="immediate",  # the step is over: as local runs, the kernel is killed
        resources={"metadata": {"path": os.getcwd()}},
    )
    index = -1
    try:
        async with client.async_setup_kernel():
            loop.add_signal_handler(signal.SIGTERM, terminate)  # in place of nbclient's
            kc: Any = client.kc  # an asynchronous client: its kernel_info is awaited
            info = await kc.kernel_info(reply=True)
            reporter.start(
                "notebook",
                cells=len(notebook.cells),
                language_info=info["content"].get("language_info"),
            )
            for index, cell in enumerate(notebook.cells):
                if cell.cell_type != "code" or SKIP_TAG in cell.metadata.get("tags", []):
                    continue
                reporter.report("cell", i=index, state="running")
                try:
                    await client.async_execute_cell(cell, index)
                finally:
                    client.flush()
                    reporter.report("cell", i=index, state="done")
    except NoSuchKernel:
        message = f"the image has no kernel named '{kernel_name}'"
        reporter.end("failed", name="NoSuchKernel", message=message)
        return 1
    except CellExecutionError as err:
        reporter.end("error", ename=err.ename, evalue=err.evalue, i=index)
        return 1
    except (asyncio.CancelledError, DeadKernelError):
        if terminated:  # nbclient reports a cancelled cell as a dead kernel
            reporter.end("failed", name="Terminated", message="the step's pod was stopped")
            return 143
        if not isinstance(sys.exc_info()[1], DeadKernelError):
            raise
        message = f"the kernel died while running cell {index}"
        reporter.end("failed", name="DeadKernelError", message=message, i=index)
        return 1
    except Exception as err:  # the kernel could not start, or talk: said, not a traceback
        what = "the kernel could not be started" if index < 0 else f"cell {index} failed"
        message = f"{what}: {type(err).__name__}: {err}"
        reporter.end("failed", name="KernelError", message=message)
        return 1
    finally:
        if client.sockets is not None:
            shutil.rmtree(client.sockets, ignore_errors=True)
    reporter.end("ok")
    return 0
