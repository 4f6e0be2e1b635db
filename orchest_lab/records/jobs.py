"""What a job is, as stored, served and published."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from enum import Enum
from typing import Any

from .runs import now


class JobStatus(str, Enum):
    PENDING = "PENDING"  # waiting for its time
    STARTED = "STARTED"  # runs in progress, or a schedule that goes on
    PAUSED = "PAUSED"
    SUCCESS = "SUCCESS"  # a one-off job whose runs all succeeded
    FAILURE = "FAILURE"  # a one-off job of which a run did not succeed
    ABORTED = "ABORTED"  # cancelled

    @property
    def ended(self) -> bool:
        return self in (JobStatus.SUCCESS, JobStatus.FAILURE, JobStatus.ABORTED)


@dataclass
class JobRecord:
    id: str
    name: str
    pipeline_path: str  # relative to the server root
    project: str  # relative to the server root
    pipeline_uuid: str
    pipeline_name: str
    folder: str  # the job's own folder: snapshot/ and runs/<run id>/
    schedule: dict[str, Any] | None  # None: once, now; {cron, timezone}; {at}
    parameters: dict[str, Any]  # the values listed per parameter (the grid)
    combinations: list[dict[str, Any]]  # the runs of each occurrence
    env_variables: dict[str, str] = field(default_factory=dict)
    max_retained_runs: int | None = None
    webhook: dict[str, str] | None = None  # {url, secret?}
    status: JobStatus = JobStatus.PENDING
    created_at: str = field(default_factory=now)
    last_occurrence: str | None = None  # the last scheduled time that fired
    next_run_at: str | None = None
    disk_bytes: int = 0

    def to_json(self) -> dict[str, Any]:
        """As stored (the webhook's secret included)."""
        data = asdict(self)
        data["status"] = self.status.value
        return data

    def public_json(self) -> dict[str, Any]:
        """As served: the webhook's secret is never shown, only that there is one."""
        data = self.to_json()
        if self.webhook is not None:
            data["webhook"] = {
                "url": self.webhook["url"],
                "has_secret": bool(self.webhook.get("secret")),
            }
        del data["folder"]
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> JobRecord:
        data = dict(data)
        data["status"] = JobStatus(data["status"])
        return cls(**data)
