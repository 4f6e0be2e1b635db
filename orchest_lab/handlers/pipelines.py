from __future__ import annotations

from .base import ApiHandler, endpoint


class PipelinesHandler(ApiHandler):
    @endpoint
    async def get(self) -> None:
        file = self.get_query_argument("file", None)
        pipelines = await self.in_thread(self.services.pipelines.list_pipelines, file)
        self.finish({"pipelines": pipelines})


class ValidateHandler(ApiHandler):
    @endpoint
    async def post(self) -> None:
        result = await self.in_thread(self.services.pipelines.validate, self.json_body())
        self.finish(result.to_json())


class PlanHandler(ApiHandler):
    @endpoint
    async def post(self) -> None:
        plan = await self.in_thread(self.services.planner.plan_body, self.json_body())
        self.finish(plan)


class PipelineDataHandler(ApiHandler):
    @endpoint
    async def get(self) -> None:
        path = self.get_query_argument("path", None)
        self.finish(await self.in_thread(self.services.data.outputs, path))


class ImportElyraHandler(ApiHandler):
    @endpoint
    async def post(self) -> None:
        imported = await self.in_thread(self.services.interchange.import_elyra, self.json_body())
        self.set_status(201)
        self.finish(imported)


class ExportElyraHandler(ApiHandler):
    @endpoint
    async def post(self) -> None:
        exported = await self.in_thread(self.services.interchange.export_elyra, self.json_body())
        self.set_status(201)
        self.finish(exported)
