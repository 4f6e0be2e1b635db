"""Live updates on Jupyter Server's event bus (`/api/events/subscribe`): run and step statuses,
notebook cell outputs and script output, as the schemas in `schemas/` describe them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from jupyter_events import EventLogger

from ..records import CellUpdate, JobRecord, RunRecord, StepRecord

SCHEMAS = Path(__file__).with_name("schemas")
BASE = "https://events.orchest-lab.dev/"
RUN, STEP, CELL, STREAM = (BASE + name for name in ("run", "step", "cell", "stream"))
BUILD, BUILD_LOG = BASE + "environment-build", BASE + "environment-build-log"
JOB = BASE + "job"
# Events go to every open JupyterLab, and a script can print megabytes a second: a stream event
# carries at most the newest STREAM_EVENT_CHARS characters of what it stands for (and says how
# many it left out). The whole text is in the step's log, which a log view follows.
STREAM_EVENT_CHARS = 4096


def register_schemas(event_logger: EventLogger) -> None:
    for schema in sorted(SCHEMAS.glob("*.yaml")):
        event_logger.register_event_schema(schema)


class EventBusListener:
    """Publishes what the run engine reports on the server's event bus."""

    def __init__(self, event_logger: EventLogger) -> None:
        self.events = event_logger

    def run_changed(self, run: RunRecord) -> None:
        data = run.summary_json()
        del data["steps"], data["parameters"], data["selected"]
        data["run_id"] = data.pop("id")
        self.events.emit(schema_id=RUN, data=data)

    def step_changed(self, run: RunRecord, step: StepRecord) -> None:
        data = step.to_json()
        for key in ("waits_for", "level", "file_path", "uuid"):
            del data[key]
        data.update(run_id=run.id, pipeline_path=run.pipeline_path, step_uuid=step.uuid)
        self.events.emit(schema_id=STEP, data=data)

    def cell(self, run: RunRecord, step_uuid: str, path: str, update: CellUpdate) -> None:
        data: dict[str, Any] = {"run_id": run.id, "pipeline_path": run.pipeline_path}
        data.update(step_uuid=step_uuid, path=path, **update.to_json())
        self.events.emit(schema_id=CELL, data=data)

    def stream(self, run: RunRecord, step_uuid: str, path: str, name: str, text: str) -> None:
        data: dict[str, Any] = {"run_id": run.id, "pipeline_path": run.pipeline_path}
        data.update(step_uuid=step_uuid, path=path, name=name, text=text[-STREAM_EVENT_CHARS:])
        if len(text) > STREAM_EVENT_CHARS:
            data["skipped"] = len(text) - STREAM_EVENT_CHARS
        self.events.emit(schema_id=STREAM, data=data)


class JobEventsListener:
    """Publishes jobs on the server's event bus."""

    def __init__(self, event_logger: EventLogger) -> None:
        self.events = event_logger

    def job_changed(
        self, job: JobRecord, runs: dict[str, int], last_run: dict[str, Any] | None = None
    ) -> None:
        data = job_event(job.id, job.status.value, job, runs, last_run)
        self.events.emit(schema_id=JOB, data=data)

    def job_deleted(self, job: JobRecord) -> None:
        self.events.emit(schema_id=JOB, data=job_event(job.id, "DELETED", job, {}, None))


def job_event(
    job_id: str,
    status: str,
    job: JobRecord,
    runs: dict[str, int],
    last_run: dict[str, Any] | None,
) -> dict[str, Any]:
    return {
        "job_id": job_id,
        "name": job.name,
        "pipeline_path": job.pipeline_path,
        "status": status,
        "next_run_at": job.next_run_at,
        "runs": runs,
        "last_run": last_run,
        "disk_bytes": job.disk_bytes,
    }


class BuildEventsListener:
    """Publishes environment builds on the server's event bus."""

    def __init__(self, event_logger: EventLogger) -> None:
        self.events = event_logger

    def build_changed(self, project: str, env_uuid: str, status: dict[str, Any]) -> None:
        data = {**status, "project": project, "environment_uuid": env_uuid}
        self.events.emit(schema_id=BUILD, data=data)

    def build_log(self, project: str, env_uuid: str, text: str) -> None:
        data = {"project": project, "environment_uuid": env_uuid, "text": text}
        self.events.emit(schema_id=BUILD_LOG, data=data)
