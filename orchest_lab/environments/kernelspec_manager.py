"""The server's kernelspecs, as JupyterLab lists them: the kernels of environments belong to
projects under the server's root (those of other folders are not listed, those of deleted
projects are removed), and Orchest's name for an environment's kernel, `orchest-kernel-<env
uuid>`, which unchanged Orchest notebooks ask for, is served as that environment's kernel.
With kernels in the cluster (`cluster_kernels`, set by the server), both names of an environment
that has an image start its kernel in the cluster.

The server uses it through `c.ServerApp.kernel_spec_manager_class`, which the package's
server configuration sets."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from typing import Any

from jupyter_client.kernelspec import KernelSpec, KernelSpecManager, NoSuchKernel

from ..fs import is_within
from .kernelspecs import PREFIX

ORCHEST_PREFIX = "orchest-kernel-"  # Orchest's kernel names: orchest-kernel-<environment uuid>


class ProjectKernelSpecManager(KernelSpecManager):
    # {environment uuid (lowercase): the folder of its kernelspec in the cluster}
    cluster_kernels: dict[str, str] = {}

    def find_kernel_specs(self) -> dict[str, str]:
        found: dict[str, str] = super().find_kernel_specs()
        for env_uuid, folder in self.cluster_kernels.items():
            found[ORCHEST_PREFIX + env_uuid] = folder
        root = self._root()
        by_environment: dict[str, list[str]] = {}
        for name, resource_dir in list(found.items()):
            if not name.startswith(PREFIX):
                continue
            owner = _owner(resource_dir)
            if owner is None:
                continue
            project, env_uuid = owner
            if not project.is_dir():  # its project was deleted: so goes its kernel
                shutil.rmtree(resource_dir, ignore_errors=True)
                del found[name]
            elif root is not None and not is_within(project.resolve(), root):
                del found[name]  # another folder's (a scratch project, a test): not this server's
            else:
                by_environment.setdefault(env_uuid.lower(), []).append(resource_dir)
        for env_uuid, folders in by_environment.items():
            # Orchest's name says no project: it is served when one project here has the uuid.
            alias = ORCHEST_PREFIX + env_uuid
            if len(folders) == 1 and alias not in found:
                found[alias] = folders[0]
        return found

    def get_kernel_spec(self, kernel_name: str) -> KernelSpec:
        in_cluster = self._cluster_kernel(kernel_name.lower())
        if in_cluster is not None:
            return self._get_kernel_spec_by_name(kernel_name, in_cluster)
        if kernel_name.lower().startswith((ORCHEST_PREFIX, PREFIX)):
            resource_dir = self.find_kernel_specs().get(kernel_name.lower())
            if resource_dir is None:
                raise NoSuchKernel(kernel_name)
            return self._get_kernel_spec_by_name(kernel_name, resource_dir)
        return super().get_kernel_spec(kernel_name)

    def _cluster_kernel(self, name: str) -> str | None:
        """The cluster kernelspec folder of an environment's kernel name (Orchest's, or
        `orchest-env-<project uuid>-<environment uuid>`), if it has one."""
        if not name.startswith((ORCHEST_PREFIX, PREFIX)):
            return None
        for env_uuid, folder in self.cluster_kernels.items():
            if name.endswith("-" + env_uuid):
                return folder
        return None

    def _root(self) -> Path | None:
        root = getattr(self.parent, "root_dir", None)
        return Path(os.path.realpath(root)) if isinstance(root, str) and root else None


def _owner(resource_dir: str) -> tuple[Path, str] | None:
    """(project, environment uuid) of an environment's kernelspec, from its kernel.json."""
    try:
        with open(os.path.join(resource_dir, "kernel.json"), encoding="utf-8") as f:
            metadata: Any = json.load(f).get("metadata", {}).get("orchest_lab", {})
    except (OSError, ValueError, AttributeError):
        return None
    project, env_uuid = metadata.get("project"), metadata.get("environment")
    if not isinstance(project, str) or not isinstance(env_uuid, str):
        return None
    return Path(project), env_uuid
