"""Reading a step's Job and pod as the API describes them (plain JSON): has it started, is it
stuck, has it ended, and why did it fail. Pure functions, each one a question."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ...records import StepFailure
from .manifest import CONTAINER

Json = dict[str, Any]

# Waiting reasons that will not go away by themselves (the kubelet would retry the pull, but
# an image that failed to pull once is almost always a wrong name or missing credentials).
IMAGE_ERRORS = {"ErrImagePull", "ImagePullBackOff", "InvalidImageName", "ErrImageNeverPull"}
CONFIG_ERRORS = {"CreateContainerConfigError", "CreateContainerError", "RunContainerError"}


@dataclass(frozen=True)
class JobEnd:
    succeeded: bool
    reason: str
    message: str


def job_end(job: Json | None) -> JobEnd | None:
    """How the Job ended, once it has (a Complete or Failed condition that is True; interim
    conditions such as FailureTarget or SuccessCriteriaMet are not an end yet)."""
    for condition in ((job or {}).get("status") or {}).get("conditions") or []:
        if condition.get("status") != "True":
            continue
        if condition.get("type") in ("Complete", "Failed"):
            return JobEnd(
                condition["type"] == "Complete",
                condition.get("reason") or "",
                condition.get("message") or "",
            )
    return None


def container_status(pod: Json | None) -> Json:
    for status in ((pod or {}).get("status") or {}).get("containerStatuses") or []:
        if status.get("name") == CONTAINER:
            return dict(status)
    return {}


def started(pod: Json | None) -> bool:
    """Whether the step's container has started (its log can be read)."""
    state = container_status(pod).get("state") or {}
    return "running" in state or "terminated" in state


def terminated(pod: Json | None) -> Json | None:
    state = container_status(pod).get("state") or {}
    ended = state.get("terminated")
    return dict(ended) if ended is not None else None


def waiting(pod: Json | None) -> str:
    """Why the pod has not started the step yet, in a few words ("" when nothing to say)."""
    if pod is None:
        return "no pod yet"
    for condition in (pod.get("status") or {}).get("conditions") or []:
        if condition.get("type") == "PodScheduled" and condition.get("status") == "False":
            return f"{condition.get('reason') or 'not scheduled'}: {condition.get('message', '')}"
    state = (container_status(pod).get("state") or {}).get("waiting") or {}
    if state:
        message = state.get("message")
        return f"{state.get('reason', 'waiting')}" + (f": {message}" if message else "")
    return str((pod.get("status") or {}).get("phase") or "Pending")


def start_failure(pod: Json | None, image: str) -> StepFailure | None:
    """A failure that keeps the pod from ever starting the step (no point waiting)."""
    state = (container_status(pod).get("state") or {}).get("waiting") or {}
    reason = state.get("reason", "")
    detail = f": {state['message']}" if state.get("message") else ""
    if reason in IMAGE_ERRORS:
        return StepFailure(reason, f"the image {image} cannot be pulled{detail}")
    if reason in CONFIG_ERRORS:
        return StepFailure(reason, f"the step's container cannot be created{detail}")
    return None


def evicted(pod: Json | None) -> str | None:
    """The message of a pod the node evicted or another controller disrupted, else None."""
    status = (pod or {}).get("status") or {}
    if status.get("reason") == "Evicted":
        return str(status.get("message") or "the node evicted the pod")
    for condition in status.get("conditions") or []:
        if condition.get("type") == "DisruptionTarget" and condition.get("status") == "True":
            return str(condition.get("message") or condition.get("reason") or "disrupted")
    return None


def failure(
    end: JobEnd, pod: Json | None, *, timeout: float, memory_limit: str | None
) -> StepFailure:
    """Why the Job failed, from what the cluster saw (the step's own report, when there is one,
    says more: the executor uses it first unless the cluster stopped the step)."""
    if end.reason == "DeadlineExceeded":
        limit = f" of {timeout:g} s" if timeout else ""
        return StepFailure("DeadlineExceeded", f"the step ran longer than its timeout{limit}")
    stopped = cluster_stopped(pod, memory_limit=memory_limit)
    if stopped is not None:
        return stopped
    state = terminated(pod)
    if state is not None:
        return StepFailure(
            "ExitStatus", f"the step's container exited with status {state.get('exitCode')}"
        )
    return StepFailure("JobFailed", f"the Job failed: {end.reason or 'no reason'} {end.message}")


def cluster_stopped(pod: Json | None, *, memory_limit: str | None) -> StepFailure | None:
    """The cluster, not the step, ended the pod: out of memory or evicted."""
    state = terminated(pod) or {}
    if state.get("reason") == "OOMKilled":
        limit = f" ({memory_limit})" if memory_limit else ""
        return StepFailure(
            "OOMKilled", f"the step used more memory than its limit{limit} and was killed"
        )
    message = evicted(pod)
    if message is not None:
        return StepFailure("Evicted", f"the step's pod was evicted: {message}")
    return None


def newest(pods: list[Json]) -> Json | None:
    """The pod to follow: the newest one (a Job may replace a pod that was disrupted)."""
    if not pods:
        return None
    return max(pods, key=lambda p: (p.get("metadata") or {}).get("creationTimestamp") or "")
