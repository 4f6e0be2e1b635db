"""A server root for the fuzz tests: the quickstart project, and next to it what a cloned
repository or a careless user may leave: symlink loops (at the root, in a project, in its
.orchest/ folder, as a step file), pipelines that are not text, nested 100,000 deep or holding
a 5,000-digit number, a name that is not UTF-8, links out of the root."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from typing import Any

from conftest import QUICKSTART
from fuzz_inputs import nested_text

PIPELINE_UUID = "7e0c4a52-3b9d-4f61-a8e2-9d1c5b6f4a10"
ENV_UUID = "0b4cd2f6-9f4e-4bd0-8a0e-3f4c2d1e5a77"
STEP_UUIDS = [
    "2f6f1d2a-7c1b-4e8a-9c43-5a1b0e6d8f01",
    "8c3e5b7d-1a2f-4c6d-8e9f-0a1b2c3d4e02",
    "4d5e6f70-8192-4a3b-9c4d-5e6f7a8b9c03",
    "a1b2c3d4-e5f6-4789-8abc-def012345604",
    "f0e1d2c3-b4a5-4968-8776-655443322105",
]
STEP_TITLES = ["Load data", "Clean", "Features", "Train", "Report"]
QUICKSTART_DOC: dict[str, Any] = json.loads((QUICKSTART / "quickstart.orchest").read_text())
LONG_NAME = "n" * 247 + ".orchest"  # 255 characters: the longest name a file may have

# Paths (relative to the root) of what build_root makes, for requests to name.
PATHS = [
    "quickstart/quickstart.orchest",
    "quickstart",
    "quickstart/load.ipynb",
    "quickstart/clean.py",
    "quickstart/../quickstart/quickstart.orchest",
    "quickstart/.orchest",
    "quickstart/.orchest/environments",
    "quickstart/loopdir/x.orchest",
    "quickstart/" + "a" * 300 + ".orchest",
    "quickstart/" + "a" * 300 + "/p.orchest",
    "loop",
    "loop/x.orchest",
    "loop.orchest",
    "deep.orchest",
    "huge.orchest",
    "surrogate.orchest",
    "outside-link/x.orchest",
    "outside.orchest",
    "loops1/quickstart.orchest",
    "loops2/quickstart.orchest",
    "loops3/quickstart.orchest",
    "loops3/clean.py",
    "badenv/quickstart.orchest",
    LONG_NAME,
    "missing.orchest",
    ".",
]
PROJECTS = [
    ".",
    "quickstart",
    "loops1",
    "loops2",
    "loops3",
    "badenv",
    "loop",
    "outside-link",
    "deep.orchest",
]
ENV_UUIDS = [ENV_UUID, "deep-env"]


def _loop(path: Path) -> None:
    """Replace `path` by a symlink to itself (ELOOP for whoever follows it)."""
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    elif path.exists() or path.is_symlink():
        path.unlink()
    path.parent.mkdir(parents=True, exist_ok=True)
    os.symlink(path.name, path)


def build_root(root: Path, outside: Path) -> None:
    shutil.copytree(QUICKSTART, root / "quickstart")
    _loop(root / "loop")
    _loop(root / "loop.orchest")
    _loop(root / "quickstart" / "loopdir")
    (root / "deep.orchest").write_text(nested_text(100_000, "object").text)
    text = (QUICKSTART / "quickstart.orchest").read_text()
    (root / "huge.orchest").write_text(text.replace('"rows": 200', '"rows": ' + "9" * 5000))
    (root / "surrogate.orchest").write_text(text.replace("Load data", "Load \\ud800 data"))
    (root / LONG_NAME).write_text(text)
    (root / os.fsdecode(b"not-utf8-\xff.orchest")).write_text(text)
    outside.mkdir(exist_ok=True)
    (outside / "x.orchest").write_text(text)
    (root / "outside-link").symlink_to(outside)
    (root / "outside.orchest").symlink_to(outside / "x.orchest")
    state = Path(".orchest") / "pipelines" / PIPELINE_UUID
    for name, loops in {
        "loops1": [".orchest"],
        "loops2": [
            ".orchest/environments",
            ".orchest/.gitignore",
            f"{state}/data/{STEP_UUIDS[0]}",
            f"{state}/logs",
        ],
        "loops3": [
            ".orchest/pipelines",
            "clean.py",
            f".orchest/environments/{ENV_UUID}/properties.json",
        ],
    }.items():
        shutil.copytree(QUICKSTART, root / name)
        for place in loops:
            _loop(root / name / place)
    # Environment definitions Python cannot read: a 5,000-digit number, 100,000 levels.
    shutil.copytree(QUICKSTART, root / "badenv")
    environments = root / "badenv" / ".orchest" / "environments"
    (environments / ENV_UUID / "properties.json").write_text('{"gpu_support": ' + "9" * 5000 + "}")
    (environments / "deep-env").mkdir()
    (environments / "deep-env" / "properties.json").write_text(nested_text(100_000).text)


def listing(root: Path) -> set[str]:
    """Every path under `root` (links not followed): what a refused request must not change.
    The folders of past runs are listed, not entered: a run leaves a folder of its own, and
    there are hundreds of them."""
    found = set()
    for folder, dirs, files in os.walk(root):
        found.update(f"{folder}/{name}" for name in dirs + files)
        if folder.endswith("/runs"):
            dirs.clear()
    return {path[len(str(root)) + 1 :] for path in found}
