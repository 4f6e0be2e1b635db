"""The data a pipeline's steps passed: every stored output, where it is, how big, whether it is
up to date, and the memory used."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..data.preview import DEFAULT_ROWS, MAX_ROWS, PreviewError, preview_content
from ..data.state import PipelineData, outputs_report
from ..pipeline import CycleError
from .errors import NotFound, RequestError
from .pipelines import PipelineService


class DataService:
    def __init__(self, pipelines: PipelineService) -> None:
        self.pipelines = pipelines

    def outputs(self, path: str | None) -> dict[str, Any]:
        """The outputs of the pipeline file `path` (relative to the server root). Blocking."""
        data, project = self._data(path, "listing its data")
        report = outputs_report(data, self.pipelines.memory_root, project)
        return {"path": path, **report}

    def preview(self, path: str | None, step: str | None, rows: str | None) -> dict[str, Any]:
        """A bounded look at the output get_inputs would read from `step`: what it is, and its
        schema and first `rows` rows (or shape and a slice, or repr). Blocking: reads the file
        (in place) or waits on the process that unpickles it."""
        count = _rows(rows)
        if not step:
            raise RequestError.field(
                "/step", "query parameter 'step' is required: the step's uuid", code="missing-field"
            )
        data, _ = self._data(path, "previewing its data")
        if step not in data.document.steps:
            raise NotFound.field("/step", f"the pipeline has no step '{step}'", code="not-found")
        stored = data.outputs.get(step)
        output = stored.current if stored is not None else None
        if output is None:
            title = data.document.step_title(step)
            raise NotFound.field("/step", f"step '{title}' has no stored output", code="no-output")
        try:
            content = preview_content(output, count)
        except PreviewError as err:
            content = {"kind": "error", "error": str(err)}
        summary = output.summary or {}
        return {
            "path": path,
            "step": step,
            "title": data.document.step_title(step),
            "name": output.name,
            "type": summary.get("type") or _type_of(output.serialization),
            "serialization": output.serialization,
            "transport": output.transport,
            "bytes": output.nbytes,
            "timestamp": output.timestamp,
            "up_to_date": data.output_up_to_date(step, output),
            "summary": output.summary,
            "rows_asked": count,
            **content,
        }

    def _data(self, path: str | None, doing: str) -> tuple[PipelineData, Path]:
        if not path:
            raise RequestError.field(
                "/path",
                "query parameter 'path' is required: the pipeline file",
                code="missing-field",
            )
        loaded = self.pipelines.load({"path": path})
        document = loaded.valid_document(doing)
        try:
            data = self.pipelines.data_of(loaded, document)
        except CycleError as err:
            raise RequestError.from_issue(err) from err
        assert data is not None and loaded.context.project_root is not None
        return data, loaded.context.project_root


def _rows(text: str | None) -> int:
    if text is None:
        return DEFAULT_ROWS
    try:
        rows = int(text)
    except ValueError:
        rows = -1
    if not 0 <= rows <= MAX_ROWS or not text.strip().isdigit():
        raise RequestError.field(
            "/rows", f"'rows' must be a whole number from 0 to {MAX_ROWS}", code="invalid-field"
        )
    return rows


def _type_of(serialization: str) -> str:
    """The type of an output written by Orchest (which records none)."""
    return "pickled object" if serialization == "PICKLE" else "Arrow table"
