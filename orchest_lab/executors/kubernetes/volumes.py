"""The PersistentVolumeClaims a step's pod mounts, and where the server's paths are in the pod.

A step reads its files and writes its outputs on the same storage the server uses: the claim
that holds the project (mounted with a subPath, at a path of the pod) and the one that holds
the shared data folder. Each volume says which local folder of the server it is
(`local_path`), so that every path a step is given (its file, its folder, its pipeline copy,
ORCHEST_DATA_DIR) becomes the same file in the pod. When the server itself runs in a pod, the
volumes are its own claims, mounted where it mounts them: paths are then the same on both sides.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

# Names of pod volumes: DNS labels.
_VOLUME_NAME = re.compile(r"^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$")
SETTING_KEYS = {"claim_name", "sub_path", "mount_path", "local_path"}


class VolumeError(ValueError):
    """A volume setting that cannot be used; the message names the setting."""


@dataclass(frozen=True)
class Volume:
    name: str  # the volume's name in the pod spec
    claim: str  # the PersistentVolumeClaim
    sub_path: str  # the folder of the claim that is mounted ("" the whole claim)
    mount_path: PurePosixPath  # where the pod sees it
    local_path: Path  # where the server sees the same folder

    def holds(self, path: Path) -> bool:
        return path == self.local_path or self.local_path in path.parents

    def in_pod(self, path: Path) -> str:
        return str(self.mount_path / path.relative_to(self.local_path))

    def to_json(self) -> dict[str, Any]:
        """The pod spec's volume."""
        return {"name": self.name, "persistentVolumeClaim": {"claimName": self.claim}}

    def mount_json(self) -> dict[str, Any]:
        """The container's volumeMount."""
        mount: dict[str, Any] = {"name": self.name, "mountPath": str(self.mount_path)}
        if self.sub_path:
            mount["subPath"] = self.sub_path
        return mount


def volume_setting(setting_name: str, name: str, setting: Mapping[str, Any]) -> Volume | None:
    """The volume a setting describes (c.KubernetesExecutor.project_volume / data_volume):
    {"claim_name", "mount_path", optional "sub_path", optional "local_path" (the same folder as
    the server sees it; default: mount_path)}. None when the setting is empty."""
    if not setting:
        return None
    unknown = set(setting) - SETTING_KEYS
    if unknown:
        raise VolumeError(
            f"{setting_name} has unknown keys {sorted(unknown)}; use {sorted(SETTING_KEYS)}"
        )
    claim = setting.get("claim_name")
    mount = setting.get("mount_path")
    if not isinstance(claim, str) or not claim:
        raise VolumeError(f"{setting_name} needs claim_name: the PersistentVolumeClaim to mount")
    if not isinstance(mount, str) or not mount.startswith("/"):
        raise VolumeError(f"{setting_name} needs mount_path: an absolute path in the pod")
    sub_path = setting.get("sub_path") or ""
    if not isinstance(sub_path, str) or sub_path.startswith("/") or ".." in sub_path.split("/"):
        raise VolumeError(f"{setting_name}: sub_path must be a relative path inside the claim")
    local = setting.get("local_path") or mount
    if not isinstance(local, str) or not os.path.isabs(local):
        raise VolumeError(f"{setting_name}: local_path must be an absolute path of this machine")
    return Volume(
        name, claim, sub_path.strip("/"), PurePosixPath(mount), Path(os.path.normpath(local))
    )


def volumes_of_pod(pod: Mapping[str, Any], container: str | None = None) -> list[Volume]:
    """The claims the server's own pod mounts (in its container named `container`, else its
    first), each to be mounted at the same path in step pods: paths are then the same there."""
    spec = pod.get("spec") or {}
    claims = {
        v["name"]: v["persistentVolumeClaim"]["claimName"]
        for v in spec.get("volumes") or []
        if (v.get("persistentVolumeClaim") or {}).get("claimName")
    }
    containers = spec.get("containers") or []
    chosen = next((c for c in containers if c.get("name") == container), None)
    chosen = chosen or (containers[0] if containers else {})
    found = []
    for mount in chosen.get("volumeMounts") or []:
        claim = claims.get(mount.get("name"))
        if claim is None or not _VOLUME_NAME.match(mount["name"]):
            continue
        path = os.path.normpath(mount["mountPath"])
        found.append(
            Volume(
                mount["name"], claim, mount.get("subPath") or "", PurePosixPath(path), Path(path)
            )
        )
    return found


class Volumes:
    """The volumes steps may mount; for each path, the one that holds it (the deepest)."""

    def __init__(self, volumes: Iterable[Volume]) -> None:
        self.volumes = sorted(volumes, key=lambda v: len(v.local_path.parts), reverse=True)

    def __bool__(self) -> bool:
        return bool(self.volumes)

    def holding(self, path: Path) -> tuple[Volume, Path] | None:
        """The volume that holds `path` (as given, or with its links resolved) and the path
        as that volume holds it."""
        for candidate in dict.fromkeys((Path(os.path.abspath(path)), Path(os.path.realpath(path)))):
            for volume in self.volumes:
                if volume.holds(candidate):
                    return volume, candidate
        return None

    def in_pod(self, path: Path) -> str | None:
        """Where the pod sees `path`; None when no volume holds it."""
        found = self.holding(path)
        return found[0].in_pod(found[1]) if found else None
