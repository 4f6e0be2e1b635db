"""A step cancelled as one of its cells ends stops there, even when the cancel did not reach
it: nbclient waits for a cell's last outputs with asyncio.wait_for, which before Python 3.12
returns what it waited for, swallowing the cancel, when that ends as the cancel comes. The
step then went on to its next cell: the likely cause of a CI run in which Ctrl-C of
`orchest-lab run`, sent as a cell ended, did not stop a run whose next cell slept for minutes."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
from nbclient import NotebookClient
from project_factory import write_notebook

from orchest_lab.executors.base import StepTask
from orchest_lab.executors.local import LocalExecutor


class Outputs:
    def cell(self, *args: Any) -> None:
        pass

    def stream(self, *args: Any) -> None:
        pass


class Stubborn(asyncio.Future[None]):
    """A future that, asked to stop, ends as it would have: what asyncio.wait_for does when
    what it waits for is done as the cancel comes."""

    def cancel(self, msg: Any = None) -> bool:
        return True


async def test_a_step_cancelled_as_a_cell_ends_runs_no_further_cell(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    marker = tmp_path / "second cell ran"
    notebook = write_notebook(
        tmp_path / "step.ipynb",
        "print('first')",
        f"open({str(marker)!r}, 'w').close()\nimport time\ntime.sleep(300)",
    )
    task = StepTask(
        "run", "step", "Step", notebook, notebook, "step.ipynb", tmp_path, {}, "python3",
        (tmp_path / "step.log",),
    )  # fmt: skip
    execute = NotebookClient.async_execute_cell

    async def cancelled_as_it_ends(self: NotebookClient, cell: Any, index: int, **kw: Any) -> Any:
        done = await execute(self, cell, index, **kw)
        if index == 0:
            # The cancel comes while the step waits for the end of its cell, which then ends
            # all the same: the step is asked to stop, and no CancelledError reaches it.
            loop, step, ending = asyncio.get_running_loop(), asyncio.current_task(), Stubborn()
            assert step is not None
            loop.call_soon(step.cancel)
            loop.call_soon(ending.set_result, None)
            await ending
        return done

    monkeypatch.setattr(NotebookClient, "async_execute_cell", cancelled_as_it_ends)
    executor = LocalExecutor(workdir=str(tmp_path), preload_modules=())
    try:
        step = asyncio.ensure_future(executor.run(task, Outputs()))
        done, _ = await asyncio.wait({step}, timeout=60)
        assert done, "the step went on after it was cancelled"
        assert step.cancelled()
    finally:
        await executor.close()
    assert not marker.exists()
