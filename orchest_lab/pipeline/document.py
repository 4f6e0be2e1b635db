"""A pipeline definition (`*.orchest`) as read from and written to disk.

The parsed JSON object is kept as is, so fields this package does not know survive a load/save
round-trip; accessors tolerate documents that do not (yet) satisfy the schema.
"""

from __future__ import annotations

import json
import uuid as uuid_lib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..fs import atomic_write_text
from . import jsontext
from .issues import Issue, json_pointer

FORMAT_VERSION = "1.0.0"
PIPELINE_SUFFIX = ".orchest"


class PipelineLoadError(ValueError):
    """The text is not a pipeline at all (not JSON, or not a JSON object)."""

    def __init__(self, issue: Issue) -> None:
        super().__init__(issue.message)
        self.issue = issue


@dataclass
class PipelineDocument:
    data: dict[str, Any]
    # (JSON pointer of the object, key) for every key that appeared twice in the source text.
    duplicate_keys: list[tuple[str, str]] = field(default_factory=list)

    @classmethod
    def from_text(cls, text: str) -> PipelineDocument:
        if text.strip() == "":
            raise PipelineLoadError(
                Issue("error", "invalid-json", "the pipeline file is empty", line=1, column=1)
            )
        duplicates: list[tuple[dict[str, Any], str]] = []

        def keep_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
            obj = dict(pairs)
            if len(obj) != len(pairs):
                seen: set[str] = set()
                for key, _ in pairs:
                    if key in seen:
                        duplicates.append((obj, key))
                    seen.add(key)
            return obj

        try:
            data = jsontext.loads(text, object_pairs_hook=keep_duplicates)
        except json.JSONDecodeError as err:
            issue = Issue(
                "error",
                "invalid-json",
                f"invalid JSON: {err.msg}",
                line=err.lineno,
                column=err.colno,
            )
            raise PipelineLoadError(issue) from err
        except RecursionError as err:
            raise PipelineLoadError(
                Issue("error", "invalid-json", "the pipeline is nested too deeply to be read")
            ) from err
        except ValueError as err:  # NaN, 1e999, a number of more than 4,300 digits
            raise PipelineLoadError(Issue("error", "invalid-json", f"invalid JSON: {err}")) from err
        if not isinstance(data, dict):
            kind = type(data).__name__.replace("dict", "object").replace("list", "array")
            raise PipelineLoadError(
                Issue("error", "schema", f"a pipeline must be a JSON object, not {kind}")
            )
        return cls(data, [(_pointer_of(data, obj), key) for obj, key in duplicates])

    @classmethod
    def from_file(cls, path: Path | str) -> PipelineDocument:
        with open(path, encoding="utf-8") as f:
            return cls.from_text(f.read())

    @classmethod
    def from_object(cls, data: Any) -> PipelineDocument:
        if not isinstance(data, dict):
            raise PipelineLoadError(Issue("error", "schema", "a pipeline must be a JSON object"))
        return cls(data)

    @classmethod
    def new(cls, name: str) -> PipelineDocument:
        return cls(
            {
                "name": name,
                "parameters": {},
                "settings": {
                    "auto_eviction": False,
                    "data_passing_memory_size": "1GB",
                    "max_steps_parallelism": 0,
                },
                "steps": {},
                "uuid": str(uuid_lib.uuid4()),
                "version": FORMAT_VERSION,
            }
        )

    def to_text(self) -> str:
        return json.dumps(self.data, indent=4, ensure_ascii=False) + "\n"

    def save(self, path: Path | str) -> None:
        atomic_write_text(path, self.to_text())

    # --- tolerant accessors ---------------------------------------------------------------------

    @property
    def uuid(self) -> str | None:
        value = self.data.get("uuid")
        return value if isinstance(value, str) else None

    @property
    def name(self) -> str | None:
        value = self.data.get("name")
        return value if isinstance(value, str) else None

    @property
    def steps(self) -> dict[str, dict[str, Any]]:
        """The steps that are objects, by their key in `steps`."""
        steps = self.data.get("steps")
        if not isinstance(steps, dict):
            return {}
        return {key: step for key, step in steps.items() if isinstance(step, dict)}

    @property
    def settings(self) -> dict[str, Any]:
        settings = self.data.get("settings")
        return settings if isinstance(settings, dict) else {}

    def step(self, step_uuid: str) -> dict[str, Any]:
        """One step's object ({} when there is no such step), without copying `steps`."""
        steps = self.data.get("steps")
        step = steps.get(step_uuid) if isinstance(steps, dict) else None
        return step if isinstance(step, dict) else {}

    def step_label(self, step_uuid: str) -> str:
        """How messages name a step: its title when it has one, else its uuid."""
        title = self.step(step_uuid).get("title")
        if isinstance(title, str) and title.strip():
            return f"step '{title}'"
        return f"step {step_uuid}"

    def step_title(self, step_uuid: str) -> str:
        title = self.step(step_uuid).get("title")
        return title if isinstance(title, str) and title.strip() else step_uuid


def _pointer_of(root: Any, target: dict[str, Any]) -> str:
    """The JSON pointer of the object `target` inside `root` (found by identity)."""
    stack: list[tuple[Any, tuple[str | int, ...]]] = [(root, ())]
    while stack:
        node, path = stack.pop()
        if node is target:
            return json_pointer(*path)
        if isinstance(node, dict):
            stack.extend((v, (*path, k)) for k, v in node.items())
        elif isinstance(node, list):
            stack.extend((v, (*path, i)) for i, v in enumerate(node))
    return ""
