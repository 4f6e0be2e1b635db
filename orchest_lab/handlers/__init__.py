"""REST handlers: thin adapters from HTTP to the services."""

from __future__ import annotations

from typing import Any

from .base import api_route
from .openapi import OpenApiHandler
from .pipelines import PipelinesHandler, PlanHandler, ValidateHandler


def routes() -> list[tuple[str, Any]]:
    """URL patterns relative to the server's base URL (the ExtensionApp prepends it)."""
    return [
        (api_route("openapi.json"), OpenApiHandler),
        (api_route("pipelines"), PipelinesHandler),
        (api_route("pipelines/validate"), ValidateHandler),
        (api_route("pipelines/plan"), PlanHandler),
    ]
