"""The fake API server's objects: Jobs and pods by namespace and name, one resourceVersion
counter for all of them (as etcd's revision), and the history of changes that watches are
served from. History older than `compact()` is gone: a watch resumed from there gets 410."""

from __future__ import annotations

import bisect
import copy
import datetime
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

Json = dict[str, Any]


class ApiError(Exception):
    """Answered as a Status object with this code, reason and message."""

    def __init__(self, code: int, reason: str, message: str) -> None:
        super().__init__(message)
        self.code, self.reason, self.message = code, reason, message


class Gone(Exception):
    """A watch asked for history that was compacted away."""


@dataclass
class Event:
    version: int
    kind: str  # "jobs" or "pods"
    namespace: str
    type: str  # ADDED, MODIFIED, DELETED
    obj: Json


def now() -> str:
    return datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def matches(labels: dict[str, str], selector: str) -> bool:
    """Equality-based label selectors (a=b, a==b, a!=b, a, !a), comma-separated (ANDed)."""
    for term in filter(None, (t.strip() for t in selector.split(","))):
        if "!=" in term:
            key, value = term.split("!=", 1)
            if labels.get(key.strip()) == value.strip():
                return False
        elif "=" in term:
            key, value = term.replace("==", "=").split("=", 1)
            if labels.get(key.strip()) != value.strip():
                return False
        elif term.startswith("!"):
            if term[1:] in labels:
                return False
        elif term not in labels:
            return False
    return True


def field_matches(obj: Json, selector: str) -> bool:
    for term in filter(None, selector.split(",")):
        key, value = term.split("=", 1)
        if key == "metadata.name" and obj["metadata"]["name"] != value:
            return False
        if key == "metadata.namespace" and obj["metadata"]["namespace"] != value:
            return False
    return True


class Store:
    def __init__(self, namespaces: set[str]) -> None:
        self.namespaces = set(namespaces)
        self.changed = threading.Condition()  # held for every read and write
        self.version = 1000
        self.objects: dict[tuple[str, str, str], Json] = {}
        self.history: list[Event] = []
        self.oldest = self.version  # watches from before this get 410

    def _record(self, kind: str, namespace: str, type_: str, obj: Json) -> None:
        self.history.append(Event(self.version, kind, namespace, type_, copy.deepcopy(obj)))
        self.changed.notify_all()

    def _bump(self, obj: Json) -> None:
        self.version += 1
        obj["metadata"]["resourceVersion"] = str(self.version)

    def check_namespace(self, namespace: str) -> None:
        if namespace not in self.namespaces:
            raise ApiError(404, "NotFound", f'namespaces "{namespace}" not found')

    def create(self, kind: str, namespace: str, obj: Json) -> Json:
        with self.changed:
            self.check_namespace(namespace)
            obj = copy.deepcopy(obj)
            meta = obj.setdefault("metadata", {})
            name = meta.get("name")
            if not name:
                raise ApiError(422, "Invalid", f"{kind[:-1]}: metadata.name: Required value")
            if (kind, namespace, name) in self.objects:
                raise ApiError(
                    409, "AlreadyExists", f'{kind}.{_group(kind)} "{name}" already exists'
                )
            meta.update(namespace=namespace, uid=str(uuid.uuid4()), creationTimestamp=now())
            meta.setdefault("labels", {})
            obj.setdefault("status", {})
            self._bump(obj)
            self.objects[(kind, namespace, name)] = obj
            self._record(kind, namespace, "ADDED", obj)
            return copy.deepcopy(obj)

    def get(self, kind: str, namespace: str, name: str) -> Json:
        with self.changed:
            obj = self.objects.get((kind, namespace, name))
            if obj is None:
                raise ApiError(404, "NotFound", f'{kind}.{_group(kind)} "{name}" not found')
            return copy.deepcopy(obj)

    def update(self, kind: str, namespace: str, name: str, change: Callable[[Json], None]) -> Json:
        """Change an object in place (under the lock) and tell the watches."""
        with self.changed:
            obj = self.objects.get((kind, namespace, name))
            if obj is None:
                raise ApiError(404, "NotFound", f'{kind}.{_group(kind)} "{name}" not found')
            change(obj)
            self._bump(obj)
            self._record(kind, namespace, "MODIFIED", obj)
            return copy.deepcopy(obj)

    def remove(self, kind: str, namespace: str, name: str) -> Json | None:
        """Remove an object, and the Secrets it owns (as the garbage collector would)."""
        with self.changed:
            obj = self.objects.pop((kind, namespace, name), None)
            if obj is None:
                return None
            self._bump(obj)
            self._record(kind, namespace, "DELETED", obj)
            if kind == "jobs":  # only Jobs own Secrets here
                uid = obj["metadata"]["uid"]
                for (k, ns, dependent), other in list(self.objects.items()):
                    owners = other["metadata"].get("ownerReferences") or []
                    if (
                        k == "secrets"
                        and ns == namespace
                        and any(o.get("uid") == uid for o in owners)
                    ):
                        self.remove(k, ns, dependent)
            return copy.deepcopy(obj)

    def list(
        self, kind: str, namespace: str, labels: str = "", fields: str = ""
    ) -> tuple[list[Json], str]:
        with self.changed:
            items = [
                copy.deepcopy(obj)
                for (k, ns, _), obj in self.objects.items()
                if k == kind
                and ns == namespace
                and matches(obj["metadata"].get("labels") or {}, labels)
                and field_matches(obj, fields)
            ]
            return items, str(self.version)

    def events_after(self, version: int, kind: str, namespace: str) -> list[Event]:
        """Changes after `version` (the caller holds the lock); Gone when compacted."""
        if version < self.oldest:
            raise Gone()
        start = bisect.bisect_right(self.history, version, key=lambda e: e.version)
        return [e for e in self.history[start:] if e.kind == kind and e.namespace == namespace]

    def compact(self) -> None:
        """Forget the history, as etcd compacts it: a watch resumed from any version seen so
        far gets 410 (the counter moves on first, as other objects' changes would move it)."""
        with self.changed:
            self.version += 1
            self.history.clear()
            self.oldest = self.version


def _group(kind: str) -> str:
    return "batch" if kind == "jobs" else ""
