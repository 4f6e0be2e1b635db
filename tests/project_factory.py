"""Building real projects for run tests: notebooks and scripts from source text, and the pipeline
that connects them."""

from __future__ import annotations

from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_notebook
from pipeline_factory import make_pipeline

from orchest_lab.pipeline import PipelineDocument

Cell = str | tuple[str, list[str]]  # source, or (source, tags)


def write_notebook(path: Path, *cells: Cell) -> Path:
    notebook = new_notebook(
        metadata={
            "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}
        }
    )
    for cell in cells:
        source, tags = (cell, []) if isinstance(cell, str) else cell
        notebook.cells.append(new_code_cell(source, metadata={"tags": tags} if tags else {}))
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(notebook, path)
    return path


def write_pipeline(
    folder: Path,
    steps: dict[str, tuple[str, list[str]]],
    files: dict[str, str | list[Cell]],
    *,
    name: str = "p",
    max_parallel: int = 0,
) -> tuple[PipelineDocument, dict[str, str], Path]:
    """Write `files` (scripts as text, notebooks as lists of cells) and a pipeline `name.orchest`
    with `steps` ({title: (file, parent titles)}). Returns the document, uuids by title, path."""
    for file_name, content in files.items():
        path = folder / file_name
        if file_name.endswith(".ipynb"):
            cells = content if isinstance(content, list) else [content]
            write_notebook(path, *cells)
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(str(content))
    document, uuids = make_pipeline(steps)
    document.data["settings"]["max_steps_parallelism"] = max_parallel
    pipeline_file = folder / f"{name}.orchest"
    document.save(pipeline_file)
    return document, uuids, pipeline_file


def read_outputs(path: Path) -> list[tuple[int | None, list[dict[str, object]]]]:
    """(execution count, outputs) of every code cell."""
    notebook = nbformat.read(path, as_version=4)
    return [(c.execution_count, c.outputs) for c in notebook.cells if c.cell_type == "code"]


def stdout_of(path: Path) -> str:
    return "".join(
        o.get("text", "")  # type: ignore[misc]
        for _, outputs in read_outputs(path)
        for o in outputs
        if o.get("output_type") == "stream"
    )
