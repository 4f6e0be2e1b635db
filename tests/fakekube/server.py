"""The fake API server's HTTP side: the REST and watch protocol of batch/v1 Jobs and v1 pods, and
v1 Secrets (create, get, merge patch, delete), as the official client speaks it (JSON bodies,
Status objects for errors, chunked watch and log streams, resourceVersion and 410 Gone, label
selectors, bearer-token authentication)."""

from __future__ import annotations

import contextlib
import json
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, urlsplit

from .store import ApiError, Gone, Json, field_matches, matches

if TYPE_CHECKING:
    from . import FakeKube

VERSION = {"major": "1", "minor": "31", "gitVersion": "v1.31.0-fakekube", "platform": "linux"}


def truthy(value: str | None) -> bool:
    """As apimachinery reads boolean query values: anything but "0"/"false" (36.x of the client
    sends "True", 37.x "true")."""
    return value is not None and value.lower() not in ("0", "false")


def status_json(code: int, reason: str, message: str) -> Json:
    return {
        "kind": "Status",
        "apiVersion": "v1",
        "metadata": {},
        "status": "Failure",
        "message": message,
        "reason": reason,
        "code": code,
    }


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, and chunked streams
    server: FakeServer

    def setup(self) -> None:
        super().setup()
        # As Go's servers (the real API server): no Nagle. Without it, a body sent after its
        # headers waits for the client's delayed ACK: 40 ms that are the fake's, not the client's.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def log_message(self, format: str, *args: Any) -> None:  # quiet
        pass

    def do_GET(self) -> None:
        self._handle("GET")

    def do_POST(self) -> None:
        self._handle("POST")

    def do_DELETE(self) -> None:
        self._handle("DELETE")

    def do_PATCH(self) -> None:
        self._handle("PATCH")

    # --- dispatch -------------------------------------------------------------------------------

    def _handle(self, method: str) -> None:
        kube = self.server.kube
        url = urlsplit(self.path)
        query = {k: v[-1] for k, v in parse_qs(url.query).items()}
        body = self._body()
        try:
            if self.headers.get("Authorization") != f"Bearer {kube.token}":
                raise ApiError(401, "Unauthorized", "Unauthorized")
            parts = url.path.strip("/").split("/")
            kube.requests.append((method, url.path, query))
            if url.path == "/version":
                return self._json(200, VERSION)
            kind, namespace, name, sub = _route(parts)
            kube.check_allowed(method, kind, name, sub, query)
            if kind == "jobs" and method == "POST" and name is None:
                return self._json(201, kube.create_job(namespace, body))
            if kind == "secrets":
                return self._secret(method, namespace, name, body)
            if method == "GET" and name is None:
                if truthy(query.get("watch")):
                    return self._watch(kind, namespace, query)
                items, version = kube.store.list(
                    kind, namespace, query.get("labelSelector", ""), query.get("fieldSelector", "")
                )
                list_kind = "JobList" if kind == "jobs" else "PodList"
                api = "batch/v1" if kind == "jobs" else "v1"
                return self._json(
                    200,
                    {
                        "kind": list_kind,
                        "apiVersion": api,
                        "metadata": {"resourceVersion": version},
                        "items": items,
                    },
                )
            assert name is not None
            if method == "GET" and sub == "log":
                return self._log(namespace, name, query)
            if method == "GET":
                return self._json(200, kube.store.get(kind, namespace, name))
            if method == "DELETE" and kind == "jobs":
                options = json.loads(body or b"{}")
                policy = query.get("propagationPolicy") or options.get("propagationPolicy")
                return self._json(200, kube.kubelet.delete_job(namespace, name, policy or ""))
            if method == "DELETE" and kind == "pods":
                pod = kube.store.get("pods", namespace, name)
                threading.Thread(
                    target=kube.kubelet.delete_pod, args=(namespace, name), daemon=True
                ).start()
                return self._json(200, pod)
            raise ApiError(405, "MethodNotAllowed", f"{method} {url.path} is not served")
        except ApiError as err:
            self._json(err.code, status_json(err.code, err.reason, err.message))

    def _secret(self, method: str, namespace: str, name: str | None, body: bytes) -> None:
        kube = self.server.kube
        if method == "POST" and name is None:
            return self._json(201, kube.create_secret(namespace, body))
        if name is None:
            raise ApiError(405, "MethodNotAllowed", "fakekube does not list secrets")
        if method == "GET":
            return self._json(200, kube.store.get("secrets", namespace, name))
        if method == "PATCH":
            return self._json(200, kube.patch_secret(namespace, name, body))
        if method == "DELETE":
            gone = kube.store.remove("secrets", namespace, name)
            if gone is None:
                raise ApiError(404, "NotFound", f'secrets "{name}" not found')
            return self._json(200, gone)
        raise ApiError(405, "MethodNotAllowed", f"{method} of a secret is not served")

    def _body(self) -> bytes:
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def _json(self, code: int, payload: Json) -> None:
        data = json.dumps(payload).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    # --- streams --------------------------------------------------------------------------------

    def _start_stream(self, content_type: str, kind: str) -> None:
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        self.server.kube.streams[kind].add(self.connection)

    def _chunk(self, data: bytes) -> None:
        self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
        self.wfile.flush()

    def _end_stream(self, kind: str) -> None:
        self.server.kube.streams[kind].discard(self.connection)
        self.wfile.write(b"0\r\n\r\n")
        self.wfile.flush()

    def _watch(self, kind: str, namespace: str, query: dict[str, str]) -> None:
        store = self.server.kube.store
        labels, fields = query.get("labelSelector", ""), query.get("fieldSelector", "")
        deadline = time.monotonic() + int(query.get("timeoutSeconds") or 1800)
        self._start_stream("application/json", "watch")
        since = query.get("resourceVersion", "")
        try:
            if since in ("", "0"):  # from now, after the objects there are
                items, version = store.list(kind, namespace, labels, fields)
                cursor = int(version)
                self._send_events([("ADDED", item) for item in items])
            else:
                cursor = int(since)
            while time.monotonic() < deadline and not self.server.stopping:
                with store.changed:
                    try:
                        events = store.events_after(cursor, kind, namespace)
                    except Gone:
                        message = f"too old resource version: {cursor} ({store.oldest})"
                        gone = status_json(410, "Expired", message)
                        events = None
                    if events == []:
                        store.changed.wait(min(1.0, max(0.0, deadline - time.monotonic())))
                        continue
                if events is None:
                    self._send_events([("ERROR", gone)])
                    break
                cursor = events[-1].version
                self._send_events(
                    [
                        (e.type, e.obj)
                        for e in events
                        if matches(e.obj["metadata"].get("labels") or {}, labels)
                        and field_matches(e.obj, fields)
                    ]
                )
            self._end_stream("watch")
        except OSError:  # dropped (by the client, or by `FakeKube.drop`)
            self.close_connection = True

    def _send_events(self, events: list[tuple[str, Json]]) -> None:
        for type_, obj in events:
            self._chunk(json.dumps({"type": type_, "object": obj}).encode() + b"\n")

    def _log(self, namespace: str, name: str, query: dict[str, str]) -> None:
        kube = self.server.kube
        pod = kube.store.get("pods", namespace, name)
        container = query.get("container", "step")
        statuses = (pod.get("status") or {}).get("containerStatuses") or []
        state = next((s["state"] for s in statuses if s["name"] == container), {})
        if "running" not in state and "terminated" not in state:
            reason = (state.get("waiting") or {}).get("reason", "ContainerCreating")
            raise ApiError(
                400,
                "BadRequest",
                f'container "{container}" in pod "{name}" is waiting to start: {reason}',
            )
        entry = kube.kubelet.containers.get(name)
        if entry is None:
            raise ApiError(404, "NotFound", f'pods "{name}" not found')
        if not truthy(query.get("follow")):
            data = entry.log.read_bytes()
            self.send_response(200)
            self.send_header("Content-Type", "text/plain")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
            return
        self._start_stream("text/plain", "log")
        try:
            with open(entry.log, "rb") as log:
                while not self.server.stopping:
                    ended = entry.done.is_set()  # before the read: nothing comes after it
                    data = log.read(65536)
                    if data:
                        self._chunk(data)
                    elif ended:
                        break
                    else:
                        time.sleep(0.02)
            self._end_stream("log")
        except OSError:
            self.close_connection = True


def _route(parts: list[str]) -> tuple[str, str, str | None, str | None]:
    """(kind, namespace, name, subresource) of /api/v1/namespaces/NS/pods/NAME/log,
    /api/v1/namespaces/NS/secrets/NAME and /apis/batch/v1/namespaces/NS/jobs/NAME."""
    if parts[:3] == ["apis", "batch", "v1"]:
        rest, kinds = parts[3:], {"jobs"}
    elif parts[:2] == ["api", "v1"]:
        rest, kinds = parts[2:], {"pods", "secrets"}
    else:
        raise ApiError(404, "NotFound", "the server could not find the requested resource")
    if len(rest) < 3 or rest[0] != "namespaces" or rest[2] not in kinds:
        raise ApiError(404, "NotFound", "the server could not find the requested resource")
    name = rest[3] if len(rest) > 3 else None
    sub = rest[4] if len(rest) > 4 else None
    return rest[2], rest[1], name, sub


class FakeServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, kube: FakeKube) -> None:
        super().__init__(("127.0.0.1", 0), Handler)
        self.kube = kube
        self.stopping = False

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that went away (a killed server, a closed pool) is no error of the fake."""
        import sys

        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


def cut(connection: socket.socket) -> None:
    with contextlib.suppress(OSError):
        connection.shutdown(socket.SHUT_RDWR)
