from __future__ import annotations

import asyncio

from tornado.iostream import StreamClosedError

from ..services import RequestError
from .base import ApiError, ApiHandler, endpoint

FOLLOW_INTERVAL = 0.1  # seconds between two looks at a followed log

RUN_ID = r"(?P<run_id>[0-9a-f-]{36})"
STEP_UUID = r"(?P<step_uuid>[A-Za-z0-9_-]{1,64})"


class RunsHandler(ApiHandler):
    @endpoint
    async def get(self) -> None:
        pipeline = self.get_query_argument("pipeline", None)
        runs = await self.app.runs.list_runs(pipeline)
        self.finish({"runs": runs})

    @endpoint
    async def post(self) -> None:
        prepared = await self.call(self.app.runs.prepare, self.json_body())
        run = self.app.runs.start(prepared)
        self.set_status(202)
        self.finish(run.to_json())


class RunHandler(ApiHandler):
    @endpoint
    async def get(self, run_id: str) -> None:
        run = await self.call_async(self.app.runs.get(run_id))
        self.finish(run.to_json())

    @endpoint
    async def delete(self, run_id: str) -> None:
        run = await self.call_async(self.app.runs.cancel(run_id))
        self.finish(run.to_json())


class StepLogHandler(ApiHandler):
    """The step's log as text; `?follow=true` keeps the response open until the step ends,
    `?offset=N` starts at byte N (the `X-Log-Offset` header says where the text ends)."""

    @endpoint
    async def get(self, run_id: str, step_uuid: str) -> None:
        follow = self.get_query_argument("follow", "false").lower() in ("1", "true", "yes")
        try:
            offset = int(self.get_query_argument("offset", "0"))
            if offset < 0:
                raise ValueError
        except ValueError as err:
            raise ApiError(RequestError("offset must be a byte count (0 or more)")) from err
        service = self.app.runs
        run = await self.call_async(service.get(run_id))
        self.set_header("Content-Type", "text/plain; charset=utf-8")
        chunk = await self.call(service.read_log, run, step_uuid, offset)
        if not follow:
            self.set_header("X-Log-Offset", str(chunk.offset))
            self.finish(chunk.text)
            return
        try:
            while True:
                if chunk.text:
                    self.write(chunk.text)
                    await self.flush()
                if not chunk.step_running:
                    break
                await asyncio.sleep(FOLLOW_INTERVAL)
                run = await service.get(run_id)
                chunk = await self.call(service.read_log, run, step_uuid, chunk.offset)
        except StreamClosedError:
            return  # the reader went away
        self.finish()
