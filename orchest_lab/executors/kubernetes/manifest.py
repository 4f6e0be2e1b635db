"""The Job that runs one step: a single pod, never retried, running the step runner.

Everything here is pure: the executor decides the image, the volumes and the settings; this
module turns a StepTask into the Job's JSON (as the API takes it) or says why it cannot.
"""

from __future__ import annotations

import hashlib
import math
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ...environments.kernelspecs import SDK_PATH
from ...records import StepFailure
from ..base import StepFailed, StepTask
from .volumes import Volume, Volumes

MANAGED_BY = "app.kubernetes.io/managed-by"
COMPONENT = "app.kubernetes.io/component"
PREFIX = "orchest-lab/"
INSTANCE, RUN, STEP, JOB = (PREFIX + k for k in ("instance", "run", "step", "job"))
PIPELINE, PROJECT = PREFIX + "pipeline", PREFIX + "project"
ORCHEST_JOB = PREFIX + "orchest-job"  # the job (scheduled or one-off) a run belongs to
CONTAINER = "step"
# Variables that hold a path of the server: the pod gets the same file where it sees it.
PATH_VARIABLES = ("ORCHEST_PROJECT_DIR", "ORCHEST_PIPELINE_PATH", "ORCHEST_DATA_DIR", "PWD")
_LABEL_VALUE = re.compile(r"^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$")


@dataclass(frozen=True)
class JobSettings:
    """What the executor's settings give every step Job (c.KubernetesExecutor.*)."""

    namespace: str
    instance: str
    runner_command: tuple[str, ...] = ("python", "-m", "orchest_lab.runner")
    image_pull_policy: str = "IfNotPresent"
    service_account: str = ""
    mount_service_account_token: bool = False
    ttl_seconds_after_finished: int | None = 3600
    step_timeout: float = 0  # seconds; 0: none
    resources: Mapping[str, Any] = field(default_factory=dict)
    pod_spec: Mapping[str, Any] = field(default_factory=dict)
    container_spec: Mapping[str, Any] = field(default_factory=dict)


def selector(instance: str) -> str:
    """The label selector of every Job and pod of this server's steps."""
    return f"{MANAGED_BY}=orchest-lab,{INSTANCE}={label_value(instance)}"


def label_value(text: str) -> str:
    """`text` as a label value (at most 63 characters of [A-Za-z0-9-_.], alphanumeric at both
    ends); a text that is not one is shortened and made unique with a hash of it."""
    if len(text) <= 63 and _LABEL_VALUE.match(text):
        return text
    digest = hashlib.sha256(text.encode()).hexdigest()[:10]
    kept = re.sub(r"[^A-Za-z0-9-_.]+", "-", text)[:50].strip("-_.")
    return f"{kept}-{digest}" if kept else digest


def job_name(task: StepTask) -> str:
    """Deterministic (a repeated create answers 409: already submitted), unique per run and
    step, readable in `kubectl get jobs`, and short enough for the pods' job-name label."""
    slug = re.sub(r"[^a-z0-9]+", "-", task.title.lower()).strip("-")[:30].strip("-")
    digest = hashlib.sha256(f"{task.run_id}/{task.step_uuid}".encode()).hexdigest()[:12]
    return f"ol-{slug}-{digest}" if slug else f"ol-{digest}"


def step_timeout(task: StepTask, settings: JobSettings) -> float:
    """The step's own timeout, else its pipeline's, else the executor's; 0: none."""
    return task.timeout if task.timeout else settings.step_timeout


def step_resources(task: StepTask, settings: JobSettings) -> dict[str, dict[str, str]]:
    """The executor's requests and limits, overridden key by key by the step's (which has its
    pipeline's defaults already)."""
    merged: dict[str, dict[str, str]] = {}
    for source in (settings.resources, task.resources or {}):
        for kind in ("requests", "limits"):
            for name, quantity in (source.get(kind) or {}).items():
                merged.setdefault(kind, {})[str(name)] = str(quantity)
    return merged


def step_job(task: StepTask, image: str, volumes: Volumes, settings: JobSettings) -> dict[str, Any]:
    """The Job of a step; StepFailed when a path the step needs is on no volume of its pods."""
    mounted: dict[str, Volume] = {}

    def in_pod(path: Path, what: str) -> str:
        found = volumes.holding(path)
        if found is None:
            raise StepFailed(
                StepFailure(
                    "PathNotOnVolume",
                    f"{what} {path} is on no volume that step pods mount: set "
                    "c.KubernetesExecutor.project_volume (and data_volume) to the claims "
                    "that hold it",
                )
            )
        volume, real = found
        mounted[volume.name] = volume
        return volume.in_pod(real)

    name = job_name(task)
    env = {key: value for key, value in task.env.items() if key != "ORCHEST_MEMORY_DIR"}
    for key in PATH_VARIABLES:
        if env.get(key):
            env[key] = in_pod(Path(env[key]), key)
    # The SDK comes from the image's copy of orchest-lab (the runner puts it first); other
    # entries are kept where a volume holds them.
    python_path = [
        p for p in env.pop("PYTHONPATH", "").split(os.pathsep) if p and p != str(SDK_PATH)
    ]
    kept = [p for p in (volumes.in_pod(Path(p)) for p in python_path) if p is not None]
    if kept:
        env["PYTHONPATH"] = ":".join(kept)
    env["ORCHEST_DATA_TRANSPORT"] = "disk"  # each step in a pod of its own: no shared memory
    env["PYTHONUNBUFFERED"] = "1"
    file = in_pod(task.output_file, "the step's file")
    cwd = in_pod(task.cwd, "the step's folder")
    kernel = "python3" if task.environment else task.kernel_name  # the image is the environment

    labels = {
        MANAGED_BY: "orchest-lab",
        COMPONENT: "step",
        INSTANCE: label_value(settings.instance),
        RUN: label_value(task.run_id),
        STEP: label_value(task.step_uuid),
    }
    job_labels = {
        **labels,
        PIPELINE: label_value(task.env.get("ORCHEST_PIPELINE_UUID", "") or "none"),
        PROJECT: label_value(task.env.get("ORCHEST_PROJECT_UUID", "") or "none"),
    }
    if task.env.get("ORCHEST_JOB_UUID"):
        job_labels[ORCHEST_JOB] = label_value(task.env["ORCHEST_JOB_UUID"])
    annotations = {PREFIX + "title": task.title, PREFIX + "file": task.output_path}
    container = _container(settings, image, [*settings.runner_command, "--kernel", kernel, file])
    container.update(
        workingDir=cwd,
        env=[*({"name": k, "value": v} for k, v in env.items()), *container.get("env", [])],
        volumeMounts=[v.mount_json() for v in mounted.values()]
        + list(container.get("volumeMounts", [])),
    )
    resources = step_resources(task, settings)
    if resources:
        container["resources"] = resources
    pod_spec: dict[str, Any] = {
        "automountServiceAccountToken": settings.mount_service_account_token,
        "enableServiceLinks": False,
        "terminationGracePeriodSeconds": 10,
        **settings.pod_spec,
        "restartPolicy": "Never",  # a failed step is a failed Job: never run twice
        "containers": [container],
        "volumes": [v.to_json() for v in mounted.values()]
        + list(settings.pod_spec.get("volumes", [])),
    }
    if settings.service_account:
        pod_spec["serviceAccountName"] = settings.service_account
    spec: dict[str, Any] = {
        "backoffLimit": 0,
        "template": {
            "metadata": {"labels": {**labels, JOB: name}, "annotations": annotations},
            "spec": pod_spec,
        },
    }
    timeout = step_timeout(task, settings)
    if timeout > 0:
        spec["activeDeadlineSeconds"] = max(1, math.ceil(timeout))
    if settings.ttl_seconds_after_finished is not None:
        spec["ttlSecondsAfterFinished"] = settings.ttl_seconds_after_finished
    return {
        "apiVersion": "batch/v1",
        "kind": "Job",
        "metadata": {
            "name": name,
            "namespace": settings.namespace,
            "labels": job_labels,
            "annotations": annotations,
        },
        "spec": spec,
    }


def _container(settings: JobSettings, image: str, command: list[str]) -> dict[str, Any]:
    extra = dict(settings.container_spec)
    return {
        **extra,
        "name": CONTAINER,
        "image": image,
        "imagePullPolicy": extra.get("imagePullPolicy", settings.image_pull_policy),
        "command": command,
    }
