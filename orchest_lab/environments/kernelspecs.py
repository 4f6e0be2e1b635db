"""Kernelspecs of built environments: real kernel.json folders in the Jupyter data directory, so
that jupyter_client, nbclient and JupyterLab's kernel picker and launcher all see them."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from pathlib import Path
from typing import Any

from jupyter_client.kernelspec import KernelSpecManager
from jupyter_core.paths import jupyter_path
from traitlets import default

from ..fs import atomic_write_text

PREFIX = "orchest-env-"


def kernel_name(project_uuid: str, env_uuid: str) -> str:
    """`orchest-env-<project-uuid>-<env-uuid>`, as Orchest named them. Jupyter lowercases
    kernelspec names, so uuids that differ only in case would share one kernel: a uuid that is
    not all lowercase (Orchest's are) gets a hash of its exact spelling, after a dot, which no
    uuid holds, so that it cannot meet another environment's name either."""
    name = f"{PREFIX}{project_uuid}-{env_uuid}".lower()
    if env_uuid != env_uuid.lower():
        name += "." + hashlib.sha256(env_uuid.encode()).hexdigest()[:8]
    return name


class CommandKernelSpecManager(KernelSpecManager):
    """jupyter_client's, for a command: it finds IPython's own folder of kernelspecs (searched
    last) without importing IPython, which jupyter_client does to ask IPython where it is: a
    tenth of a second of `orchest-lab run`'s start, on the path to its first step. The folder is
    where IPython has it unless the settings are a legacy one (IPYTHON_DIR, ~/.config/ipython)
    or unusable (IPython then takes a new temporary folder, which holds no kernelspecs)."""

    @default("kernel_dirs")
    def _kernel_dirs_default(self) -> list[str]:
        ipython = os.environ.get("IPYTHONDIR") or os.path.join("~", ".ipython")
        return [*jupyter_path("kernels"), os.path.join(os.path.expanduser(ipython), "kernels")]


def kernels_dir() -> Path:
    """Where this user's kernelspecs live (jupyter_data_dir()/kernels)."""
    return Path(KernelSpecManager().user_kernel_dir)


def write_kernelspec(
    name: str,
    *,
    python: Path,
    display_name: str,
    project: Path,
    env: dict[str, str],
    metadata: dict[str, Any],
) -> Path:
    folder = kernels_dir() / name
    folder.mkdir(parents=True, exist_ok=True)
    spec = {
        "argv": [
            str(python),
            "-m",
            "ipykernel_launcher",
            "-f",
            "{connection_file}",
            # Kernels of a project work in the project folder, as Orchest's did.
            f"--IPKernelApp.exec_lines=import os; os.chdir({json.dumps(str(project))})",
        ],
        "display_name": display_name,
        "language": "python",
        "interrupt_mode": "signal",
        "env": env,
        "metadata": {"orchest_lab": metadata, "debugger": True},
    }
    atomic_write_text(folder / "kernel.json", json.dumps(spec, indent=2) + "\n")
    return folder


def remove_kernelspec(name: str) -> None:
    shutil.rmtree(kernels_dir() / name, ignore_errors=True)


SDK_PATH = Path(__file__).resolve().parents[1] / "sdk"  # holds the `orchest` package


def project_kernel_env(project: Path, project_id: str, data_dir: Path) -> dict[str, str]:
    """What kernels of a project's environments get: the SDK on their path (and nothing else of
    the server's), and the project's ORCHEST_* variables."""
    return {
        "PYTHONPATH": str(SDK_PATH),
        "ORCHEST_PROJECT_UUID": project_id,
        "ORCHEST_PROJECT_DIR": str(project),
        "ORCHEST_DATA_DIR": str(data_dir),
    }
