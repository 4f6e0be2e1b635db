"""The fake cluster's controllers: a Job controller that makes one pod per Job (backoffLimit 0
is all it supports) and ends the Job with its pod, and a one-node kubelet that "runs" a pod's
container as local processes.

A container is its command run with the image's PATH (an image name maps to a local bin
folder), its env (Secrets' keys included) and working directory; its stdout and stderr go, merged,
to the pod's log.
Volumes are not bind-mounted: each claim maps to a local folder, and a mount is accepted only
when its mountPath is that folder (plus subPath), so that paths are the same in and out (the
tests configure the executor that way). Every process the container starts carries a marker in
its environment; stopping the container kills them all, as a container runtime would.
"""

from __future__ import annotations

import base64
import contextlib
import os
import random
import shutil
import signal
import string
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .processes import kill_marked, resident
from .quantity import parse_quantity
from .store import ApiError, Json, Store, now

CONTAINER_MARK = "FAKEKUBE_CONTAINER"
PULL_FAILURE_PREFIX = "missing/"  # images named so cannot be pulled


@dataclass
class Node:
    """What the fake node offers: images (name -> local bin folder), claims (name -> local
    folder), and its allocatable CPU and memory."""

    images: dict[str, Path]
    claims: dict[str, Path]
    cpu: float = 4.0
    memory: float = 16 * 2**30
    work: Path = field(default_factory=lambda: Path("/tmp"))


@dataclass
class Container:
    pod: str
    namespace: str
    mark: str
    log: Path
    process: subprocess.Popen[bytes] | None = None
    stopping: bool = False  # the pod is being deleted: its end is not a failure to report
    oom: bool = False
    done: threading.Event = field(default_factory=threading.Event)


class Kubelet:
    def __init__(self, store: Store, node: Node) -> None:
        self.store = store
        self.node = node
        self.containers: dict[str, Container] = {}  # by pod name
        self._lock = threading.Lock()

    # --- the Job controller ---------------------------------------------------------------------

    def job_created(self, namespace: str, job: Json) -> None:
        name = job["metadata"]["name"]
        template = job["spec"]["template"]
        suffix = "".join(random.choices(string.ascii_lowercase + string.digits, k=5))
        job_labels = {
            "batch.kubernetes.io/job-name": name,
            "job-name": name,
            "batch.kubernetes.io/controller-uid": job["metadata"]["uid"],
            "controller-uid": job["metadata"]["uid"],
        }
        pod = {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {
                "name": f"{name}-{suffix}",
                "labels": {**(template.get("metadata") or {}).get("labels", {}), **job_labels},
                "annotations": dict((template.get("metadata") or {}).get("annotations") or {}),
                "ownerReferences": [
                    {
                        "apiVersion": "batch/v1",
                        "kind": "Job",
                        "name": name,
                        "uid": job["metadata"]["uid"],
                        "controller": True,
                        "blockOwnerDeletion": True,
                    }
                ],
            },
            "spec": {**template["spec"], "nodeName": "fake-node"},
            "status": {"phase": "Pending"},
        }

        def started(obj: Json) -> None:
            obj["status"] = {"startTime": now(), "active": 1}

        self.store.update("jobs", namespace, name, started)
        created = self.store.create("pods", namespace, pod)
        deadline = job["spec"].get("activeDeadlineSeconds")
        if deadline:
            timer = threading.Timer(deadline, self._deadline, (namespace, name))
            timer.daemon = True
            timer.start()
        threading.Thread(target=self._start_pod, args=(namespace, created), daemon=True).start()

    def _deadline(self, namespace: str, job: str) -> None:
        """Job was active longer than activeDeadlineSeconds: its pods are killed and deleted."""
        try:
            current = self.store.get("jobs", namespace, job)
        except ApiError:
            return
        if _ended(current):
            return
        self._end_job(
            namespace,
            job,
            False,
            "DeadlineExceeded",
            "Job was active longer than specified deadline",
        )
        for pod in self._pods_of(namespace, job):
            self.delete_pod(namespace, pod["metadata"]["name"])

    def _pods_of(self, namespace: str, job: str) -> list[Json]:
        items, _ = self.store.list("pods", namespace, f"batch.kubernetes.io/job-name={job}")
        return items

    def _end_job(self, namespace: str, job: str, succeeded: bool, reason: str, text: str) -> None:
        def end(obj: Json) -> None:
            if _ended(obj):
                return
            status = obj.setdefault("status", {})
            status.pop("active", None)
            status["succeeded" if succeeded else "failed"] = 1
            interim = "SuccessCriteriaMet" if succeeded else "FailureTarget"
            final = "Complete" if succeeded else "Failed"
            status["conditions"] = [
                _condition(interim, reason, text),
                _condition(final, reason, text),
            ]
            if succeeded:
                status["completionTime"] = now()

        try:
            self.store.update("jobs", namespace, job, end)
        except ApiError:
            return  # deleted meanwhile
        ttl = self.store.get("jobs", namespace, job)["spec"].get("ttlSecondsAfterFinished")
        if ttl is not None:
            timer = threading.Timer(ttl, self.delete_job, (namespace, job, "Background"))
            timer.daemon = True
            timer.start()

    def delete_job(self, namespace: str, job: str, propagation: str) -> Json:
        if propagation not in ("Background", "Foreground"):
            # A real API server orphans the pods (and only warns): a bug worth failing on.
            raise ApiError(
                400,
                "BadRequest",
                "fakekube refuses to orphan a Job's pods: give propagationPolicy "
                "Background or Foreground",
            )
        pods = self._pods_of(namespace, job)
        if propagation == "Background":
            gone = self.store.remove("jobs", namespace, job)
            if gone is None:
                raise ApiError(404, "NotFound", f'jobs.batch "{job}" not found')
            for pod in pods:
                threading.Thread(
                    target=self.delete_pod, args=(namespace, pod["metadata"]["name"]), daemon=True
                ).start()
            return gone

        def deleting(obj: Json) -> None:
            obj["metadata"]["deletionTimestamp"] = now()
            obj["metadata"]["finalizers"] = ["foregroundDeletion"]

        marked = self.store.update("jobs", namespace, job, deleting)

        def foreground() -> None:
            for pod in pods:
                self.delete_pod(namespace, pod["metadata"]["name"])
            self.store.remove("jobs", namespace, job)

        threading.Thread(target=foreground, daemon=True).start()
        return marked

    # --- the kubelet ----------------------------------------------------------------------------

    def _start_pod(self, namespace: str, pod: Json) -> None:
        name = pod["metadata"]["name"]
        spec = pod["spec"]
        (container,) = spec["containers"]
        problem = self._unschedulable(spec)
        if problem:
            self._set_status(
                namespace,
                name,
                lambda s: s.update(
                    phase="Pending",
                    conditions=[
                        _condition("PodScheduled", "Unschedulable", problem, status="False")
                    ],
                ),
            )
            return
        self._set_status(
            namespace, name, lambda s: s.update(conditions=[_condition("PodScheduled", "", "")])
        )
        image = container["image"]
        if image.startswith(PULL_FAILURE_PREFIX) or image not in self.node.images:
            message = f'failed to pull image "{image}": not found'
            for reason in ("ErrImagePull", "ImagePullBackOff"):
                self._set_container(
                    namespace, name, image, {"waiting": {"reason": reason, "message": message}}
                )
                time.sleep(0.05)
            return
        variables = self._variables(namespace, container)
        problem = self._mounts(spec, container) or (
            variables if isinstance(variables, str) else None
        )
        if problem is not None:
            self._set_container(
                namespace,
                name,
                image,
                {"waiting": {"reason": "CreateContainerConfigError", "message": problem}},
            )
            return
        assert isinstance(variables, dict)
        self._run(namespace, pod, container, variables)

    def _unschedulable(self, spec: Json) -> str:
        claims = {
            v["name"]: v["persistentVolumeClaim"]["claimName"]
            for v in spec.get("volumes") or []
            if "persistentVolumeClaim" in v
        }
        for claim in claims.values():
            if claim not in self.node.claims:
                return f'persistentvolumeclaim "{claim}" not found'
        requests = (spec["containers"][0].get("resources") or {}).get("requests") or {}
        for resource, offered in (("cpu", self.node.cpu), ("memory", self.node.memory)):
            if resource in requests and parse_quantity(requests[resource]) > offered:
                return f"0/1 nodes are available: 1 Insufficient {resource}."
        return ""

    def _variables(self, namespace: str, container: Json) -> dict[str, str] | str:
        """The container's env, the values of Secrets' keys included; or why not."""
        variables = {}
        for variable in container.get("env") or []:
            ref = (variable.get("valueFrom") or {}).get("secretKeyRef")
            if ref is None:
                variables[variable["name"]] = variable.get("value", "")
                continue
            try:
                data = self.store.get("secrets", namespace, ref["name"]).get("data") or {}
            except ApiError:
                return f'secret "{ref["name"]}" not found'
            if ref["key"] not in data:
                return f"couldn't find key {ref['key']} in Secret {namespace}/{ref['name']}"
            variables[variable["name"]] = base64.b64decode(data[ref["key"]]).decode()
        return variables

    def _mounts(self, spec: Json, container: Json) -> str | None:
        """None when every mount lands where the claim's folder is, else why not."""
        claims = {
            v["name"]: v["persistentVolumeClaim"]["claimName"]
            for v in spec.get("volumes") or []
            if "persistentVolumeClaim" in v
        }
        for mount in container.get("volumeMounts") or []:
            claim = claims.get(mount["name"])
            if claim is None:
                return f'volume "{mount["name"]}" not found'
            local = self.node.claims[claim] / mount.get("subPath", "")
            if os.path.normpath(local) != os.path.normpath(mount["mountPath"]):
                return (
                    f"fakekube mounts a claim only at its own folder: {mount['mountPath']} "
                    f"is not {local}"
                )
        return None

    def _run(self, namespace: str, pod: Json, spec: Json, variables: dict[str, str]) -> None:
        name, uid = pod["metadata"]["name"], pod["metadata"]["uid"]
        folder = self.node.work / uid
        (folder / "home").mkdir(parents=True)
        # A container's own /tmp: short (Unix sockets live there) and gone with the pod.
        own_tmp = tempfile.mkdtemp(prefix="fakekube-")
        entry = Container(name, namespace, f"{CONTAINER_MARK}={uid}", folder / "log")
        image = spec["image"]
        env = {
            "PATH": f"{self.node.images[image]}:/usr/local/bin:/usr/bin:/bin",
            "HOME": str(folder / "home"),
            "TMPDIR": own_tmp,
            "HOSTNAME": name,
            CONTAINER_MARK: uid,
            **variables,
        }
        command = [*spec.get("command", []), *spec.get("args", [])]
        with self._lock:
            self.containers[name] = entry
        with open(entry.log, "wb") as log:
            try:
                entry.process = subprocess.Popen(
                    command,
                    cwd=spec.get("workingDir") or "/",
                    env=env,
                    stdin=subprocess.DEVNULL,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,
                )
            except OSError as err:
                shutil.rmtree(own_tmp, ignore_errors=True)
                self._set_container(
                    namespace,
                    name,
                    image,
                    {"terminated": {"exitCode": 128, "reason": "StartError", "message": str(err)}},
                )
                self._pod_ended(namespace, pod, False)
                return
        started = now()
        self._set_container(
            namespace, name, image, {"running": {"startedAt": started}}, phase="Running"
        )
        limit = ((spec.get("resources") or {}).get("limits") or {}).get("memory")
        if limit:
            threading.Thread(
                target=self._limit_memory, args=(entry, parse_quantity(limit)), daemon=True
            ).start()
        code = entry.process.wait()
        kill_marked(entry.mark)  # the container ends with its main process
        shutil.rmtree(own_tmp, ignore_errors=True)
        entry.done.set()
        if entry.stopping:
            return  # deleted: delete_pod says how it ended
        code = 128 - code if code < 0 else code
        reason = "OOMKilled" if entry.oom else ("Completed" if code == 0 else "Error")
        self._set_container(
            namespace,
            name,
            image,
            {
                "terminated": {
                    "exitCode": code,
                    "reason": reason,
                    "startedAt": started,
                    "finishedAt": now(),
                }
            },
            phase="Succeeded" if code == 0 else "Failed",
        )
        self._pod_ended(namespace, pod, code == 0)

    def _pod_ended(self, namespace: str, pod: Json, succeeded: bool) -> None:
        job = pod["metadata"]["labels"]["batch.kubernetes.io/job-name"]
        if succeeded:
            self._end_job(
                namespace,
                job,
                True,
                "CompletionsReached",
                "Reached expected number of succeeded pods",
            )
        else:
            self._end_job(
                namespace,
                job,
                False,
                "BackoffLimitExceeded",
                "Job has reached the specified backoff limit",
            )

    def _limit_memory(self, entry: Container, limit: float) -> None:
        """The cgroup's OOM killer: the container's processes together over the limit die."""
        while not entry.done.wait(0.05):
            if resident(entry.mark) > limit:
                entry.oom = True
                kill_marked(entry.mark)
                return

    def delete_pod(self, namespace: str, name: str, grace: float | None = None) -> None:
        """Graceful deletion: SIGTERM, the grace period, then SIGKILL; then the pod is gone."""
        try:
            pod = self.store.get("pods", namespace, name)
        except ApiError:
            return
        if grace is None:
            grace = pod["spec"].get("terminationGracePeriodSeconds", 30)

        def deleting(obj: Json) -> None:
            obj["metadata"]["deletionTimestamp"] = now()
            obj["metadata"]["deletionGracePeriodSeconds"] = grace

        try:
            self.store.update("pods", namespace, name, deleting)
        except ApiError:
            return
        with self._lock:
            entry = self.containers.get(name)
        if entry is not None and entry.process is not None:
            entry.stopping = True
            if entry.process.poll() is None:
                entry.process.send_signal(signal.SIGTERM)
                if not entry.done.wait(grace):
                    kill_marked(entry.mark)
                    entry.done.wait(5)
        self.store.remove("pods", namespace, name)

    def evict(self, namespace: str, name: str, message: str) -> None:
        """The node is short of a resource: the pod fails, with its processes killed."""
        with self._lock:
            entry = self.containers.get(name)
        pod = self.store.get("pods", namespace, name)
        if entry is not None:
            entry.stopping = True
            kill_marked(entry.mark)
            entry.done.wait(5)

        def evicted(obj: Json) -> None:
            obj["status"].update(phase="Failed", reason="Evicted", message=message)
            obj["status"]["conditions"] = [
                *obj["status"].get("conditions", []),
                _condition("DisruptionTarget", "TerminationByKubelet", message),
            ]
            state = {"terminated": {"exitCode": 137, "reason": "Error", "finishedAt": now()}}
            for status in obj["status"].get("containerStatuses", []):
                status["state"] = state

        self.store.update("pods", namespace, name, evicted)
        self._pod_ended(namespace, pod, False)

    # --- statuses -------------------------------------------------------------------------------

    def _set_status(self, namespace: str, pod: str, change: Any) -> None:
        with contextlib.suppress(ApiError):
            self.store.update("pods", namespace, pod, lambda obj: change(obj["status"]))

    def _set_container(
        self, namespace: str, pod: str, image: str, state: Json, phase: str | None = None
    ) -> None:
        def change(status: Json) -> None:
            status["containerStatuses"] = [
                {
                    "name": "step",
                    "image": image,
                    "imageID": "",
                    "ready": "running" in state,
                    "restartCount": 0,
                    "started": "running" in state,
                    "state": state,
                }
            ]
            if phase:
                status["phase"] = phase
            if phase == "Running":  # its containers are processes of this machine
                status["podIP"] = "127.0.0.1"

        self._set_status(namespace, pod, change)


def _condition(type_: str, reason: str, message: str, status: str = "True") -> Json:
    moment = now()
    return {
        "type": type_,
        "status": status,
        "reason": reason,
        "message": message,
        "lastProbeTime": moment,
        "lastTransitionTime": moment,
    }


def _ended(job: Json) -> bool:
    return any(
        c["type"] in ("Complete", "Failed") and c["status"] == "True"
        for c in (job.get("status") or {}).get("conditions") or []
    )
