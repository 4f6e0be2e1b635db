"""The calls the executor makes, through the official `kubernetes` client, as plain JSON.

The client is synchronous: every method here blocks, and the executor runs each in a thread
(short calls in a small pool of their own, watches and log streams each in a thread of its
own), never on the event loop. Answers are read as JSON (`_preload_content=False`), not as the
client's models, which differ between its versions (36.x classic, 37.x pydantic).
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

QUIET_LOG = 3600.0  # seconds a followed log may stay silent before it is read anew
IN_CLUSTER_NAMESPACE = "/var/run/secrets/kubernetes.io/serviceaccount/namespace"


class KubernetesUnavailable(Exception):
    """The executor cannot talk to the cluster: the message says why and what to set."""


@dataclass(frozen=True)
class Connection:
    """How to reach the API (c.KubernetesExecutor.*)."""

    kubeconfig: str = ""  # "": in the cluster when running in a pod, else $KUBECONFIG or ~/.kube
    context: str = ""
    namespace: str = ""  # "": the service account's, or the kubeconfig context's, or default
    timeout: float = 30.0  # seconds to connect, and between two bytes of an answer
    max_connections: int = 128  # one per log followed at once, plus watches and calls


def in_cluster(connection: Connection) -> bool:
    return not connection.kubeconfig and bool(os.environ.get("KUBERNETES_SERVICE_HOST"))


class KubeApi:
    """Blocking calls to one cluster and namespace."""

    def __init__(self, connection: Connection) -> None:
        try:
            import kubernetes  # noqa: F401  (imported here: an optional dependency)
        except ImportError as err:
            raise KubernetesUnavailable(
                "the Kubernetes executor needs the kubernetes client: "
                "pip install 'orchest-lab[kubernetes]'"
            ) from err
        from kubernetes import client, config

        self.connection = connection
        configuration = client.Configuration()
        try:
            if in_cluster(connection):
                config.load_incluster_config(client_configuration=configuration)
                namespace = connection.namespace or _read(IN_CLUSTER_NAMESPACE) or "default"
            else:
                path = connection.kubeconfig or None
                config.load_kube_config(
                    config_file=path,
                    context=connection.context or None,
                    client_configuration=configuration,
                )
                namespace = connection.namespace or _context_namespace(path, connection.context)
        except Exception as err:  # the loaders raise ConfigException, OSError, yaml errors...
            where = connection.kubeconfig or "$KUBECONFIG or ~/.kube/config"
            raise KubernetesUnavailable(
                f"cannot load the Kubernetes configuration ({where}): {err}"
            ) from err
        # Each followed log holds a connection for as long as its step runs.
        configuration.connection_pool_maxsize = connection.max_connections
        configuration.retries = 1
        self.host = configuration.host
        self.namespace = namespace
        self._client = client.ApiClient(configuration)
        # Any: the client's typing differs between its versions (models vs. dicts, timeouts).
        self.batch: Any = client.BatchV1Api(self._client)
        self.core: Any = client.CoreV1Api(self._client)
        self._timeout = (connection.timeout, connection.timeout)

    def close(self) -> None:
        self._client.close()

    # --- calls (each returns JSON, or raises the client's ApiException) -----------------------

    def create_job(self, body: dict[str, Any]) -> dict[str, Any]:
        return _json(
            self.batch.create_namespaced_job(
                self.namespace, body, _preload_content=False, _request_timeout=self._timeout
            )
        )

    def read_job(self, name: str) -> dict[str, Any]:
        return _json(
            self.batch.read_namespaced_job(
                name, self.namespace, _preload_content=False, _request_timeout=self._timeout
            )
        )

    def delete_job(self, name: str, propagation: str = "Background") -> None:
        """Delete a Job and its pods (without a propagation policy the API would orphan the
        pods); a Job already gone is no error."""
        with _unless_gone():
            self.batch.delete_namespaced_job(
                name,
                self.namespace,
                propagation_policy=propagation,
                _preload_content=False,
                _request_timeout=self._timeout,
            ).release_conn()

    def create_secret(self, body: dict[str, Any]) -> dict[str, Any]:
        return _json(
            self.core.create_namespaced_secret(
                self.namespace, body, _preload_content=False, _request_timeout=self._timeout
            )
        )

    def own_secret(self, name: str, owner: dict[str, Any]) -> None:
        """Make the object `owner` (a Job as the API returned it) the Secret's owner: the
        cluster deletes the Secret with it."""
        meta = owner["metadata"]
        reference = {
            "apiVersion": owner["apiVersion"],
            "kind": owner["kind"],
            "name": meta["name"],
            "uid": meta["uid"],
        }
        self.core.patch_namespaced_secret(
            name,
            self.namespace,
            {"metadata": {"ownerReferences": [reference]}},
            _preload_content=False,
            _request_timeout=self._timeout,
        ).release_conn()

    def delete_secret(self, name: str) -> None:
        """Delete a Secret; one already gone is no error."""
        with _unless_gone():
            self.core.delete_namespaced_secret(
                name, self.namespace, _preload_content=False, _request_timeout=self._timeout
            ).release_conn()

    def read_pod(self, name: str) -> dict[str, Any]:
        return _json(
            self.core.read_namespaced_pod(
                name, self.namespace, _preload_content=False, _request_timeout=self._timeout
            )
        )

    def list(self, kind: str, selector: str) -> tuple[list[dict[str, Any]], str]:
        """The items of a kind ("jobs" or "pods") with these labels, and the list's
        resourceVersion (where a watch of the same starts)."""
        answer = _json(
            self._lister(kind)(
                self.namespace,
                label_selector=selector,
                _preload_content=False,
                _request_timeout=self._timeout,
            )
        )
        return list(answer.get("items") or []), str(answer["metadata"]["resourceVersion"])

    def watch(self, kind: str, selector: str, resource_version: str, timeout: int) -> Any:
        """A watch of a kind from a resourceVersion (an open response: see `lines`). The
        server ends it after `timeout` seconds; a connection silent for longer than that
        (plus the API timeout) is taken as dropped."""
        return self._lister(kind)(
            self.namespace,
            label_selector=selector,
            watch=True,
            resource_version=resource_version,
            allow_watch_bookmarks=True,
            timeout_seconds=timeout,
            _preload_content=False,
            _request_timeout=(self.connection.timeout, timeout + self.connection.timeout),
        )

    def follow_log(self, pod: str, container: str) -> Any:
        """The container's log from its start, followed until it ends (an open response)."""
        return self.core.read_namespaced_pod_log(
            pod,
            self.namespace,
            container=container,
            follow=True,
            _preload_content=False,
            # A step may print nothing for long: a silent hour only makes the follower read
            # the log again (skipping what it has).
            _request_timeout=(self.connection.timeout, QUIET_LOG),
        )

    def _lister(self, kind: str) -> Any:
        return {"jobs": self.batch.list_namespaced_job, "pods": self.core.list_namespaced_pod}[kind]


@contextlib.contextmanager
def _unless_gone() -> Iterator[None]:
    """A call that fails because its object is not there (404) does not fail: deleting what is
    already gone."""
    from kubernetes.client.exceptions import ApiException

    try:
        yield
    except ApiException as err:
        if err.status != 404:
            raise


def line_batches(response: Any) -> Iterator[list[bytes]]:
    """The complete lines of a streamed answer, as they come: those of each chunk together (a
    last line without its newline is not one: a dropped stream may have cut it)."""
    pending: list[bytes] = []  # the line being received, in pieces (it may be megabytes)
    for chunk in response.stream(amt=None, decode_content=False):
        if b"\n" not in chunk:
            pending.append(chunk)
            continue
        first, *complete, rest = chunk.split(b"\n")
        yield [b"".join([*pending, first]), *complete]
        pending = [rest] if rest else []


def cut(response: Any) -> None:
    """Unblock a thread reading `response` (from another thread): shut its socket down."""
    connection = getattr(response, "connection", None)
    sock = getattr(connection, "sock", None)
    if sock is not None:
        with contextlib.suppress(OSError):
            sock.shutdown(socket.SHUT_RDWR)


def describe(err: BaseException, api: KubeApi | None = None) -> str:
    """A sentence for an error of a call: the API's own message when it gave one."""
    from kubernetes.client.exceptions import ApiException

    if isinstance(err, ApiException):
        message = ""
        with contextlib.suppress(ValueError, AttributeError):
            message = json.loads(err.body or b"{}").get("message", "")
        if err.status == 0:
            return f"cannot reach the Kubernetes API: {err.reason}"
        what = {401: "not authenticated", 403: "not allowed"}.get(err.status, err.reason)
        return f"the Kubernetes API answered {err.status} ({what}): {message or err.reason}"
    host = f" at {api.host}" if api is not None else ""
    return f"cannot reach the Kubernetes API{host}: {type(err).__name__}: {err}"


def _json(response: Any) -> dict[str, Any]:
    try:
        return json.loads(response.data)  # type: ignore[no-any-return]
    finally:
        response.release_conn()


def _read(path: str) -> str:
    try:
        with open(path, encoding="utf-8") as f:
            return f.read().strip()
    except OSError:
        return ""


def _context_namespace(path: str | None, context: str) -> str:
    from kubernetes import config

    contexts, active = config.list_kube_config_contexts(config_file=path)
    chosen = next((c for c in contexts if c.get("name") == context), None) if context else active
    return str(((chosen or {}).get("context") or {}).get("namespace") or "default")
