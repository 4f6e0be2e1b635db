"""The pipeline-flow v3 JSON Schema Elyra publishes (tests/data/pipeline-flow-v3), compiled with
the project's validator; its references to the other schemas resolve to the local copies."""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import fastjsonschema

SCHEMAS = Path(__file__).resolve().parent / "data" / "pipeline-flow-v3"


def _local(uri: str) -> Any:
    name = uri.split("#", 1)[0].rsplit("/", 1)[-1]
    return json.loads((SCHEMAS / name).read_text(encoding="utf-8"))


@functools.cache
def pipeline_flow_validator() -> Callable[[Any], Any]:
    schema = _local("pipeline-flow-v3-schema.json")
    return fastjsonschema.compile(schema, handlers={"https": _local, "http": _local})
