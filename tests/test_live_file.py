"""The notebook a run writes is serialised in a worker thread from a copy taken on the event
loop: the file is what nbformat writes for the notebook at that moment."""

from __future__ import annotations

import asyncio
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from orchest_lab.executors.live_file import LiveNotebookFile, _snapshot


def notebook_with_outputs() -> nbformat.NotebookNode:
    notebook = new_notebook(metadata={"kernelspec": {"name": "python3", "display_name": "P"}})
    cell = new_code_cell("print('a')", execution_count=1)
    cell.outputs = [
        new_output("stream", name="stdout", text="a\n" * 1000),
        new_output(
            "display_data",
            data={"text/plain": "x", "application/json": {"nested": [1, {"deep": True}]}},
            metadata={"isolated": False},
        ),
        new_output("error", ename="E", evalue="v", traceback=["line 1", "line 2"]),
    ]
    notebook.cells += [new_markdown_cell("# Title"), cell]
    return notebook


def test_a_snapshot_serialises_as_the_notebook_and_keeps_its_state() -> None:
    notebook = notebook_with_outputs()
    expected = nbformat.writes(notebook)
    snapshot = _snapshot(notebook)
    assert nbformat.writes(snapshot) == expected
    # The run goes on changing the notebook: the snapshot does not follow.
    cell = notebook.cells[1]
    cell.outputs[0]["text"] += "more\n"
    cell.outputs[1]["data"]["application/json"]["nested"].append(2)
    cell.outputs.append(new_output("stream", name="stderr", text="late"))
    cell.execution_count = 2
    assert nbformat.writes(snapshot) == expected


async def test_the_file_holds_the_notebook_as_it_was_when_flushed(tmp_path: Path) -> None:
    path = tmp_path / "nb.ipynb"
    nbformat.write(new_notebook(cells=[new_code_cell("1")]), path)
    live = await LiveNotebookFile.load(path)
    live.notebook.cells[0].outputs = notebook_with_outputs().cells[1].outputs
    live.changed()
    await live.flush()
    assert path.read_text() == nbformat.writes(live.notebook)


async def test_while_the_run_goes_on_the_file_is_a_valid_notebook_then_written_as_jupyter_does(
    tmp_path: Path,
) -> None:
    path = tmp_path / "nb.ipynb"
    nbformat.write(new_notebook(cells=[new_code_cell("1")]), path)
    before = path.read_text()
    live = await LiveNotebookFile.load(path)
    live.notebook.cells[0].outputs = notebook_with_outputs().cells[1].outputs
    live.changed()
    for _ in range(600):  # the throttled write, in a worker thread
        if path.read_text() != before:
            break
        await asyncio.sleep(0.05)
    during = nbformat.read(path, as_version=4)
    nbformat.validate(during)
    assert during.cells[0].outputs == live.notebook.cells[0].outputs
    await live.flush()
    assert path.read_text() == nbformat.writes(live.notebook)
