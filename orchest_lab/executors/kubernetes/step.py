"""One step as one Job: create it, wait on what the shared watch says about it, follow its
pod's log while it runs, and end with the step's outcome; delete it when the step is cancelled
(and wait until its pods are gone) or fails before it ended."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import time
from collections.abc import Awaitable, Callable
from concurrent.futures import Executor as ThreadPool
from dataclasses import dataclass
from typing import Any, TypeVar

from ...records import StepFailure
from ..base import StepFailed
from . import status
from .api import KubeApi, describe
from .live import PodReports
from .logs import DROPPED, EOF_, GONE, LogFollower
from .manifest import RUN, STEP
from .watch import ClusterState

log = logging.getLogger(__name__)
T = TypeVar("T")
TICK = 5.0  # seconds between two looks at a step that nothing was heard of


@dataclass(frozen=True)
class Timeouts:
    pod_start: float  # for the pod to start the step's container (scheduling, pulling, mounts)
    watch_failure: float  # for the watch to work again after it failed
    cancel: float  # for the pods of a cancelled step to be gone
    log_end: float  # for the rest of the log once the Job ended


@dataclass
class Cluster:
    """What every step of an executor shares: the API, the watch, the threads for calls."""

    api: KubeApi
    state: ClusterState
    pool: ThreadPool
    timeouts: Timeouts

    async def call(self, function: Callable[..., T], *args: Any) -> T:
        """A blocking call of the client, in the executor's threads (never on the loop)."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self.pool, functools.partial(function, *args))


class StepJob:
    def __init__(
        self,
        cluster: Cluster,
        manifest: dict[str, Any],
        reports: PodReports,
        *,
        image: str,
        timeout: float,
        memory_limit: str | None,
    ) -> None:
        self.cluster = cluster
        self.manifest = manifest
        self.name: str = manifest["metadata"]["name"]
        self.reports = reports
        self.image = image
        self.timeout = timeout
        self.memory_limit = memory_limit
        self.changed = cluster.state.waiter(self.name)
        self._follower: LogFollower | None = None
        self._following: asyncio.Task[None] | None = None
        self._seen = False  # the watch has shown the Job
        self._created = False  # this step created its Job (or found it created)

    async def run(self) -> None:
        try:
            await self._run()
        except asyncio.CancelledError:
            await _to_the_end(self._stop())
            raise
        except BaseException:
            # Failed before the Job ended (a pod that cannot start, a notebook changed on
            # disk): its pod must not go on.
            if self._created and status.job_end(self.cluster.state.jobs.get(self.name)) is None:
                await _to_the_end(self._delete("Background"))
            raise
        finally:
            if self._follower is not None:
                self._follower.stop()
            if self._following is not None:
                self._following.cancel()
            self.cluster.state.forget(self.name)

    async def _run(self) -> None:
        await self._create()
        end = await self._until_ended()
        await self._rest_of_log()
        failure = self._outcome(end)
        if isinstance(failure, StepFailed):
            raise failure
        if failure is not None:
            raise StepFailed(failure)

    # --- the Job --------------------------------------------------------------------------------

    async def _create(self) -> None:
        from kubernetes.client.exceptions import ApiException

        api = self.cluster.api
        try:
            await self.cluster.call(api.create_job, self.manifest)
        except ApiException as err:
            if err.status == 409:  # already submitted (a create that was retried), or not ours
                existing = await self.cluster.call(api.read_job, self.name)
                labels = (existing.get("metadata") or {}).get("labels") or {}
                mine = self.manifest["metadata"]["labels"]
                if all(labels.get(key) == mine[key] for key in (RUN, STEP)):
                    self._created = True
                    return
            raise StepFailed(StepFailure(_failure_name(err), self._cannot_create(err))) from err
        except Exception as err:
            self._created = True  # it may have arrived: deleted to be sure
            failure = StepFailure("KubernetesUnreachable", describe(err, api))
            raise StepFailed(failure) from err
        self._created = True
        self._note(f"Job {self.name} created in namespace {api.namespace} (image {self.image})")

    def _cannot_create(self, err: Exception) -> str:
        what = describe(err, self.cluster.api)
        if getattr(err, "status", None) == 403:
            what += "; the server's service account needs the Role of deploy/ in this namespace"
        return f"the step's Job cannot be created: {what}"

    async def _until_ended(self) -> status.JobEnd:
        state = self.cluster.state
        deadline = time.monotonic() + self.cluster.timeouts.pod_start
        said = ""
        while True:
            self.changed.clear()
            if self.reports.error is not None:
                raise self.reports.error
            job = state.jobs.get(self.name)
            self._seen = self._seen or job is not None
            end = status.job_end(job)
            if end is not None:
                return end
            if job is None and self._seen:
                raise StepFailed(StepFailure("JobDeleted", "the step's Job was deleted"))
            pod = status.newest(state.pods_of(self.name))
            failure = status.start_failure(pod, self.image)
            if failure is not None:
                raise StepFailed(failure)
            if pod is not None and status.started(pod):
                self._follow(pod)
            elif self._following is None:
                now = status.waiting(pod)
                if now != said:
                    self._note(f"waiting: {now}")
                    said = now
                if time.monotonic() > deadline:
                    raise StepFailed(
                        StepFailure(
                            "PodNotStarted",
                            f"the step's pod did not start within "
                            f"{self.cluster.timeouts.pod_start:g} s: {now}",
                        )
                    )
            self._check_watch()
            await _wait(self.changed, TICK)

    def _check_watch(self) -> None:
        problem = self.cluster.state.problem
        if (
            problem is not None
            and time.monotonic() - problem[0] > self.cluster.timeouts.watch_failure
        ):
            raise StepFailed(
                StepFailure(
                    "KubernetesUnreachable",
                    f"lost track of the step's Job for over "
                    f"{self.cluster.timeouts.watch_failure:g} s: {problem[1]}",
                )
            )

    async def _delete(self, propagation: str) -> None:
        try:
            await self.cluster.call(self.cluster.api.delete_job, self.name, propagation)
        except Exception as err:
            log.warning("orchest-lab: could not delete Job %s: %s", self.name, describe(err))

    async def _stop(self) -> None:
        """Delete the Job, its pods first (Foreground), and wait until they are gone."""
        await self._delete("Foreground")
        state = self.cluster.state
        deadline = time.monotonic() + self.cluster.timeouts.cancel
        while self.name in state.jobs or state.pods_of(self.name):
            left = deadline - time.monotonic()
            if left <= 0:
                log.warning("orchest-lab: the pods of Job %s are still there", self.name)
                return
            self.changed.clear()
            await _wait(self.changed, left)

    # --- the log --------------------------------------------------------------------------------

    def _follow(self, pod: dict[str, Any]) -> None:
        if self._following is None:
            self._following = asyncio.ensure_future(self._follow_log(pod["metadata"]["name"]))

    async def _follow_log(self, pod: str) -> None:
        """Follow the log until it is all read: the runner said it ended, or a pass that began
        after the container ended reached the end, or the pod is gone."""
        follower = self._follower = LogFollower(
            self.cluster.api, pod, asyncio.get_running_loop(), self.reports.take
        )
        delay = 0.1
        while True:
            ended_before = status.terminated(self.cluster.state.pods.get(pod)) is not None
            outcome = await follower.follow()
            if self.reports.end is not None or outcome == GONE:
                return
            if outcome == EOF_ and ended_before:
                return
            if outcome == DROPPED:
                log.info("orchest-lab: reading the log of %s again: %s", pod, follower.error)
            await asyncio.sleep(delay)
            delay = min(2.0, delay * 2)

    async def _rest_of_log(self) -> None:
        """Once the Job ended: the log to its end (bounded: the pod may be gone already)."""
        state = self.cluster.state
        deadline = time.monotonic() + self.cluster.timeouts.log_end
        while self._following is None and time.monotonic() < deadline:
            pod = status.newest(state.pods_of(self.name))
            if pod is None or status.started(pod):
                if pod is not None:
                    self._follow(pod)
                break
            self.changed.clear()  # the pod's last states may come after the Job's end
            await _wait(self.changed, deadline - time.monotonic())
        if self._following is not None:
            try:
                await asyncio.wait_for(asyncio.shield(self._following), deadline - time.monotonic())
            except asyncio.TimeoutError:
                self._note("the end of the pod's log could not be read")

    # --- the outcome ----------------------------------------------------------------------------

    def _outcome(self, end: status.JobEnd) -> StepFailure | StepFailed | None:
        if self.reports.error is not None:
            return self.reports.error
        pod = status.newest(self.cluster.state.pods_of(self.name))
        if end.reason == "DeadlineExceeded":  # the runner only saw itself being stopped
            return status.failure(end, pod, timeout=self.timeout, memory_limit=self.memory_limit)
        stopped = status.cluster_stopped(pod, memory_limit=self.memory_limit)
        if stopped is not None:
            return stopped
        if self.reports.end is not None:
            reported = self.reports.failure()
            if reported is not None or end.succeeded:
                return reported
        if end.succeeded:
            return None
        failure = status.failure(end, pod, timeout=self.timeout, memory_limit=self.memory_limit)
        if failure.name == "ExitStatus":
            failure.message += self.reports.last_words()
        return failure

    def _note(self, text: str) -> None:
        """What the cluster does with the step, in its log."""
        self.reports.log.write(f"[kubernetes] {text}\n")


def _failure_name(err: Exception) -> str:
    code = getattr(err, "status", 0)
    names = {401: "Unauthorized", 403: "Forbidden", 404: "NamespaceNotFound", 409: "JobExists"}
    return names.get(code, "JobInvalid" if code in (400, 422) else "KubernetesError")


async def _wait(event: asyncio.Event, timeout: float) -> None:
    with contextlib.suppress(asyncio.TimeoutError):
        await asyncio.wait_for(event.wait(), max(0.0, timeout))


async def _to_the_end(awaitable: Awaitable[T]) -> T:
    """Finish cleaning up even if the step is cancelled again meanwhile."""
    future = asyncio.ensure_future(awaitable)
    while True:
        try:
            return await asyncio.shield(future)
        except asyncio.CancelledError:
            if future.done():
                return future.result()
