"""Projects: the folder a pipeline belongs to, and what it defines.

A project is the folder holding the pipeline file, or, as in Orchest, the nearest folder above it
that holds a `.orchest/` folder, so that pipelines in sub-folders share the project's files and
environments.
"""

from __future__ import annotations

import fnmatch
import os
import uuid as uuid_lib
from collections.abc import Iterator, Sequence
from pathlib import Path

from ..fs import is_within
from .document import PIPELINE_SUFFIX

STATE_DIR = ".orchest"
# File and folder names that searches for pipelines skip.
DEFAULT_EXCLUDE = (".*", "node_modules", "__pycache__", "site-packages")


def project_uuid(project: Path) -> str:
    """A stable uuid for a project on this machine (Orchest kept one in its database)."""
    return str(uuid_lib.uuid5(uuid_lib.NAMESPACE_URL, "file://" + os.path.realpath(project)))


def find_project_root(pipeline_path: Path, boundary: Path) -> Path:
    """The project folder of `pipeline_path`, searched upwards but never above `boundary`."""
    start = pipeline_path.parent
    boundary = boundary.absolute()
    folder = start
    while is_within(folder, boundary):
        # os.path.isdir answers False for what cannot be looked at (a symlink loop, a name too
        # long); Path.is_dir raises for some of it.
        if os.path.isdir(folder / STATE_DIR):
            return folder
        if folder == boundary:
            break
        folder = folder.parent
    return start


def environment_uuids(project_root: Path) -> frozenset[str]:
    """The environments defined in the project (`.orchest/environments/<uuid>/properties.json`)."""
    folder = project_root / STATE_DIR / "environments"
    try:
        entries = list(os.scandir(folder))
    except OSError:  # none, or unreadable (a symlink loop): no environment can be used from it
        return frozenset()
    return frozenset(e.name for e in entries if _defines_environment(e))


def _defines_environment(entry: os.DirEntry[str]) -> bool:
    try:
        return entry.is_dir() and os.path.isfile(os.path.join(entry.path, "properties.json"))
    except OSError:  # a symlink loop: DirEntry.is_dir raises for it
        return False


def pipeline_files(root: Path, exclude: Sequence[str] = DEFAULT_EXCLUDE) -> Iterator[Path]:
    """Every `*.orchest` file under `root`, in path order, skipping excluded names and never
    leaving `root` through a symlink."""
    real_root = root.resolve()

    def excluded(name: str) -> bool:
        return any(fnmatch.fnmatchcase(name, pattern) for pattern in exclude)

    for folder, dirs, files in os.walk(root):  # symlinked folders are not entered
        dirs[:] = sorted(d for d in dirs if not excluded(d))
        for name in sorted(files):
            if name.endswith(PIPELINE_SUFFIX) and not excluded(name):
                path = Path(folder) / name
                # os.path.realpath, not Path.resolve: that raises on a symlink loop (listed,
                # with why it cannot be read).
                if not path.is_symlink() or is_within(Path(os.path.realpath(path)), real_root):
                    yield path
