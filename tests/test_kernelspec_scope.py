"""The kernelspecs the server lists: environments' kernels of projects under its root only
(those of deleted projects removed), and Orchest's name of an environment's kernel, which
unchanged Orchest notebooks ask for, served as that kernel."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from api_client import payload
from jupyter_client.kernelspec import KernelSpecManager


def plant_kernelspec(name: str, project: Path, env_uuid: str) -> Path:
    """An environment's kernelspec as builds write it (here on the server's own Python)."""
    folder = Path(KernelSpecManager().user_kernel_dir) / name
    folder.mkdir(parents=True)
    spec = {
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": f"{env_uuid} ({project.name})",
        "language": "python",
        "metadata": {"orchest_lab": {"project": str(project), "environment": env_uuid}},
    }
    (folder / "kernel.json").write_text(json.dumps(spec))
    return folder


async def test_only_the_environments_of_projects_under_the_root_are_listed(
    jp_fetch: Any, jp_root_dir: Path, tmp_path: Path
) -> None:
    (jp_root_dir / "proj").mkdir()
    (tmp_path / "elsewhere").mkdir()
    mine = plant_kernelspec("orchest-env-aaa-e1", jp_root_dir / "proj", "e1")
    deleted = plant_kernelspec("orchest-env-bbb-e2", tmp_path / "deleted", "e2")
    other = plant_kernelspec("orchest-env-ccc-e3", tmp_path / "elsewhere", "e3")
    listed = payload(await jp_fetch("api", "kernelspecs"))["kernelspecs"]
    assert "orchest-env-aaa-e1" in listed
    assert "orchest-kernel-e1" in listed  # Orchest's name for it
    assert listed["orchest-kernel-e1"]["resources"] == listed["orchest-env-aaa-e1"]["resources"]
    assert not {"orchest-env-bbb-e2", "orchest-env-ccc-e3", "orchest-kernel-e3"} & set(listed)
    assert not deleted.exists(), "a deleted project's kernel is removed"
    assert other.exists() and mine.exists(), "another folder's is only not listed"


async def test_a_notebook_asking_for_orchests_kernel_name_gets_its_environment(
    jp_fetch: Any, jp_root_dir: Path, jp_serverapp: Any
) -> None:
    (jp_root_dir / "proj").mkdir()
    env = plant_kernelspec("orchest-env-aaa-5f1e", jp_root_dir / "proj", "5f1e")
    body = {
        "path": "proj/step.ipynb",
        "type": "notebook",
        "name": "step.ipynb",
        "kernel": {"name": "orchest-kernel-5f1e"},
    }
    session = payload(await jp_fetch("api", "sessions", method="POST", body=json.dumps(body)))
    kernel = jp_serverapp.kernel_manager.get_kernel(session["kernel"]["id"])
    try:
        assert session["kernel"]["name"] == "orchest-kernel-5f1e"
        assert Path(kernel.kernel_spec.resource_dir) == env
        assert kernel.kernel_spec.display_name == "5f1e (proj)"
    finally:
        await jp_fetch("api", "sessions", session["id"], method="DELETE")
