"""Application services: what the REST handlers and the CLI call. They speak plain Python
(dicts in, dicts out, RequestError on bad input) and know nothing of HTTP."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from .errors import Conflict, InvalidPipeline, NotFound, RequestError
from .pipelines import PipelineService

if TYPE_CHECKING:
    from .data import DataService
    from .environments import EnvironmentService
    from .interchange import InterchangeService
    from .jobs import JobService
    from .planning import RunPlanner
    from .runs import RunService


@dataclass(frozen=True)
class Services:
    """Every service of a running server, as the handlers find them."""

    pipelines: PipelineService
    planner: RunPlanner
    runs: RunService
    data: DataService
    environments: EnvironmentService
    jobs: JobService
    interchange: InterchangeService


__all__ = [
    "Conflict",
    "InvalidPipeline",
    "NotFound",
    "PipelineService",
    "RequestError",
    "Services",
]
