"""Following a step pod's log: the runner's reports and any other text, as they come.

Each pass reads the log from its start in a thread of its own (read_namespaced_pod_log with
follow) and skips the lines that earlier passes handed over already, so that a pass after a
dropped connection loses and repeats nothing (as long as the kubelet has not rotated the log).
The lines are decoded in the thread; the event loop gets them a chunk at a time.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from typing import Any

from ...runner.protocol import decode
from .api import KubeApi, cut, describe, line_batches
from .manifest import CONTAINER

Item = dict[str, Any] | str  # a report, or a line of plain text (with its newline)

EOF_ = "eof"  # the log ended: the container did, or the connection was closed cleanly
GONE = "gone"  # the pod does not exist (any more)
NOT_STARTED = "not started"  # the container has not started: no log yet
DROPPED = "dropped"  # the connection failed in the middle


class LogFollower:
    def __init__(
        self,
        api: KubeApi,
        pod: str,
        loop: asyncio.AbstractEventLoop,
        on_items: Callable[[list[Item]], None],
    ) -> None:
        self.api = api
        self.pod = pod
        self.loop = loop
        self.on_items = on_items
        self.seen = 0  # complete lines handed over by all passes
        self.error = ""  # what the last failed pass met
        self._stop = threading.Event()
        self._response: Any = None

    async def follow(self) -> str:
        """One pass, until the log ends or the connection does: EOF_, GONE, NOT_STARTED or
        DROPPED."""
        future: asyncio.Future[str] = self.loop.create_future()
        thread = threading.Thread(
            target=self._pass, args=(future,), name=f"orchest-lab-log-{self.pod}", daemon=True
        )
        thread.start()
        try:
            return await asyncio.shield(future)
        except asyncio.CancelledError:
            self.stop()
            raise

    def stop(self) -> None:
        self._stop.set()
        if self._response is not None:
            cut(self._response)

    def _pass(self, future: asyncio.Future[str]) -> None:
        from kubernetes.client.exceptions import ApiException

        outcome = DROPPED
        try:
            self._response = self.api.follow_log(self.pod, CONTAINER)
            if self._stop.is_set():
                cut(self._response)
            skip = self.seen
            for batch in line_batches(self._response):
                if skip >= len(batch):
                    skip -= len(batch)
                    continue
                batch, skip = batch[skip:], 0
                self.seen += len(batch)
                self._post(self.on_items, [_item(line) for line in batch])
            outcome = EOF_
        except ApiException as err:
            self.error = describe(err, self.api)
            outcome = {404: GONE, 400: NOT_STARTED}.get(err.status, DROPPED)
        except Exception as err:  # the connection failed (urllib3's errors, OSError)
            self.error = describe(err, self.api)
        finally:
            response, self._response = self._response, None
            if response is not None:
                response.release_conn()
            self._post(_resolve, future, outcome)

    def _post(self, call: Callable[..., None], *args: Any) -> None:
        try:
            self.loop.call_soon_threadsafe(call, *args)
        except RuntimeError:  # the loop is closed: nobody listens any more
            self._stop.set()


def _item(line: bytes) -> Item:
    text = line.decode("utf-8", errors="replace")
    return decode(text) or text + "\n"


def _resolve(future: asyncio.Future[str], outcome: str) -> None:
    if not future.done():
        future.set_result(outcome)
