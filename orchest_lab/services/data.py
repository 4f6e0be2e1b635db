"""The data a pipeline's steps passed: every stored output, where it is, how big, whether it is
up to date, and the memory used."""

from __future__ import annotations

from typing import Any

from ..data.state import outputs_report
from ..pipeline import CycleError
from .errors import RequestError
from .pipelines import PipelineService


class DataService:
    def __init__(self, pipelines: PipelineService) -> None:
        self.pipelines = pipelines

    def outputs(self, path: str | None) -> dict[str, Any]:
        """The outputs of the pipeline file `path` (relative to the server root). Blocking."""
        if not path:
            raise RequestError.field(
                "/path",
                "query parameter 'path' is required: the pipeline file",
                code="missing-field",
            )
        loaded = self.pipelines.load({"path": path})
        document = loaded.valid_document("listing its data")
        try:
            data = self.pipelines.data_of(loaded, document)
        except CycleError as err:
            raise RequestError.from_issue(err) from err
        assert data is not None and loaded.context.project_root is not None
        report = outputs_report(data, self.pipelines.memory_root, loaded.context.project_root)
        return {"path": path, **report}
