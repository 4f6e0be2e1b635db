"""What the cluster says about this server's steps: one label-selected list-and-watch of Jobs
and one of pods for the namespace, shared by every step, each in a thread of its own.

A watch ends (the server's timeout, a dropped connection) and is resumed from the last
resourceVersion it saw; when the API answers 410 Gone (that version is too old), the objects
are listed again and the watch starts from the list. Every change is handed to the event loop,
where `ClusterState` keeps the latest Job and pods of each step and wakes the step waiting on
them: steps never call the API to learn how they are doing.
"""

from __future__ import annotations

import asyncio
import json
import logging
import threading
import time
from collections.abc import Callable
from typing import Any

from .api import KubeApi, cut, describe, line_batches
from .manifest import JOB

log = logging.getLogger(__name__)
Json = dict[str, Any]
RETRY_DELAYS = (0.2, 0.5, 1.0, 2.0, 5.0)  # between attempts after a failure, growing


def _name(obj: Json) -> str:
    return str((obj.get("metadata") or {}).get("name") or "")


def _job_of(pod: Json) -> str:
    labels = (pod.get("metadata") or {}).get("labels") or {}
    return str(labels.get(JOB) or labels.get("batch.kubernetes.io/job-name") or "")


class ClusterState:
    """The Jobs and pods of this server's steps, as last seen (lives on the event loop)."""

    def __init__(self) -> None:
        self.jobs: dict[str, Json] = {}
        self.pods: dict[str, Json] = {}
        self._pods_of: dict[str, set[str]] = {}
        self._waiters: dict[str, asyncio.Event] = {}
        self.synced: set[str] = set()  # kinds listed at least once
        self.problem: tuple[float, str] | None = None  # (since, what) while a watch fails
        self._problems: dict[str, tuple[float, str]] = {}
        self.ready = asyncio.Event()  # both kinds listed

    def waiter(self, job: str) -> asyncio.Event:
        """Set whenever the Job or one of its pods changes (cleared by the step)."""
        return self._waiters.setdefault(job, asyncio.Event())

    def forget(self, job: str) -> None:
        self._waiters.pop(job, None)

    def pods_of(self, job: str) -> list[Json]:
        return [self.pods[name] for name in self._pods_of.get(job, ()) if name in self.pods]

    # --- changes, from the watch threads ------------------------------------------------------

    def changed(self, kind: str, kind_of_event: str, obj: Json) -> None:
        if kind == "jobs":
            name = _name(obj)
            if kind_of_event == "DELETED":
                self.jobs.pop(name, None)
            else:
                self.jobs[name] = obj
            self._wake(name)
            return
        name, job = _name(obj), _job_of(obj)
        if kind_of_event == "DELETED":
            self.pods.pop(name, None)
            self._pods_of.get(job, set()).discard(name)
        else:
            self.pods[name] = obj
            self._pods_of.setdefault(job, set()).add(name)
        self._wake(job)

    def listed(self, kind: str, items: list[Json]) -> None:
        """A fresh list: what is not in it is gone."""
        if kind == "jobs":
            self.jobs = {_name(item): item for item in items}
        else:
            self.pods = {_name(item): item for item in items}
            self._pods_of = {}
            for item in items:
                self._pods_of.setdefault(_job_of(item), set()).add(_name(item))
        self.synced.add(kind)
        if self.synced >= {"jobs", "pods"}:
            self.ready.set()
        self._wake_all()

    def failing(self, kind: str, what: str | None) -> None:
        """A watch fails (what), or works again (None)."""
        if what is None:
            self._problems.pop(kind, None)
        elif kind not in self._problems:
            self._problems[kind] = (time.monotonic(), what)
        else:
            self._problems[kind] = (self._problems[kind][0], what)
        self.problem = min(self._problems.values()) if self._problems else None
        self._wake_all()

    def _wake(self, job: str) -> None:
        event = self._waiters.get(job)
        if event is not None:
            event.set()

    def _wake_all(self) -> None:
        for event in self._waiters.values():
            event.set()


class Watcher:
    """List, then watch, one kind of object in a thread of its own, until stopped."""

    def __init__(
        self,
        api: KubeApi,
        kind: str,
        selector: str,
        state: ClusterState,
        loop: asyncio.AbstractEventLoop,
        timeout: int,
    ) -> None:
        self.api = api
        self.kind = kind
        self.selector = selector
        self.state = state
        self.loop = loop
        self.timeout = timeout
        self.version: str | None = None  # where the next watch starts; None: list first
        self._stop = threading.Event()
        self._response: Any = None
        self._thread = threading.Thread(
            target=self._run, name=f"orchest-lab-watch-{kind}", daemon=True
        )

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._response is not None:
            cut(self._response)

    def join(self, timeout: float) -> None:
        self._thread.join(timeout)

    def _post(self, call: Callable[..., None], *args: Any) -> None:
        try:
            self.loop.call_soon_threadsafe(call, *args)
        except RuntimeError:  # the loop is closed: the server is gone
            self._stop.set()

    def _run(self) -> None:
        failures = 0
        while not self._stop.is_set():
            try:
                self._once()
                if failures:
                    self._post(self.state.failing, self.kind, None)
                failures = 0
            except Exception as err:
                if self._stop.is_set():
                    break
                if getattr(err, "status", None) == 410:
                    self.version = None  # too old: list again
                    continue
                what = describe(err, self.api)
                # A dropped watch is common (proxies end idle connections): it is resumed,
                # and only said loudly when resuming fails too.
                level = logging.WARNING if failures == 1 else logging.DEBUG
                log.log(level, "orchest-lab: the watch of %s failed: %s", self.kind, what)
                self._post(self.state.failing, self.kind, what)
                self._stop.wait(RETRY_DELAYS[min(failures, len(RETRY_DELAYS) - 1)])
                failures += 1
            finally:
                response, self._response = self._response, None
                if response is not None:
                    response.release_conn()

    def _once(self) -> None:
        """One list (when needed) and one watch, until the server or the network ends it."""
        if self.version is None:
            items, self.version = self.api.list(self.kind, self.selector)
            self._post(self.state.listed, self.kind, items)
        self._response = self.api.watch(self.kind, self.selector, self.version, self.timeout)
        if self._stop.is_set():
            return
        self._post(self.state.failing, self.kind, None)  # connected: working again
        for batch in line_batches(self._response):
            for line in batch:
                if line.strip() and not self._event(json.loads(line)):
                    return

    def _event(self, event: Json) -> bool:
        """Hand one watch event over; False when the watch must be started anew."""
        kind_of_event, obj = event.get("type"), event.get("object") or {}
        if kind_of_event == "ERROR":
            if obj.get("code") == 410:
                self.version = None  # expired: list again
                return False
            raise WatchError(obj.get("message") or str(obj))
        version = (obj.get("metadata") or {}).get("resourceVersion")
        if version:
            self.version = str(version)  # bookmarks too: they only move the version on
        if kind_of_event in ("ADDED", "MODIFIED", "DELETED"):
            self._post(self.state.changed, self.kind, kind_of_event, obj)
        return True


class WatchError(Exception):
    pass
