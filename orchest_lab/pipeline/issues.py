"""Validation issues: what is wrong, how badly, and where."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Literal

Severity = Literal["error", "warning"]


def json_pointer(*parts: str | int) -> str:
    """An RFC 6901 JSON pointer to `parts` ('' is the whole document)."""
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in parts)


@dataclass(frozen=True)
class Issue:
    severity: Severity
    code: str
    message: str
    pointer: str = ""
    step_uuid: str | None = None
    # Every step involved when there are several (the steps of a cycle).
    related_step_uuids: tuple[str, ...] = ()
    line: int | None = None
    column: int | None = None

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "severity": self.severity,
            "code": self.code,
            "message": self.message,
            "pointer": self.pointer,
            "step_uuid": self.step_uuid,
        }
        if self.related_step_uuids:
            data["related_step_uuids"] = list(self.related_step_uuids)
        if self.line is not None:
            data["line"] = self.line
            data["column"] = self.column
        return data

    def format_line(self, source: str) -> str:
        """One line for a terminal: `source[:line:col]: severity [code] message (pointer)`."""
        where = source if self.line is None else f"{source}:{self.line}:{self.column}"
        at = f" (at {self.pointer})" if self.pointer else ""
        return f"{where}: {self.severity} [{self.code}] {self.message}{at}"


@dataclass
class ValidationResult:
    issues: list[Issue] = field(default_factory=list)

    @property
    def errors(self) -> list[Issue]:
        return [i for i in self.issues if i.severity == "error"]

    @property
    def valid(self) -> bool:
        return not self.errors

    def extend(self, issues: Iterable[Issue]) -> None:
        self.issues.extend(issues)

    def to_json(self) -> dict[str, Any]:
        return {"valid": self.valid, "issues": [i.to_json() for i in self.issues]}


class IssueError(ValueError):
    """Bad input about one place of a request or document, carried as a validation issue, so
    that the API and the command line report it as they report validation (code, pointer)."""

    code = "invalid"

    def __init__(
        self,
        message: str,
        pointer: str = "",
        *,
        code: str | None = None,
        step_uuid: str | None = None,
        related_step_uuids: tuple[str, ...] = (),
    ) -> None:
        super().__init__(message)
        self.issue = Issue(
            "error",
            code or self.code,
            message,
            pointer,
            step_uuid=step_uuid,
            related_step_uuids=related_step_uuids,
        )
