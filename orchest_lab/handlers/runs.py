from __future__ import annotations

from ..services.runs import LogChunk
from .base import ApiHandler, endpoint, endpoint_running_code
from .logs import log_request, send_log

RUN_ID = r"(?P<run_id>[0-9a-f-]{36})"
STEP_UUID = r"(?P<step_uuid>[A-Za-z0-9_-]{1,64})"


class RunsHandler(ApiHandler):
    @endpoint
    async def get(self) -> None:
        pipeline = self.get_query_argument("pipeline", None)
        runs = await self.services.runs.list_runs(pipeline)
        await self.finish_json(lambda: {"runs": runs})

    @endpoint_running_code
    async def post(self) -> None:
        prepared = await self.in_thread(self.services.runs.prepare, self.json_body())
        run = await self.checked(self.services.runs.start(prepared))
        self.set_status(202)
        await self.finish_json(run.to_json)


class RunHandler(ApiHandler):
    @endpoint
    async def get(self, run_id: str) -> None:
        run = await self.checked(self.services.runs.get(run_id))
        await self.finish_json(run.to_json)

    @endpoint
    async def delete(self, run_id: str) -> None:
        run = await self.checked(self.services.runs.cancel(run_id))
        await self.finish_json(run.to_json)


class StepLogHandler(ApiHandler):
    """The step's log as text; `?follow=true` keeps the response open until the step ends,
    `?offset=N` starts at byte N (the `X-Log-Offset` header says where the text ends)."""

    @endpoint
    async def get(self, run_id: str, step_uuid: str) -> None:
        offset, follow = log_request(self)
        service = self.services.runs
        await self.checked(service.get(run_id))  # 404 for an unknown run

        async def read(at: int) -> LogChunk:
            run = await service.get(run_id)
            return await self.in_thread(service.read_log, run, step_uuid, at)

        await send_log(self, read, offset, follow)
