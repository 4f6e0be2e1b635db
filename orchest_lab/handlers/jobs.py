from __future__ import annotations

import mimetypes

from ..services import RequestError
from .base import ApiError, ApiHandler, endpoint, endpoint_running_code

JOB_ID = r"(?P<job_id>[0-9a-f-]{36})"
JOB_RUN_ID = r"(?P<run_id>[0-9a-f-]{36})"
ACTION = r"(?P<action>pause|resume|trigger|cancel)"
FILE_PATH = r"(?P<path>.+)"
PAGE_LIMIT = 200


class JobsHandler(ApiHandler):
    @endpoint
    async def get(self) -> None:
        self.finish(await self.checked(self.services.jobs.list_jobs()))

    @endpoint_running_code
    async def post(self) -> None:
        job = await self.checked(self.services.jobs.create(self.json_body()))
        self.set_status(201)
        self.finish(job)


class SchedulePreviewHandler(ApiHandler):
    @endpoint
    async def post(self) -> None:
        body = self.json_body()
        self.finish(await self.in_thread(self.services.jobs.schedule_preview, body))


class JobHandler(ApiHandler):
    @endpoint
    async def get(self, job_id: str) -> None:
        self.finish(await self.checked(self.services.jobs.get(job_id)))

    @endpoint
    async def put(self, job_id: str) -> None:
        body = self.json_body()
        self.finish(await self.checked(self.services.jobs.update(job_id, body)))

    @endpoint
    async def delete(self, job_id: str) -> None:
        await self.checked(self.services.jobs.delete(job_id))
        self.set_status(204)
        self.finish()


class JobActionHandler(ApiHandler):
    """POST jobs/<id>/pause | resume | trigger | cancel."""

    @endpoint_running_code
    async def post(self, job_id: str, action: str) -> None:
        service = self.services.jobs
        act = {
            "pause": service.pause,
            "resume": service.resume,
            "trigger": service.trigger,
            "cancel": service.cancel,
        }[action]
        self.finish(await self.checked(act(job_id)))


class JobRunsHandler(ApiHandler):
    @endpoint
    async def get(self, job_id: str) -> None:
        offset = self._number("offset", 0)
        limit = min(self._number("limit", 50), PAGE_LIMIT)
        self.finish(await self.checked(self.services.jobs.job_runs(job_id, offset, limit)))

    def _number(self, name: str, default: int) -> int:
        text = self.get_query_argument(name, str(default))
        if not text.isdigit() or len(text) > 9:
            message = f"{name} must be a whole number of 0 or more"
            raise ApiError(RequestError.field(f"/{name}", message))
        return int(text)


class JobRunHandler(ApiHandler):
    @endpoint
    async def get(self, job_id: str, run_id: str) -> None:
        run = await self.checked(self.services.jobs.job_run(job_id, run_id))
        await self.finish_json(run.to_json)

    @endpoint
    async def delete(self, job_id: str, run_id: str) -> None:
        cancelled = await self.checked(self.services.jobs.delete_run(job_id, run_id))
        if cancelled is None:
            self.set_status(204)
            self.finish()
        else:
            await self.finish_json(cancelled.to_json)


class JobRunFileHandler(ApiHandler):
    """A file of a job run's folder, as it is: its notebooks hold the run's outputs."""

    @endpoint
    async def get(self, job_id: str, run_id: str, path: str) -> None:
        service = self.services.jobs
        run = await self.checked(service.job_run(job_id, run_id))
        file = await self.in_thread(service.run_file, job_id, run, path)
        content = await self.in_thread(file.read_bytes)
        kind = "application/json" if file.suffix == ".ipynb" else mimetypes.guess_type(file.name)[0]
        self.set_header("Content-Type", kind or "application/octet-stream")
        self.finish(content)
