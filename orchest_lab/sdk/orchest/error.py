"""The SDK's exceptions, under the names Orchest's SDK gave them, so that `except` clauses of
existing code keep working."""

from __future__ import annotations

from typing import Any


class Error(Exception):
    """Base class of every SDK error."""


class PipelineDefinitionNotFoundError(Error):
    """The pipeline definition file cannot be read."""


class SerializationError(Error):
    """An output cannot be serialized (it cannot be pickled)."""


class DeserializationError(Error):
    """A stored output cannot be read back."""


class ObjectNotFoundError(Error):
    """An object is not in the memory store."""


class OutputNotFoundError(Error):
    """A parent step has no output to read."""


class DiskOutputNotFoundError(OutputNotFoundError):
    """A parent step has no output on disk."""


class MemoryOutputNotFoundError(OutputNotFoundError):
    """A parent step has no output in memory."""


class OrchestNetworkError(Error):
    """A service did not answer (kept for compatibility; orchest-lab makes no network calls)."""


class StepUUIDResolveError(Error):
    """The code does not run as a known step of a known pipeline."""


class InputNameCollisionError(Error):
    """Several parent steps output data under the same name."""


class DataInvalidNameError(Error):
    """An output name is not allowed (not a string, reserved, or holding the separator)."""


class ServiceNotFound(Error):
    """No such pipeline service."""


class InvalidMetaDataError(Error):
    """Stored metadata (a HEAD file, an output's description) cannot be understood."""

    hint = (
        "The output may come from an incompatible tool or version; run the step that produced "
        "it again, or delete the step's folder under .orchest/pipelines/<pipeline>/data/."
    )

    def __init__(self, msg: str = "", *args: Any) -> None:
        super().__init__(f"{msg} {self.hint}" if msg else self.hint, *args)


class UnrecognizedSessionType(Error):
    """A session type other than interactive or noninteractive (kept for compatibility)."""


class SessionNotFound(Error):
    """No such session (kept for compatibility)."""


class MemoryFallbackWarning(UserWarning):
    """An output went to disk because it did not fit in memory."""
