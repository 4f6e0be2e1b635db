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
from .openapi import OpenApiHandler
from .pipelines import PipelineDataHandler, PipelinesHandler, PlanHandler, ValidateHandler
from .runs import RUN_ID, STEP_UUID, RunHandler, RunsHandler, StepLogHandler


def routes() -> list[tuple[str, Any]]:
    """URL patterns relative to the server's base URL (the ExtensionApp prepends it)."""
    return [
        (api_route("openapi.json"), OpenApiHandler),
        (api_route("pipelines"), PipelinesHandler),
        (api_route("pipelines/validate"), ValidateHandler),
        (api_route("pipelines/plan"), PlanHandler),
        (api_route("pipelines/data"), PipelineDataHandler),
        (api_route("runs"), RunsHandler),
        (api_route(f"runs/{RUN_ID}"), RunHandler),
        (api_route(f"runs/{RUN_ID}/steps/{STEP_UUID}/log"), StepLogHandler),
        (api_route("environments"), EnvironmentsHandler),
        # The build routes first: the project part of the others would swallow "/build".
        (api_route(f"environments/{PROJECT}/{ENV_UUID}/build/log"), BuildLogHandler),
        (api_route(f"environments/{PROJECT}/{ENV_UUID}/build"), BuildHandler),
        (api_route(f"environments/{PROJECT}/{ENV_UUID}"), EnvironmentHandler),
    ]
