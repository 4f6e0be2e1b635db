"""Answering with a log, at once or followed until it is complete."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from tornado.iostream import StreamClosedError

from ..services import RequestError
from ..services.runs import LogChunk
from .base import ApiError, ApiHandler

FOLLOW_INTERVAL = 0.1  # seconds between two looks at a followed log
# Said again at finish(): Jupyter Server's API handlers answer application/json unless told.
TEXT = "text/plain; charset=utf-8"


def log_request(handler: ApiHandler) -> tuple[int, bool]:
    """The `offset` and `follow` query arguments of a log request."""
    follow = handler.get_query_argument("follow", "false").lower() in ("1", "true", "yes")
    try:
        offset = int(handler.get_query_argument("offset", "0"))
        if offset < 0:
            raise ValueError
    except ValueError as err:
        message = "offset must be a byte count (0 or more)"
        raise ApiError(RequestError.field("/offset", message)) from err
    return offset, follow


async def send_log(
    handler: ApiHandler, read: Callable[[int], Awaitable[LogChunk]], offset: int, follow: bool
) -> None:
    """Write the log from `offset`; when following, keep writing until it is complete (the
    X-Log-Offset header, sent when not following, says where to read on from)."""
    handler.set_header("Content-Type", TEXT)
    chunk = await read(offset)
    if not follow:
        handler.set_header("X-Log-Offset", str(chunk.offset))
        handler.finish(chunk.text, set_content_type=TEXT)
        return
    try:
        while True:
            if chunk.text:
                handler.write(chunk.text)
                await handler.flush()
            if not chunk.step_running:
                break
            await asyncio.sleep(FOLLOW_INTERVAL)
            chunk = await read(chunk.offset)
    except StreamClosedError:
        return  # the reader went away
    handler.finish(set_content_type=TEXT)
