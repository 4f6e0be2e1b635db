"""What a conversion could not carry over, and input it refuses, each with where it is."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Unmapped:
    """Something of the source that the target format cannot hold (left out, or changed)."""

    what: str  # what it is, e.g. "dependencies", "pipeline parameter 'x'"
    message: str  # what happened to it and why
    pointer: str = ""  # JSON pointer into the source document
    node: str | None = None  # the node's (step's) label, when it belongs to one

    def to_json(self) -> dict[str, Any]:
        return {
            "what": self.what,
            "message": self.message,
            "pointer": self.pointer,
            "node": self.node,
        }

    def format_line(self) -> str:
        where = f"{self.node}: " if self.node else ""
        at = f" (at {self.pointer})" if self.pointer else ""
        return f"{where}{self.what}: {self.message}{at}"


@dataclass
class Conversion:
    """One conversion under way: where its files are and what it reported as not carried over."""

    source_dir: Path
    target_dir: Path
    environments: Mapping[str, str]  # between names and uuids, in the direction converted
    boundary: Path | None  # no file outside it is read or written
    unmapped: list[Unmapped] = field(default_factory=list)

    def note(self, what: str, message: str, pointer: str = "", node: str | None = None) -> None:
        self.unmapped.append(Unmapped(what, message, pointer, node))


class ConversionError(ValueError):
    """Input that cannot be converted at all: not JSON, another version, a cycle, a missing file.
    Nothing is written for it."""

    def __init__(
        self,
        message: str,
        pointer: str = "",
        *,
        code: str = "invalid-input",
        line: int | None = None,
        column: int | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.pointer = pointer
        self.code = code
        self.line = line
        self.column = column

    def located(self, source: str) -> str:
        """`source[:line:column]: message (at pointer)` for a terminal."""
        where = source if self.line is None else f"{source}:{self.line}:{self.column}"
        at = f" (at {self.pointer})" if self.pointer else ""
        return f"{where}: {self.message}{at}"
