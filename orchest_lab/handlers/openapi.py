from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any

from .base import ApiHandler, endpoint


@cache
def openapi_document() -> dict[str, Any]:
    text = resources.files(__package__).joinpath("openapi.json").read_text(encoding="utf-8")
    document: dict[str, Any] = json.loads(text)
    return document


class OpenApiHandler(ApiHandler):
    @endpoint
    async def get(self) -> None:
        self.finish(openapi_document())
