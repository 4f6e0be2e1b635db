"""What every REST handler of the extension shares: authentication, JSON bodies, JSON errors."""

from __future__ import annotations

import asyncio
import functools
import json
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from jupyter_server.auth.decorator import authorized
from jupyter_server.base.handlers import APIHandler
from jupyter_server.extension.handler import ExtensionHandlerMixin
from tornado import web

from ..pipeline import jsontext
from ..services import RequestError, Services

T = TypeVar("T")

API_PREFIX = "orchest-lab/api"


class ApiError(web.HTTPError):
    """A RequestError on its way out as an HTTP response `{message, issues?}`."""

    def __init__(self, error: RequestError) -> None:
        # tornado %-formats log_message with args; there are none, so escape the percent signs.
        super().__init__(error.status, log_message=error.message.replace("%", "%%"))
        self.error = error


class ApiHandler(ExtensionHandlerMixin, APIHandler):
    # Name of the resource for Jupyter Server's authorizer (`@authorized`).
    auth_resource = "orchest-lab"

    @property
    def services(self) -> Services:
        """The services of the server (the extension app holds them)."""
        services = getattr(self.extensionapp, "services", None)
        assert isinstance(services, Services)
        return services

    def json_body(self) -> Any:
        raw = self.request.body
        if not raw:
            return {}
        try:
            return jsontext.loads(raw)
        except RecursionError as err:
            message = "the request body is nested too deeply to be read"
            raise ApiError(RequestError.field("", message, code="invalid-json")) from err
        except ValueError as err:  # bad JSON or UTF-8, NaN, 1e999, a number too long to convert
            message = f"the request body is not valid JSON: {err}"
            raise ApiError(RequestError.field("", message, code="invalid-json")) from err

    async def in_thread(self, fn: Callable[..., T], *args: Any) -> T:
        """Call a blocking service function in a worker thread; bad input becomes a 4xx."""
        return await self.checked(asyncio.to_thread(functools.partial(fn, *args)))

    async def checked(self, awaitable: Awaitable[T]) -> T:
        """Await a service coroutine; bad input becomes a 4xx."""
        try:
            return await awaitable
        except RequestError as err:
            raise ApiError(err) from err

    async def finish_json(self, make: Callable[[], Any]) -> None:
        """Answer with what `make` returns, built and serialised in a worker thread: a record
        of thousands of steps must not hold up the server."""
        text = await asyncio.to_thread(lambda: json.dumps(make()))
        self.set_header("Content-Type", "application/json")
        self.finish(text)

    def write_error(self, status_code: int, **kwargs: Any) -> None:
        error = kwargs.get("exc_info", (None, None, None))[1]
        if isinstance(error, ApiError):
            self.set_header("Content-Type", "application/json")
            body: dict[str, Any] = {"message": error.error.message}
            if error.error.issues:
                body["issues"] = [issue.to_json() for issue in error.error.issues]
            self.finish(json.dumps(body))
            return
        super().write_error(status_code, **kwargs)


def api_route(path: str) -> str:
    return f"{API_PREFIX}/{path}" if path else API_PREFIX


def endpoint(method: Callable[..., Any]) -> Callable[..., Any]:
    """Every route: authenticated (403 without credentials) and authorized."""
    return web.authenticated(authorized(method))


def endpoint_running_code(method: Callable[..., Any]) -> Callable[..., Any]:
    """A route that runs code (a run's steps, an environment's setup script): it also needs the
    permission Jupyter Server asks before code runs in a kernel (`execute` on `kernels`)."""
    runs_code: Callable[..., Any] = authorized(action="execute", resource="kernels")(method)
    return web.authenticated(authorized(runs_code))
