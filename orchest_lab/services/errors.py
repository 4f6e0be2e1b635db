from __future__ import annotations

from collections.abc import Sequence

from ..pipeline import Issue


class RequestError(ValueError):
    """A request that cannot be served as asked: a message that says what is wrong, the
    validation issues behind it if any, and the HTTP status it maps to."""

    def __init__(self, message: str, issues: Sequence[Issue] = (), status: int = 400) -> None:
        super().__init__(message)
        self.message = message
        self.issues = list(issues)
        self.status = status
