"""REST handlers: thin adapters from HTTP to the services."""

from __future__ import annotations

from typing import Any

from .base import api_route
from .environments import (
    ENV_UUID,
    PROJECT,
    BuildHandler,
    BuildLogHandler,
    EnvironmentHandler,
    EnvironmentsHandler,
)
from .jobs import (
    ACTION,
    FILE_PATH,
    JOB_ID,
    JOB_RUN_ID,
    JobActionHandler,
    JobHandler,
    JobRunFileHandler,
    JobRunHandler,
    JobRunsHandler,
    JobsHandler,
    SchedulePreviewHandler,
)
from .openapi import OpenApiHandler
from .pipelines import (
    ExportElyraHandler,
    ImportElyraHandler,
    PipelineDataHandler,
    PipelinesHandler,
    PlanHandler,
    ValidateHandler,
)
from .runs import RUN_ID, STEP_UUID, RunHandler, RunsHandler, StepLogHandler


def routes() -> list[tuple[str, Any]]:
    """URL patterns relative to the server's base URL (the ExtensionApp prepends it)."""
    return [
        (api_route("openapi.json"), OpenApiHandler),
        (api_route("pipelines"), PipelinesHandler),
        (api_route("pipelines/validate"), ValidateHandler),
        (api_route("pipelines/plan"), PlanHandler),
        (api_route("pipelines/data"), PipelineDataHandler),
        (api_route("pipelines/import-elyra"), ImportElyraHandler),
        (api_route("pipelines/export-elyra"), ExportElyraHandler),
        (api_route("runs"), RunsHandler),
        (api_route(f"runs/{RUN_ID}"), RunHandler),
        (api_route(f"runs/{RUN_ID}/steps/{STEP_UUID}/log"), StepLogHandler),
        (api_route("environments"), EnvironmentsHandler),
        # The build routes first: the project part of the others would swallow "/build".
        (api_route(f"environments/{PROJECT}/{ENV_UUID}/build/log"), BuildLogHandler),
        (api_route(f"environments/{PROJECT}/{ENV_UUID}/build"), BuildHandler),
        (api_route(f"environments/{PROJECT}/{ENV_UUID}"), EnvironmentHandler),
        (api_route("jobs"), JobsHandler),
        (api_route("jobs/schedule-preview"), SchedulePreviewHandler),
        (api_route(f"jobs/{JOB_ID}"), JobHandler),
        (api_route(f"jobs/{JOB_ID}/{ACTION}"), JobActionHandler),
        (api_route(f"jobs/{JOB_ID}/runs"), JobRunsHandler),
        (api_route(f"jobs/{JOB_ID}/runs/{JOB_RUN_ID}"), JobRunHandler),
        (api_route(f"jobs/{JOB_ID}/runs/{JOB_RUN_ID}/files/{FILE_PATH}"), JobRunFileHandler),
    ]
