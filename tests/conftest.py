from __future__ import annotations

import shutil
from pathlib import Path

import pytest

pytest_plugins = ("pytest_jupyter.jupyter_server",)

REPO = Path(__file__).resolve().parent.parent
QUICKSTART = REPO / "examples" / "quickstart"
ORCHEST_PROJECT = Path(__file__).resolve().parent / "fixtures" / "orchest-project"


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    """The shared data folder of the test server's steps (ORCHEST_DATA_DIR)."""
    return tmp_path / "data"


@pytest.fixture
def memory_dir(tmp_path: Path) -> Path:
    """The test server's memory stores (ORCHEST_MEMORY_DIR), private to the test."""
    return tmp_path / "memory"


@pytest.fixture
def jp_server_config(data_dir: Path, memory_dir: Path) -> dict[str, object]:
    return {
        "ServerApp": {
            "jpserver_extensions": {"orchest_lab": True, "jupyter_server_terminals": False},
            "allow_unauthenticated_access": False,
            # As the package's server configuration sets it (pytest-jupyter reads none).
            "kernel_spec_manager_class": (
                "orchest_lab.environments.kernelspec_manager.ProjectKernelSpecManager"
            ),
        },
        "OrchestLab": {
            "data_dir": str(data_dir),
            "memory_dir": str(memory_dir),
            # Servers share the test process: frozen objects would never be collected.
            "gc_freeze_at_start": False,
        },
    }


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A private copy of the quickstart example project."""
    target = tmp_path / "quickstart"
    shutil.copytree(QUICKSTART, target)
    return target


@pytest.fixture
def served_project(jp_root_dir: Path) -> Path:
    """The quickstart example inside the test server's root folder."""
    target = jp_root_dir / "quickstart"
    shutil.copytree(QUICKSTART, target)
    return target


def tree_snapshot(root: Path) -> dict[str, bytes]:
    """Every file under `root` with its bytes, to check that a request changed nothing on disk."""
    return {
        str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()
    }
