"""Sending fuzzed requests to the test server and judging the answers."""

from __future__ import annotations

import json
import urllib.parse
from typing import Any

from fuzz_inputs import body_bytes, to_text
from tornado.httpclient import HTTPResponse


def fuzz_server_config(config: dict[str, Any]) -> dict[str, Any]:
    # Steps of the runs started here wait until cancelled: the runs' preparation is fuzzed,
    # not the notebooks of the quickstart.
    config["OrchestLab"]["executor_class"] = "blocking_executor.BlockingExecutor"
    # Thousands of refused requests: their log lines cost more than the requests. Errors (and
    # the traceback of a 500) are still logged.
    config["ServerApp"]["log_level"] = "ERROR"
    return config


class Client:
    """Requests with any bytes in the URL (lone surrogates as the UTF-8 they cannot be)."""

    def __init__(self, client: Any, base_url: str, headers: dict[str, str]) -> None:
        self.client, self.base_url, self.headers = client, base_url, headers

    async def send(
        self, method: str, route: str, query: dict[str, str] | None = None, body: Any = None
    ) -> tuple[str, HTTPResponse]:
        path = urllib.parse.quote(route.encode("utf-8", "surrogatepass"), safe="/")
        url = f"{self.base_url}orchest-lab/api/{path}"
        if query:
            encoded = {
                k.encode("utf-8", "surrogatepass"): v.encode("utf-8", "surrogatepass")
                for k, v in query.items()
            }
            url += "?" + urllib.parse.urlencode(encoded)
        data = body_bytes(body) if method in ("POST", "PUT") else None
        response: HTTPResponse = await self.client.fetch(
            url,
            method=method,
            body=data,
            headers=self.headers,
            raise_error=False,
            follow_redirects=False,
        )
        return url, response


def check_answer(method: str, url: str, body: Any, response: HTTPResponse) -> str | None:
    """What is wrong with the answer (None when nothing is): a 5xx, a 4xx without a JSON
    message, JSON a browser cannot read."""
    shown = f"{method} {url[:160]} body={_shown(body)!r}"
    if 300 <= response.code < 400:  # no route of the API redirects
        return f"{response.code} to {response.headers.get('Location', '')[:80]}: {shown}"
    if response.code >= 500 or response.code < 200:
        return f"{response.code} {shown}"
    if response.code >= 400:
        try:
            message = strict_json(response.body)["message"]
        except (ValueError, KeyError, TypeError):
            return f"{response.code} without a JSON message: {shown}"
        if not isinstance(message, str) or not message.strip():
            return f"{response.code} with an empty message: {shown}"
    elif response.headers.get("Content-Type", "").startswith("application/json"):
        try:
            strict_json(response.body)
        except ValueError as err:
            return f"{response.code} answered with what is not JSON ({err}): {shown}"
    return None


def strict_json(body: bytes) -> Any:
    """The body as a browser reads JSON: NaN and Infinity are not JSON."""

    def refuse(name: str) -> None:
        raise ValueError(f"{name} is not JSON")

    return json.loads(body, parse_constant=refuse)


def _shown(body: Any) -> str:
    if body is None:
        return ""
    return repr(body[:160]) if isinstance(body, bytes) else to_text(body)[:160]
