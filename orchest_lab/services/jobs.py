"""Jobs through the API: making one (checked, then its project snapshotted), listing, changing,
pausing, resuming, triggering, cancelling and deleting them, and their runs and files."""

from __future__ import annotations

import asyncio
import shutil
import uuid as uuid_lib
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from ..fs import PathOutsideRoot, resolve_within
from ..jobs.folders import run_dir, snapshot_dir
from ..jobs.grid import parse_combinations, parse_grid
from ..jobs.manager import JobBusy, JobManager
from ..jobs.schedule import parse_schedule, utc_now
from ..jobs.snapshot import take_snapshot
from ..pipeline import IssueError, json_pointer
from ..records import JobRecord, JobStatus, RunRecord
from ..runs.parameters import parse_parameters
from ..store.jobs import JobStore
from .errors import Conflict, NotFound, RequestError
from .planning import RunPlanner, RunRequest
from .request_body import check_body
from .runs import RunService

JOB_FIELDS: dict[str, type] = {
    "name": str,
    "pipeline_path": str,
    "parameters": dict,
    "combinations": list,
    "schedule": dict,
    "env_variables": dict,
    "max_retained_runs": int,
    "webhook": dict,
}
CHANGEABLE = ("name", "schedule", "env_variables", "max_retained_runs", "webhook")


@dataclass(frozen=True)
class JobSettings:
    jobs_dir: Path  # where jobs' folders go
    data_dir: Path  # never in a snapshot
    max_runs: int = 1000  # runs of one occurrence
    max_snapshot_size: int = 1 << 30


class JobService:
    def __init__(
        self,
        planner: RunPlanner,
        manager: JobManager,
        runs: RunService,
        store: JobStore,
        settings: JobSettings,
    ) -> None:
        self.planner = planner
        self.manager = manager
        self.runs = runs
        self.store = store
        self.settings = settings

    # --- jobs ----------------------------------------------------------------------------------

    async def create(self, body: Any) -> dict[str, Any]:
        """Check the request, snapshot the project (in a thread), and start or schedule the job.
        Bad input makes nothing: no record, no folder."""
        job = await asyncio.to_thread(self._make, body)
        await self.manager.add(job)
        return await self.describe(job)

    def _make(self, body: Any) -> JobRecord:
        request = check_body(body, JOB_FIELDS)
        name = _name(request.get("name"))
        path = request.get("pipeline_path")
        if not path:
            raise RequestError.field(
                "/pipeline_path", "field 'pipeline_path' is required", code="missing-field"
            )
        try:
            planned = self.planner.plan(RunRequest.for_file(path))
        except NotFound as err:  # the pipeline is bad input here, not a missing URL
            raise RequestError.field("/pipeline_path", err.message, code="not-found") from err
        document = planned.document
        try:
            grid = parse_grid(document, request.get("parameters"))
            combinations = parse_combinations(
                grid, request.get("combinations"), self.settings.max_runs
            )
            for index, combination in enumerate(combinations):
                _check_combination(document, combination, index)
            schedule = parse_schedule(request.get("schedule"), utc_now())
        except IssueError as err:
            raise RequestError.from_issue(err) from err
        location = self.planner.location_of(planned.loaded)
        job_id = str(uuid_lib.uuid4())
        job = JobRecord(
            id=job_id,
            name=name,
            pipeline_path=planned.loaded.path or path,
            project=location.shown(location.project) if location.project != location.root else "",
            pipeline_uuid=document.uuid or "",
            pipeline_name=document.name or Path(path).stem,
            folder=str(self.settings.jobs_dir / job_id),
            schedule=schedule.to_json(),
            parameters=grid,
            combinations=combinations,
            env_variables=_env_variables(request.get("env_variables")),
            max_retained_runs=_retention(request.get("max_retained_runs")),
            webhook=_webhook(request.get("webhook")),
        )
        try:
            plan = take_snapshot(
                location.project,
                snapshot_dir(job),
                self.settings.max_snapshot_size,
                leave_out=[self.settings.data_dir, self.settings.jobs_dir],
            )
        except IssueError as err:
            raise RequestError.from_issue(err) from err
        job.disk_bytes = plan.size
        return job

    async def list_jobs(self) -> dict[str, Any]:
        return {"jobs": [self._json(job) for job in self._newest_first()]}

    async def get(self, job_id: str) -> dict[str, Any]:
        return await self.describe(self._job(job_id))

    async def describe(self, job: JobRecord) -> dict[str, Any]:
        return {**self._json(job), "deliveries": await self.store.deliveries(job.id)}

    async def update(self, job_id: str, body: Any) -> dict[str, Any]:
        job = self._job(job_id)
        request = check_body(body, {k: JOB_FIELDS[k] for k in CHANGEABLE})
        changes: dict[str, Any] = {}
        if "name" in request:
            changes["name"] = _name(request["name"])
        if "schedule" in request:
            try:
                changes["schedule"] = parse_schedule(request["schedule"], utc_now()).to_json()
            except IssueError as err:
                raise RequestError.from_issue(err) from err
            if (changes["schedule"] is None) != (job.schedule is None):
                raise RequestError.field(
                    "/schedule",
                    "a job that runs once cannot get a schedule, nor a scheduled one lose it; "
                    "make a new job",
                )
        if "env_variables" in request:
            changes["env_variables"] = _env_variables(request["env_variables"])
        if "max_retained_runs" in request:
            changes["max_retained_runs"] = _retention(request["max_retained_runs"])
        if "webhook" in request:
            changes["webhook"] = _webhook(request["webhook"])
        for key, value in changes.items():
            setattr(job, key, value)
        self.manager.update(job)
        return await self.describe(job)

    async def delete(self, job_id: str) -> None:
        await self.manager.delete(self._job(job_id))

    async def pause(self, job_id: str) -> dict[str, Any]:
        job = self._job(job_id)
        if not (job.status in (JobStatus.STARTED, JobStatus.PENDING) and job.next_run_at):
            raise Conflict(f"job '{job.name}' has no schedule to pause ({job.status.value})")
        self.manager.pause(job)
        return await self.describe(job)

    async def resume(self, job_id: str) -> dict[str, Any]:
        job = self._job(job_id)
        if job.status is not JobStatus.PAUSED:
            raise Conflict(f"job '{job.name}' is not paused ({job.status.value})")
        self.manager.resume(job)
        return await self.describe(job)

    async def trigger(self, job_id: str) -> dict[str, Any]:
        job = self._job(job_id)
        if job.status is JobStatus.ABORTED:
            raise Conflict(f"job '{job.name}' was cancelled; make a new job to run it again")
        try:
            await self.manager.trigger(job)
        except JobBusy:
            raise Conflict(
                f"job '{job.name}' is running; wait for its runs to end, or cancel them"
            ) from None
        return await self.describe(job)

    async def cancel(self, job_id: str) -> dict[str, Any]:
        job = self._job(job_id)
        await self.manager.cancel(job)
        return await self.describe(job)

    # --- runs ----------------------------------------------------------------------------------

    async def job_runs(self, job_id: str, offset: int, limit: int) -> dict[str, Any]:
        job = self._job(job_id)
        runs = await self.runs.store_summaries(job_id=job.id, limit=limit, offset=offset)
        counts = self.manager.runs_of(job.id)
        return {"runs": runs, "total": counts.get("total", 0), "offset": offset}

    async def job_run(self, job_id: str, run_id: str) -> RunRecord:
        job = self._job(job_id)
        run = await self.runs.get(run_id)
        if run.job_id != job.id:
            raise NotFound(f"job '{job.name}' has no run '{run_id}'")
        return run

    async def delete_run(self, job_id: str, run_id: str) -> RunRecord | None:
        """Cancel a running run (answered with it), or delete an ended one (None)."""
        run = await self.job_run(job_id, run_id)
        if not run.status.ended:
            return await self.runs.cancel(run_id)
        job = self._job(job_id)
        await self.runs.delete_records([run_id])
        await asyncio.to_thread(_remove, run_dir(job, run_id))
        self.manager.run_deleted(job, run_id, run.status)
        return None

    def run_file(self, job_id: str, run: RunRecord, path: str) -> Path:
        """A file of the run's folder (its notebooks with their outputs). Blocking."""
        job = self._job(job_id)
        try:
            file = resolve_within(run_dir(job, run.id), path, what="file path")
        except PathOutsideRoot as err:
            raise RequestError.field("/path", str(err), code="outside-root") from err
        if not file.is_file():
            raise NotFound(f"run {run.id} has no file '{path[:200]}'")
        return file

    def schedule_preview(self, body: Any) -> dict[str, Any]:
        """The next five times of a schedule (to show before a job is made)."""
        if not isinstance(body, dict):
            raise RequestError.field("", "the request body must be a schedule object")
        moment = utc_now()
        try:
            schedule = parse_schedule(body, moment, where="")
        except IssueError as err:
            raise RequestError.from_issue(err) from err
        return {"next": [t.isoformat() for t in schedule.upcoming(moment, 5)]}

    # --- helpers -------------------------------------------------------------------------------

    def _job(self, job_id: str) -> JobRecord:
        job = self.manager.jobs.get(job_id)
        if job is None:
            raise NotFound(f"there is no job '{job_id}'")
        return job

    def _newest_first(self) -> list[JobRecord]:
        return sorted(self.manager.jobs.values(), key=lambda j: j.created_at, reverse=True)

    def _json(self, job: JobRecord) -> dict[str, Any]:
        return {
            **job.public_json(),
            "runs": self.manager.runs_of(job.id),
            "last_run": self.manager.last_run(job.id),
        }


def _name(value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise RequestError.field("/name", "field 'name' is required: what the job is called")
    if len(value) > 255:
        raise RequestError.field("/name", "field 'name' must be at most 255 characters long")
    return value.strip()


def _check_combination(document: Any, combination: dict[str, Any], index: int) -> None:
    try:
        parse_parameters(document, combination)
    except IssueError as err:
        raise RequestError.field(f"/combinations/{index}", err.issue.message) from err


def _env_variables(value: Any) -> dict[str, str]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise RequestError.field("/env_variables", "env_variables must be an object of name: text")
    for name, text in value.items():
        at = json_pointer("env_variables", name)
        if not name or "=" in name or "\x00" in name or not isinstance(text, str) or "\x00" in text:
            raise RequestError.field(
                at,
                f"variable '{name[:60]}' must have a name without '=' or NUL and a text value "
                "without NUL",
                code="invalid-env-variable",
            )
    return {str(k): str(v) for k, v in value.items()}


def _retention(value: Any) -> int | None:
    if value is None:
        return None
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise RequestError.field(
            "/max_retained_runs", "max_retained_runs must be a whole number of at least 1, or null"
        )
    return value


def _webhook(value: Any) -> dict[str, str] | None:
    if value is None:
        return None
    if not isinstance(value, dict) or set(value) - {"url", "secret"}:
        raise RequestError.field("/webhook", "webhook must be {url, secret?} or null")
    url = value.get("url")
    parsed = urlparse(url) if isinstance(url, str) else None
    if parsed is None or parsed.scheme not in ("http", "https") or not parsed.netloc:
        raise RequestError.field("/webhook/url", "webhook.url must be an http or https URL")
    secret = value.get("secret")
    if secret is not None and not isinstance(secret, str):
        raise RequestError.field("/webhook/secret", "webhook.secret must be text")
    webhook = {"url": str(url)}
    if secret:
        webhook["secret"] = secret
    return webhook


def _remove(folder: Path) -> None:
    shutil.rmtree(folder, ignore_errors=True)
