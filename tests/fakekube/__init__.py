"""fakekube: a Kubernetes API server in the test process, for the official client unmodified.

It serves batch/v1 Jobs and v1 pods over HTTP (create, get, list and watch with label selectors
and resourceVersions, delete with propagation, pods/log with follow), and v1 Secrets (create,
get, merge patch, delete; deleted with the Job that owns them), runs each Job's pod as local
processes (kubelet.py, which gives them the Secrets' values their env asks for), and lets tests
break it as clusters break: watches and log streams dropped in the middle, history compacted
(410 Gone), pods evicted, requests forbidden, images that cannot be pulled (named
`missing/...`), pods that do not fit the node."""

from __future__ import annotations

import base64
import json
import secrets
import threading
from pathlib import Path
from typing import Any

from .kubelet import CONTAINER_MARK, Kubelet, Node
from .processes import kill_marked, marked
from .server import FakeServer, cut
from .store import ApiError, Json, Store

__all__ = ["CONTAINER_MARK", "FakeKube", "marked"]

VERBS = {"POST": "create", "DELETE": "delete", "PATCH": "patch"}


class FakeKube:
    def __init__(
        self,
        work: Path,
        *,
        images: dict[str, Path],
        claims: dict[str, Path],
        namespace: str = "orchest",
        **node: Any,
    ) -> None:
        self.namespace = namespace
        self.token = secrets.token_hex(16)
        self.store = Store({namespace, "default"})
        (work / "pods").mkdir(parents=True, exist_ok=True)
        self.kubelet = Kubelet(self.store, Node(images, claims, work=work / "pods", **node))
        self.streams: dict[str, set[Any]] = {"watch": set(), "log": set()}
        self.requests: list[tuple[str, str, dict[str, str]]] = []
        self.created: list[Json] = []  # the Jobs as the clients sent them
        self.forbidden: set[tuple[str, str]] = set()  # (verb, resource) answered 403
        self.server = FakeServer(self)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self._thread.start()

    def kubeconfig(self, path: Path) -> Path:
        config = {
            "apiVersion": "v1",
            "kind": "Config",
            "clusters": [{"name": "fake", "cluster": {"server": self.url}}],
            "users": [{"name": "fake", "user": {"token": self.token}}],
            "contexts": [
                {
                    "name": "fake",
                    "context": {"cluster": "fake", "user": "fake", "namespace": self.namespace},
                }
            ],
            "current-context": "fake",
        }
        path.write_text(json.dumps(config))  # JSON is YAML
        return path

    # --- what the server does ------------------------------------------------------------------

    def create_job(self, namespace: str, body: bytes) -> Json:
        job = _json_body(body)
        if job.get("apiVersion") != "batch/v1" or job.get("kind") != "Job":
            raise ApiError(400, "BadRequest", "the body is not a batch/v1 Job")
        pod = ((job.get("spec") or {}).get("template") or {}).get("spec") or {}
        if pod.get("restartPolicy") not in ("Never", "OnFailure"):
            raise ApiError(
                422,
                "Invalid",
                f'Job.batch "{job.get("metadata", {}).get("name")}" is invalid: '
                "spec.template.spec.restartPolicy: Required value",
            )
        if len(pod.get("containers") or []) != 1:
            raise ApiError(422, "Invalid", "fakekube runs pods of exactly one container")
        self.created.append(job)
        created = self.store.create("jobs", namespace, job)
        threading.Thread(
            target=self.kubelet.job_created, args=(namespace, created), daemon=True
        ).start()
        return created

    def create_secret(self, namespace: str, body: bytes) -> Json:
        secret = _json_body(body)
        if secret.get("apiVersion") != "v1" or secret.get("kind") != "Secret":
            raise ApiError(400, "BadRequest", "the body is not a v1 Secret")
        for key, value in (secret.get("data") or {}).items():
            try:
                base64.b64decode(value, validate=True)
            except ValueError as err:
                raise ApiError(422, "Invalid", f"Secret data[{key}]: illegal base64") from err
        return self.store.create("secrets", namespace, secret)

    def patch_secret(self, namespace: str, name: str, body: bytes) -> Json:
        """The strategic merge patch the client sends for a dict body, applied as a merge
        patch: objects merge, the rest is replaced (the same for a list the object lacks,
        such as the ownerReferences the server adds)."""
        return self.store.update(
            "secrets", namespace, name, lambda obj: _merge(obj, _json_body(body))
        )

    def check_allowed(
        self, method: str, kind: str, name: str | None, sub: str | None, query: dict[str, str]
    ) -> None:
        verb = VERBS.get(method) or ("watch" if query.get("watch") else "get" if name else "list")
        resource = f"{kind}/{sub}" if sub else kind
        for denied_verb, denied_resource in self.forbidden:
            if denied_resource == resource and denied_verb in (verb, "*"):
                group = "batch" if kind == "jobs" else '""'
                raise ApiError(
                    403,
                    "Forbidden",
                    f'{resource} is forbidden: User "system:serviceaccount:{self.namespace}:'
                    f'orchest-lab" cannot {verb} resource "{resource}" in API group {group}',
                )

    # --- breaking it, as clusters break --------------------------------------------------------

    def drop(self, kind: str = "watch") -> int:
        """Cut every open watch (or log stream) in the middle; how many were cut."""
        streams = list(self.streams[kind])
        self.streams[kind].clear()
        for connection in streams:
            cut(connection)
        return len(streams)

    def compact(self) -> None:
        self.store.compact()

    def evict(self, pod: str, message: str = "The node was low on resource: memory.") -> None:
        self.kubelet.evict(self.namespace, pod, message)

    # --- looking at it --------------------------------------------------------------------------

    def jobs(self) -> list[Json]:
        return self.store.list("jobs", self.namespace)[0]

    def pods(self) -> list[Json]:
        return self.store.list("pods", self.namespace)[0]

    def secrets(self) -> list[Json]:
        return self.store.list("secrets", self.namespace)[0]

    def processes(self, pod_prefix: str = "") -> list[int]:
        """Every live process of the containers this fake started (of pods named so)."""
        return [
            pid
            for name, entry in list(self.kubelet.containers.items())
            if name.startswith(pod_prefix)
            for pid in marked(entry.mark)
        ]

    def close(self) -> None:
        self.server.stopping = True
        for kind in self.streams:
            self.drop(kind)
        self.server.shutdown()
        self.server.server_close()
        for entry in self.kubelet.containers.values():
            kill_marked(entry.mark)


def _merge(target: Json, patch: Json) -> None:
    for key, value in patch.items():
        if value is None:
            target.pop(key, None)
        elif isinstance(value, dict) and isinstance(target.get(key), dict):
            _merge(target[key], value)
        else:
            target[key] = value


def _json_body(body: bytes) -> Json:
    try:
        value = json.loads(body or b"{}")
    except ValueError as err:
        raise ApiError(400, "BadRequest", f"the body is not JSON: {err}") from err
    if not isinstance(value, dict):
        raise ApiError(400, "BadRequest", "the body is not an object")
    return value
