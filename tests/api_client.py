"""Calling the REST API through pytest-jupyter's `jp_fetch`, with JSON in and out."""

from __future__ import annotations

import json
from typing import Any

from tornado.httpclient import HTTPResponse


async def call(
    jp_fetch: Any, method: str, route: str, body: Any = None, **kwargs: Any
) -> HTTPResponse:
    if body is not None:
        kwargs["body"] = body if isinstance(body, (str, bytes)) else json.dumps(body)
    elif method in ("POST", "PUT"):
        kwargs["body"] = b""
    response: HTTPResponse = await jp_fetch(
        "orchest-lab", "api", *route.split("/"), method=method, raise_error=False, **kwargs
    )
    return response


def payload(response: HTTPResponse) -> Any:
    return json.loads(response.body)
