"""The wheel carries everything a user's `pip install` needs: the prebuilt labextension, the
config that enables the server extension, and the data files the package reads at run time."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

from conftest import REPO


def test_the_wheel_ships_the_extension_and_its_data_files(tmp_path: Path) -> None:
    if not (REPO / "orchest_lab" / "labextension" / "package.json").exists():
        raise AssertionError("build the frontend first (make install)")
    env = {**os.environ, "HATCH_JUPYTER_BUILDER_SKIP_NPM": "1"}
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(tmp_path),
            str(REPO),
        ],
        check=True,
        env=env,
        capture_output=True,
    )
    (wheel,) = tmp_path.glob("orchest_lab-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    data = next(n.split("/")[0] for n in names if ".data/" in n)

    def shipped(name: str) -> bool:
        return name in names

    assert shipped("orchest_lab/pipeline/schemas/pipeline-1.0.0.schema.json")
    assert shipped("orchest_lab/handlers/openapi.json")
    config_name = f"{data}/data/etc/jupyter/jupyter_server_config.d/orchest_lab.json"
    assert shipped(config_name)
    config = json.loads(zipfile.ZipFile(wheel).read(config_name))["ServerApp"]
    assert config["jpserver_extensions"] == {"orchest_lab": True}
    # The server lists the environments of its projects, and Orchest's kernel names for them.
    assert config["kernel_spec_manager_class"].endswith(".ProjectKernelSpecManager")
    labext = f"{data}/data/share/jupyter/labextensions/orchest-lab"
    assert shipped(f"{labext}/package.json")
    assert shipped(f"{labext}/install.json")
    assert any(n.startswith(f"{labext}/static/remoteEntry.") for n in names)
    assert shipped(f"{labext}/schemas/orchest-lab/package.json.orig")
    assert not any("__pycache__" in n or n.endswith(".tsbuildinfo") for n in names)
