"""Runs and their steps: statuses and records, as stored, served and published."""

from __future__ import annotations

import datetime
from dataclasses import asdict, dataclass, field
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
        data = asdict(self)
        data["status"] = self.status.value
        return data

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
    project: str
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
    steps: dict[str, StepRecord] = field(default_factory=dict)  # in plan order

    @property
    def progress(self) -> tuple[int, int]:
        """(steps that ended, steps in all)."""
        return sum(s.status.ended for s in self.steps.values()), len(self.steps)

    def to_json(self) -> dict[str, Any]:
        done, total = self.progress
        data = asdict(self)
        data["status"] = self.status.value
        data["steps"] = [step.to_json() for step in self.steps.values()]
        data["progress"] = {"done": done, "total": total}
        return data

    def summary_json(self) -> dict[str, Any]:
        """The run without its steps' details, for listings."""
        data = self.to_json()
        counts: dict[str, int] = {}
        for step in self.steps.values():
            counts[step.status.value] = counts.get(step.status.value, 0) + 1
        data["steps"] = counts
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> RunRecord:
        data = dict(data)
        data.pop("progress", None)
        data["status"] = Status(data["status"])
        steps = [StepRecord.from_json(s) for s in data["steps"]]
        data["steps"] = {s.uuid: s for s in steps}
        return cls(**data)
