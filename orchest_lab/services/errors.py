"""Errors of the services: a request that cannot be served as asked. Each kind maps to one HTTP
status (the handlers) and one exit status (the command line); none is told apart by its text."""

from __future__ import annotations

from collections.abc import Sequence

from ..pipeline import Issue, IssueError


class RequestError(ValueError):
    """Bad input: a message that says what is wrong, and the issues behind it (each with its
    code and a JSON pointer to where it is)."""

    status = 400

    def __init__(self, message: str, issues: Sequence[Issue] = ()) -> None:
        super().__init__(message)
        self.message = message
        self.issues = list(issues)

    @classmethod
    def from_issue(cls, error: IssueError) -> RequestError:
        return cls(error.issue.message, [error.issue])

    @classmethod
    def field(cls, pointer: str, message: str, code: str = "invalid-field") -> RequestError:
        """Bad input at one field of the request (`pointer`: a JSON pointer such as /mode)."""
        return cls(message, [Issue("error", code, message, pointer)])


class InvalidPipeline(RequestError):
    """The pipeline does not validate; the issues are its validation issues."""


class NotFound(RequestError):
    status = 404


class Conflict(RequestError):
    """The request is sound but clashes with the state of things (a step uses it, a run is
    writing it)."""

    status = 409
