"""Fingerprints of steps: what a step's outputs depend on, hashed.

A step's fingerprint covers its file (for a notebook, only the source and tags of its code
cells: runs write outputs and metadata into notebooks, which must not change it), its effective
parameters (the step's and the pipeline's, with a run's overrides), its environment, and the
fingerprints of its parents in `incoming_connections` order. Equal fingerprints: the step would
compute the same thing from the same inputs; its stored outputs can be reused.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..pipeline import Dag, PipelineDocument

VERSION = 1
_CACHE_SIZE = 4096
# File content hashes by (path, size, mtime): planning a pipeline again reads no unchanged file.
_file_hashes: dict[tuple[str, int, int], str] = {}


@dataclass(frozen=True)
class Fingerprint:
    value: str
    file: str
    parameters: str
    environment: str
    parents: tuple[str, ...]  # the parents' fingerprints, in incoming_connections order

    def to_json(self) -> dict[str, Any]:
        return {
            "value": self.value,
            "file": self.file,
            "parameters": self.parameters,
            "environment": self.environment,
            "parents": list(self.parents),
        }

    @classmethod
    def from_json(cls, data: Any) -> Fingerprint | None:
        if not isinstance(data, dict):
            return None
        try:
            return cls(
                str(data["value"]),
                str(data["file"]),
                str(data["parameters"]),
                str(data["environment"]),
                tuple(str(p) for p in data["parents"]),
            )
        except (KeyError, TypeError):
            return None


def _digest(data: Any) -> str:
    text = json.dumps(data, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def file_hash(path: Path | str) -> str:
    """The hash of what in a step file matters for its results."""
    path = str(path)
    try:
        stat = os.stat(path)
    except OSError:
        return "missing"
    key = (path, stat.st_size, stat.st_mtime_ns)
    cached = _file_hashes.get(key)
    if cached is not None:
        return cached
    try:
        with open(path, "rb") as f:
            content = f.read()
    except OSError:
        return "missing"
    value = _notebook_hash(content) if path.endswith(".ipynb") else None
    if value is None:
        value = hashlib.sha256(content).hexdigest()[:32]
    if len(_file_hashes) >= _CACHE_SIZE:
        _file_hashes.clear()
    _file_hashes[key] = value
    return value


def _notebook_hash(content: bytes) -> str | None:
    """Code cells' sources and tags only; None when the file is not a notebook."""
    try:
        notebook = json.loads(content)
        cells = notebook["cells"]
    except (ValueError, KeyError, TypeError):
        return None
    code = []
    for cell in cells if isinstance(cells, list) else []:
        if not isinstance(cell, dict) or cell.get("cell_type") != "code":
            continue
        source = cell.get("source", "")
        if isinstance(source, list):
            source = "".join(str(line) for line in source)
        metadata = cell.get("metadata")
        tags = metadata.get("tags", []) if isinstance(metadata, dict) else []
        code.append([str(source), sorted(str(t) for t in tags) if isinstance(tags, list) else []])
    return _digest(["notebook", code])


def compute_fingerprints(
    document: PipelineDocument,
    pipeline_dir: Path,
    parameters: dict[str, Any] | None = None,
    dag: Dag | None = None,
) -> dict[str, Fingerprint]:
    """Every step's fingerprint, with a run's `parameters` (`{"pipeline": {...}, "steps":
    {uuid: {...}}}`) applied. The document should have no cycle (CycleError)."""
    dag = dag or Dag.from_steps(document.steps)
    overrides = parameters or {}
    pipeline_params = dict(_dict(document.data.get("parameters")))
    pipeline_params.update(overrides.get("pipeline") or {})
    step_overrides = overrides.get("steps") or {}
    folder = str(pipeline_dir)
    steps = document.steps
    result: dict[str, Fingerprint] = {}
    for uuid in dag.topological_order():
        step = steps[uuid]
        file_path = step.get("file_path")
        file = (
            file_hash(os.path.normpath(os.path.join(folder, file_path)))
            if isinstance(file_path, str) and file_path
            else "missing"
        )
        step_params = {**_dict(step.get("parameters")), **(step_overrides.get(uuid) or {})}
        params = _digest({"step": step_params, "pipeline": pipeline_params})
        environment = step.get("environment")
        environment = environment if isinstance(environment, str) else ""
        parents = tuple(result[p].value for p in dag.parents[uuid])
        # The parts are hex digests and a uuid: joined with a separator none of them contains.
        joined = "|".join([str(VERSION), file, params, environment, *parents])
        value = hashlib.sha256(joined.encode()).hexdigest()[:32]
        result[uuid] = Fingerprint(value, file, params, environment, parents)
    return result


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}
