"""Runs and their steps: statuses and records, as stored, served and published."""

from __future__ import annotations

import datetime
from collections import Counter
from dataclasses import dataclass, field, fields
from enum import Enum
from typing import Any


class Status(str, Enum):
    PENDING = "PENDING"
    STARTED = "STARTED"
    SUCCESS = "SUCCESS"
    FAILURE = "FAILURE"
    SKIPPED = "SKIPPED"
    ABORTED = "ABORTED"

    @property
    def ended(self) -> bool:
        return self in (Status.SUCCESS, Status.FAILURE, Status.SKIPPED, Status.ABORTED)


def now() -> str:
    """The current time as an ISO 8601 string in UTC, as every record stores it."""
    return datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="milliseconds")


@dataclass
class StepFailure:
    """Why a step failed: an exception in a cell, a script exit status, or a failure to run it."""

    name: str  # the exception name (ZeroDivisionError), "ExitStatus", or an orchest-lab error name
    message: str
    cell_index: int | None = None
    traceback: list[str] | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "message": self.message,
            "cell_index": self.cell_index,
            "traceback": list(self.traceback) if self.traceback is not None else None,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> StepFailure:
        return cls(**data)


@dataclass
class StepRecord:
    uuid: str
    title: str
    file_path: str  # as written in the pipeline
    status: Status = Status.PENDING
    started_at: str | None = None
    finished_at: str | None = None
    failure: StepFailure | None = None
    reason: str | None = None  # why it was skipped or aborted
    waits_for: list[str] = field(default_factory=list)
    level: int = 0

    def to_json(self) -> dict[str, Any]:
        # Written out field by field: this runs for every status change of every step.
        return {
            "uuid": self.uuid,
            "title": self.title,
            "file_path": self.file_path,
            "status": self.status.value,
            "started_at": self.started_at,
            "finished_at": self.finished_at,
            "failure": self.failure.to_json() if self.failure is not None else None,
            "reason": self.reason,
            "waits_for": list(self.waits_for),
            "level": self.level,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> StepRecord:
        data = dict(data)
        data["status"] = Status(data["status"])
        if data.get("failure"):
            data["failure"] = StepFailure.from_json(data["failure"])
        return cls(**data)


@dataclass
class RunRecord:
    id: str
    pipeline_path: str  # relative to the server root (or as given on the command line)
    pipeline_uuid: str
    pipeline_name: str
    project: str  # as the UI names it (relative to the server root)
    mode: str
    selected: list[str]
    parameters: dict[str, Any]
    kind: str = "interactive"  # or "job"
    job_id: str | None = None
    status: Status = Status.PENDING
    created_at: str = field(default_factory=now)
    started_at: str | None = None
    finished_at: str | None = None
    reason: str | None = None  # why it was aborted, when it was
    # Where the run executes (the project, or a job's copy of it) and where its step logs are
    # written: absolute paths. None only in records of runs made before runs knew them.
    folder: str | None = None
    log_dir: str | None = None
    steps: dict[str, StepRecord] = field(default_factory=dict)  # in plan order

    @property
    def progress(self) -> tuple[int, int]:
        """(steps that ended, steps in all)."""
        return sum(s.status.ended for s in self.steps.values()), len(self.steps)

    def status_counts(self) -> dict[str, int]:
        return dict(Counter(step.status.value for step in self.steps.values()))

    def header_json(self) -> dict[str, Any]:
        """The run's own fields, without its steps (as the store keeps them)."""
        data = {f.name: getattr(self, f.name) for f in fields(self) if f.name != "steps"}
        data["status"] = self.status.value
        return data

    def to_json(self) -> dict[str, Any]:
        done, total = self.progress
        return {
            **self.header_json(),
            "steps": [step.to_json() for step in self.steps.values()],
            "progress": {"done": done, "total": total},
        }

    def summary_json(self) -> dict[str, Any]:
        """The run without its steps' details, for listings: how many steps have each status."""
        counts = self.status_counts()
        ended = sum(n for status, n in counts.items() if Status(status).ended)
        return {
            **self.header_json(),
            "steps": counts,
            "progress": {"done": ended, "total": len(self.steps)},
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> RunRecord:
        data = dict(data)
        data.pop("progress", None)
        data["status"] = Status(data["status"])
        steps = [StepRecord.from_json(s) for s in data.get("steps", [])]
        data["steps"] = {s.uuid: s for s in steps}
        return cls(**data)
