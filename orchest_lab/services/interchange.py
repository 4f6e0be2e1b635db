"""Elyra pipelines on the server: importing a `.pipeline` into a new `.orchest` beside it, and
exporting a `.orchest` into a new `.pipeline` beside it. The originals are never changed."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..interchange import ELYRA_SUFFIX, Conversion, ConversionError, convert_beside
from ..pipeline import PIPELINE_SUFFIX, Issue
from .errors import NotFound, RequestError
from .pipelines import PipelineService
from .request_body import check_body


class InterchangeService:
    def __init__(self, pipelines: PipelineService) -> None:
        self.pipelines = pipelines

    def import_elyra(self, body: Any) -> dict[str, Any]:
        """{path} of a `.pipeline` -> {path, unmapped} of the new `.orchest` beside it."""
        return self._convert(body, ELYRA_SUFFIX, "an Elyra pipeline")

    def export_elyra(self, body: Any) -> dict[str, Any]:
        """{path} of a `.orchest` -> {path, unmapped} of the new `.pipeline` beside it."""
        return self._convert(body, PIPELINE_SUFFIX, "an orchest-lab pipeline")

    def _convert(self, body: Any, suffix: str, kind: str) -> dict[str, Any]:
        request = check_body(body, {"path": str})
        relative = request.get("path")
        if relative is None:
            raise RequestError.field("/path", "give 'path': the file to convert", "missing-field")
        source = self.pipelines.resolve(relative)
        if source.suffix != suffix:
            raise RequestError.field("/path", f"'{relative}' is not {kind} (*{suffix})")
        if not source.is_file():
            if source.exists():
                raise RequestError.field("/path", f"'{relative}' is a folder, not a file")
            raise NotFound(f"'{relative}' does not exist")
        try:
            conversion = convert_beside(source, self.pipelines.root)
        except ConversionError as err:
            message = err.located(relative)
            issue = Issue("error", err.code, message, err.pointer, line=err.line, column=err.column)
            raise RequestError(message, [issue]) from err
        return self._json(conversion)

    def _json(self, conversion: Conversion) -> dict[str, Any]:
        return conversion.to_json(self._relative(conversion.output))

    def _relative(self, path: Path) -> str:
        return path.relative_to(self.pipelines.root).as_posix()
