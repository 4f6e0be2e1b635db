from __future__ import annotations

from ..services.runs import LogChunk
from .base import ApiHandler, endpoint, endpoint_running_code
from .logs import log_request, send_log

# A project is its folder relative to the server root ("." for the root itself); it may hold
# slashes, so it is matched up to the environment uuid that ends the path.
PROJECT = r"(?P<project>.+)"
ENV_UUID = r"(?P<env_uuid>[A-Za-z0-9_-]{1,64})"


class EnvironmentsHandler(ApiHandler):
    @endpoint
    async def get(self) -> None:
        project = self.get_query_argument("project", None)
        self.finish(await self.in_thread(self.services.environments.list_environments, project))

    @endpoint
    async def post(self) -> None:
        project = self.get_query_argument("project", None)
        created = await self.in_thread(self.services.environments.create, project, self.json_body())
        self.set_status(201)
        self.finish(created)


class EnvironmentHandler(ApiHandler):
    @endpoint
    async def get(self, project: str, env_uuid: str) -> None:
        self.finish(await self.in_thread(self.services.environments.get, project, env_uuid))

    @endpoint
    async def put(self, project: str, env_uuid: str) -> None:
        body = self.json_body()
        self.finish(
            await self.in_thread(self.services.environments.update, project, env_uuid, body)
        )

    @endpoint
    async def delete(self, project: str, env_uuid: str) -> None:
        await self.checked(self.services.environments.delete(project, env_uuid))
        self.set_status(204)
        self.finish()


class BuildHandler(ApiHandler):
    @endpoint_running_code
    async def post(self, project: str, env_uuid: str) -> None:
        environment = await self.checked(self.services.environments.build(project, env_uuid))
        self.set_status(202)
        self.finish(environment)

    @endpoint
    async def delete(self, project: str, env_uuid: str) -> None:
        cancelled = await self.checked(self.services.environments.cancel_build(project, env_uuid))
        self.finish(cancelled)


class BuildLogHandler(ApiHandler):
    """The latest build's log; `?follow=true` streams it until the build ends."""

    @endpoint
    async def get(self, project: str, env_uuid: str) -> None:
        offset, follow = log_request(self)
        service = self.services.environments

        async def read(at: int) -> LogChunk:
            return await self.in_thread(service.read_log, project, env_uuid, at)

        await send_log(self, read, offset, follow)
