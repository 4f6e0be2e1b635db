"""The OpenAPI document served by the extension matches the routes it registers."""

from __future__ import annotations

import re
from typing import Any

from api_client import call, payload
from openapi_spec_validator import validate

from orchest_lab.handlers import routes

HTTP_METHODS = ("get", "post", "put", "patch", "delete")


def registered_operations() -> set[tuple[str, str]]:
    operations = set()
    for pattern, handler in routes():
        # Turn regex groups like (?P<run_id>[^/]+) into OpenAPI templates like {run_id}.
        path = "/" + re.sub(r"\(\?P<(\w+)>[^)]*\)", r"{\1}", pattern)
        for method in HTTP_METHODS:
            if method in vars(handler):
                operations.add((path, method))
    return operations


async def test_the_openapi_document_lists_exactly_the_registered_routes(jp_fetch: Any) -> None:
    response = await call(jp_fetch, "GET", "openapi.json")
    assert response.code == 200
    document = payload(response)
    validate(document)  # a well-formed OpenAPI 3 document
    documented = {
        (path, method)
        for path, item in document["paths"].items()
        for method in item
        if method in HTTP_METHODS
    }
    assert documented == registered_operations()
