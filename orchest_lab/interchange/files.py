"""Converting pipeline files: the direction from the file's extension, the target project's
environments, and writes that never replace a file unless asked."""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..environments.definition import DefinitionError, EnvironmentDefinition, list_definitions
from ..fs import atomic_write_text
from ..pipeline import PIPELINE_SUFFIX, PipelineDocument, PipelineLoadError, find_project_root
from .elyra_format import ELYRA_SUFFIX, read_elyra
from .from_elyra import elyra_to_orchest
from .report import ConversionError, Unmapped
from .to_elyra import orchest_to_elyra

TARGET_SUFFIX = {ELYRA_SUFFIX: PIPELINE_SUFFIX, PIPELINE_SUFFIX: ELYRA_SUFFIX}


@dataclass(frozen=True)
class Conversion:
    source: Path
    output: Path
    unmapped: list[Unmapped]

    def to_json(self, shown: str) -> dict[str, Any]:
        return {"path": shown, "unmapped": [u.to_json() for u in self.unmapped]}


def target_suffix(source: Path) -> str:
    suffix = TARGET_SUFFIX.get(source.suffix)
    if suffix is None:
        raise ConversionError(
            f"'{source.name}' is neither an Elyra pipeline (*{ELYRA_SUFFIX}) nor an orchest-lab "
            f"pipeline (*{PIPELINE_SUFFIX}); the direction comes from the extension",
            code="unknown-format",
        )
    return suffix


def convert(source: Path, output: Path, boundary: Path | None = None) -> tuple[str, list[Unmapped]]:
    """The converted text of `source` (to be written at `output`), and what did not map.
    Step files must exist (inside `boundary`, when given)."""
    suffix = target_suffix(source)
    if output.suffix != suffix:
        raise ConversionError(
            f"the output of converting '{source.name}' must end with {suffix}", code="bad-output"
        )
    text = _read(source)
    if suffix == PIPELINE_SUFFIX:
        project = find_project_root(output, boundary or output.parent)
        data = read_elyra(text)
        document, unmapped = elyra_to_orchest(
            data,
            source_dir=source.parent,
            target_dir=output.parent,
            environments=environments_by_name(project),
            name=source.stem,
            boundary=boundary,
        )
        return PipelineDocument(document).to_text(), unmapped
    try:
        loaded = PipelineDocument.from_text(text)
    except PipelineLoadError as err:
        issue = err.issue
        raise ConversionError(
            issue.message, issue.pointer, code=issue.code, line=issue.line, column=issue.column
        ) from err
    project = find_project_root(source, boundary or source.parent)
    elyra, unmapped = orchest_to_elyra(
        loaded.data,
        source_dir=source.parent,
        target_dir=output.parent,
        environments={uuid: name for name, uuid in environments_by_name(project).items()},
        boundary=boundary,
    )
    return json.dumps(elyra, indent=2, ensure_ascii=False) + "\n", unmapped


def convert_file(
    source: Path, output: Path | None = None, *, force: bool = False, boundary: Path | None = None
) -> Conversion:
    """Convert `source` into `output` (default: beside it, with the other extension). An
    existing output is refused unless `force`; on any error nothing is written."""
    output = output if output is not None else source.with_suffix(target_suffix(source))
    if output.exists() and not force:
        raise ConversionError(
            f"'{output}' already exists; give --force to replace it", code="exists"
        )
    if not output.parent.is_dir():
        raise ConversionError(f"folder '{output.parent}' does not exist", code="bad-output")
    text, unmapped = convert(source, output, boundary)
    if force:
        atomic_write_text(output, text)
    else:
        _create(output, text)
    return Conversion(source, output, unmapped)


def convert_beside(source: Path, boundary: Path) -> Conversion:
    """Convert `source` into a new file beside it: X.orchest (or X.pipeline), else X-1, X-2...
    when taken. The original and every existing file are left as they are."""
    suffix = target_suffix(source)
    first = source.with_suffix(suffix)
    text, unmapped = convert(source, first, boundary)  # same folder: same text for every name
    for number in range(1000):
        output = first if number == 0 else source.with_name(f"{source.stem}-{number}{suffix}")
        try:
            _create(output, text)
        except FileExistsError:
            continue
        return Conversion(source, output, unmapped)
    raise ConversionError(f"no free name for '{first.name}' beside it", code="exists")


def environments_by_name(project: Path) -> dict[str, str]:
    """The project's environments: name -> uuid (the first, by uuid, when names repeat)."""
    try:
        found = list_definitions(project)
    except DefinitionError:
        return {}
    names: dict[str, str] = {}
    for env_uuid, definition in found:
        if isinstance(definition, EnvironmentDefinition):
            names.setdefault(definition.name, env_uuid)
    return names


def _read(source: Path) -> str:
    try:
        return source.read_text(encoding="utf-8")
    except FileNotFoundError as err:
        raise ConversionError(f"'{source}' does not exist", code="not-found") from err
    except IsADirectoryError as err:
        raise ConversionError(f"'{source}' is a folder, not a pipeline file") from err
    except UnicodeDecodeError as err:
        raise ConversionError(f"'{source.name}' is not UTF-8 text", code="invalid-json") from err
    except OSError as err:
        raise ConversionError(
            f"'{source}' cannot be read: {err.strerror or err}", code="unreadable"
        ) from err


def _create(path: Path, text: str) -> None:
    """Write a new file, whole or not at all; FileExistsError when there is one (never
    replaced, even in a race: a hard link does not replace its target)."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp~")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        os.link(tmp, path)
    finally:
        os.unlink(tmp)
