"""Building pipeline documents for tests from a compact description."""

from __future__ import annotations

import uuid as uuid_lib
from pathlib import Path
from typing import Any

from orchest_lab.pipeline import PipelineDocument


def make_pipeline(
    steps: dict[str, tuple[str, list[str]]], *, positions: bool = True
) -> tuple[PipelineDocument, dict[str, str]]:
    """`steps` maps a title to (file path, titles of its parents). Returns the document and the
    uuid of every title."""
    uuids = {title: str(uuid_lib.uuid5(uuid_lib.NAMESPACE_URL, title)) for title in steps}
    document = PipelineDocument.new("test")
    for i, (title, (file_path, parents)) in enumerate(steps.items()):
        step: dict[str, Any] = {
            "environment": "",
            "file_path": file_path,
            "incoming_connections": [uuids[p] for p in parents],
            "kernel": {"display_name": "Python 3", "name": "python"},
            "parameters": {},
            "title": title,
            "uuid": uuids[title],
        }
        if positions:
            step["meta_data"] = {"hidden": False, "position": [i * 200, 0]}
        document.data["steps"][uuids[title]] = step
    return document, uuids


def write_step_files(folder: Path, document: PipelineDocument) -> None:
    for step in document.steps.values():
        path = folder / step["file_path"]
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("print('hello')\n")
