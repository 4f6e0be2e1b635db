"""Application services: what the REST handlers and the CLI call. They speak plain Python
(dicts in, dicts out, RequestError on bad input) and know nothing of HTTP."""

from .errors import RequestError
from .pipelines import PipelineService

__all__ = ["PipelineService", "RequestError"]
