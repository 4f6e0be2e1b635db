"""Pipelines under the server root: finding, validating and planning them."""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..data.outputs import memory_root_from_env
from ..data.state import PipelineData, pipeline_data
from ..fs import InvalidPath, PathOutsideRoot, resolve_within
from ..pipeline import (
    PIPELINE_SUFFIX,
    PipelineDocument,
    PipelineLoadError,
    ValidationContext,
    ValidationResult,
    find_project_root,
    json_pointer,
    jsontext,
    validate_document,
)
from ..pipeline.project import DEFAULT_EXCLUDE, pipeline_files
from .errors import InvalidPipeline, NotFound, RequestError
from .request_body import check_body

# How a request gives a pipeline: the path of its file, its text, or its JSON.
SOURCE_FIELDS: dict[str, type] = {"path": str, "content": str, "pipeline": dict}


@dataclass
class LoadedPipeline:
    """A pipeline document (None when its text is not a pipeline at all) with its context."""

    document: PipelineDocument | None
    context: ValidationContext
    result: ValidationResult
    path: str | None  # relative to the server root

    def valid_document(self, before: str) -> PipelineDocument:
        """The document, or a RequestError with every issue when it is not valid."""
        if self.document is None or not self.result.valid:
            count = len(self.result.errors)
            name = f"pipeline '{self.path}'" if self.path else "the pipeline"
            raise InvalidPipeline(
                f"{name} is not valid ({count} error{'s' if count != 1 else ''}); "
                f"fix it before {before}",
                self.result.issues,
            )
        return self.document


class PipelineService:
    def __init__(
        self,
        root: Path | str,
        exclude: Sequence[str] = DEFAULT_EXCLUDE,
        memory_root: Path | None = None,
    ) -> None:
        self.root = Path(root).absolute()
        self.exclude = tuple(exclude)
        self._memory_root = memory_root  # where outputs passed in memory are (plans show them)

    @property
    def memory_root(self) -> Path:
        if self._memory_root is None:
            self._memory_root = memory_root_from_env()
        return self._memory_root

    # --- queries ---------------------------------------------------------------------------------

    def list_pipelines(self, file: str | None = None) -> list[dict[str, Any]]:
        """Every `*.orchest` file under the root, with a summary or the reason it cannot be read.
        With `file` (a notebook or script, relative to the root), only the pipelines that have
        steps running it, with those steps."""
        target = self.resolve(file, "file") if file is not None else None
        found = []
        for path in pipeline_files(self.root, self.exclude):
            summary = self._summary(path, target)
            if target is None or summary["steps"]:
                found.append(summary)
        if target is None:
            for summary in found:
                del summary["steps"]
        return found

    def validate(self, body: Any) -> ValidationResult:
        return self.load(check_body(body, SOURCE_FIELDS)).result

    def data_of(
        self,
        loaded: LoadedPipeline,
        document: PipelineDocument,
        parameters: dict[str, Any] | None = None,
    ) -> PipelineData | None:
        """Fingerprints, last successes and stored outputs of a pipeline file's steps (None for
        content that is not a file of a project). The document must be valid."""
        project = loaded.context.project_root
        if loaded.path is None or project is None:
            return None
        pipeline_file = self.resolve(loaded.path)
        return pipeline_data(document, pipeline_file, project, self.memory_root, parameters)

    # --- helpers ---------------------------------------------------------------------------------

    def resolve(self, relative: str, field: str = "path") -> Path:
        """`relative` (the request's `field`) as a path inside the root."""
        try:
            return resolve_within(self.root, relative)
        except InvalidPath as err:
            raise RequestError.field(json_pointer(field), str(err), code="invalid-path") from err
        except PathOutsideRoot as err:
            raise RequestError.field(json_pointer(field), str(err), code="outside-root") from err

    def load(self, request: dict[str, Any], field: str = "path") -> LoadedPipeline:
        """The pipeline a request gives; `field`: the request's name of `path` (messages)."""
        sources = [k for k in ("content", "pipeline") if request.get(k) is not None]
        if len(sources) > 1:
            raise RequestError.field(
                "/content", "give either 'content' (the file's text) or 'pipeline', not both"
            )
        relative = request.get("path")
        if not sources and relative is None:
            raise RequestError.field(
                "/path", "give the pipeline: 'path', 'content' or 'pipeline'", code="missing-field"
            )
        context = ValidationContext()
        text: str | None = request.get("content")
        if relative is not None:
            path = self.resolve(relative, field)
            if path.suffix != PIPELINE_SUFFIX:
                raise RequestError.field(
                    json_pointer(field),
                    f"'{relative}' is not a pipeline file (*{PIPELINE_SUFFIX})",
                )
            if not sources:
                text = self._read(path, relative, field)
            context = ValidationContext.for_pipeline_file(path, self.root)
        try:
            if text is not None:
                document = PipelineDocument.from_text(text)
            else:
                document = PipelineDocument.from_object(request["pipeline"])
        except PipelineLoadError as err:
            return LoadedPipeline(None, context, ValidationResult([err.issue]), relative)
        return LoadedPipeline(document, context, validate_document(document, context), relative)

    def _read(self, path: Path, relative: str, field: str) -> str:
        pointer = json_pointer(field)
        try:
            return path.read_text(encoding="utf-8")
        except (FileNotFoundError, NotADirectoryError) as err:
            raise NotFound(f"pipeline '{relative}' does not exist") from err
        except IsADirectoryError as err:
            raise RequestError.field(
                pointer, f"'{relative}' is a folder, not a pipeline file"
            ) from err
        except UnicodeDecodeError as err:
            raise RequestError.field(pointer, f"pipeline '{relative}' is not UTF-8 text") from err
        except OSError as err:  # a symlink loop, no permission: the file is there, not readable
            raise RequestError.field(
                pointer,
                f"pipeline '{relative}' cannot be read: {err.strerror or err}",
                code="unreadable",
            ) from err

    def _summary(self, path: Path, file: Path | None = None) -> dict[str, Any]:
        relative = path.relative_to(self.root).as_posix()
        project = find_project_root(path, self.root).relative_to(self.root).as_posix()
        summary: dict[str, Any] = {
            "path": relative,
            "name": path.stem,
            "uuid": None,
            "step_count": 0,
            "project": "" if project == "." else project,
            "error": None,
            "steps": [],  # the steps that run `file`
        }
        try:
            data = jsontext.loads(path.read_text(encoding="utf-8"))
        except RecursionError:
            summary["error"] = "cannot be read: it is nested too deeply"
            return summary
        except (OSError, ValueError) as err:  # bad UTF-8 or JSON, a number too long to convert
            summary["error"] = f"cannot be read: {err}"
            return summary
        if not isinstance(data, dict):
            summary["error"] = "is not a pipeline: the file is not a JSON object"
            return summary
        if isinstance(data.get("name"), str):
            summary["name"] = data["name"]
        if isinstance(data.get("uuid"), str):
            summary["uuid"] = data["uuid"]
        steps = data.get("steps")
        if isinstance(steps, dict):
            summary["step_count"] = len(steps)
            if file is not None:
                summary["steps"] = _steps_running(steps, path.parent, file)
        return summary


def _steps_running(steps: dict[str, Any], folder: Path, file: Path) -> list[dict[str, str]]:
    wanted = os.path.normpath(file)
    return [
        {"uuid": uuid, "title": str(step.get("title", ""))}
        for uuid, step in steps.items()
        if isinstance(step, dict)
        and isinstance(step.get("file_path"), str)
        and os.path.normpath(folder / step["file_path"]) == wanted
    ]
