"""A job's snapshot: a copy of the project taken when the job is made, which later edits, moves
or deletes of the project never reach.

What is copied: the project's files as git would keep them (every `.gitignore` honoured, through
pathspec), without what runs make (`.orchest/pipelines/<uuid>/{data,logs,runs}`), virtual
environments, notebook checkpoints, caches, `.git` and the folders given to leave out (the data
folder, the jobs folder). Files are cloned copy-on-write where the file system can, else copied;
never hard-linked (a write to the project's file would change the snapshot's). Symlinks are
copied as links.
"""

from __future__ import annotations

import errno
import fcntl
import os
import shutil
import stat
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pathspec

from ..pipeline import IssueError
from ..pipeline.project import STATE_DIR

NEVER = frozenset({".git", ".ipynb_checkpoints", "__pycache__", ".venv", "node_modules"})
RUN_OUTPUTS = frozenset({"data", "logs", "runs"})  # under .orchest/pipelines/<uuid>/
FICLONE = 0x40049409  # Linux: clone a file's blocks (copy-on-write)

Rules = list[tuple[str, "pathspec.GitIgnoreSpec"]]  # .gitignore specs with their folders


class SnapshotError(IssueError):
    code = "snapshot"


@dataclass
class SnapshotPlan:
    """The files and folders a snapshot takes (relative paths), and their size."""

    folders: list[str] = field(default_factory=list)
    files: list[str] = field(default_factory=list)
    links: list[str] = field(default_factory=list)
    size: int = 0


def plan_snapshot(project: Path, leave_out: Sequence[Path] = ()) -> SnapshotPlan:
    """What a snapshot of `project` copies, parents before their contents. Blocking."""
    plan = SnapshotPlan()
    skipped = {os.path.realpath(p) for p in leave_out}
    prefix = len(str(project)) + 1  # relative paths are cut from entries' paths
    stack: list[tuple[str, Rules]] = [(str(project), [])]
    while stack:
        folder, rules = stack.pop()
        own = _gitignore(folder)
        if own is not None:
            rules = [*rules, (folder, own)]
        try:
            entries = sorted(os.scandir(folder), key=lambda e: e.name)
        except OSError:
            continue
        for entry in entries:
            if entry.name in NEVER:
                continue
            link = entry.is_symlink()
            is_dir = not link and entry.is_dir(follow_symlinks=False)
            relative = entry.path[prefix:]
            if _ignored(rules, entry.path, is_dir):
                continue
            if link:
                plan.links.append(relative)
            elif is_dir:
                if _left_out(relative, entry.path, skipped):
                    continue
                plan.folders.append(relative)
                stack.append((entry.path, rules))
            elif entry.is_file(follow_symlinks=False):
                plan.files.append(relative)
                plan.size += entry.stat(follow_symlinks=False).st_size
    return plan


def take_snapshot(
    project: Path, target: Path, max_size: int, leave_out: Sequence[Path] = ()
) -> SnapshotPlan:
    """Copy `project` to `target` (a folder that must not exist). Refused with SnapshotError
    when the copy would be over `max_size` bytes (0: no limit); nothing is left behind then."""
    plan = plan_snapshot(project, leave_out)
    if max_size and plan.size > max_size:
        raise SnapshotError(
            f"the project is {_mib(plan.size)} without what .gitignore leaves out, more than the "
            f"{_mib(max_size)} a snapshot may take (c.OrchestLab.max_snapshot_size); add what "
            "the runs do not need to .gitignore",
            "/pipeline_path",
            code="snapshot-too-large",
        )
    target.mkdir(parents=True)
    try:
        copier = _Copier()
        for folder in plan.folders:
            (target / folder).mkdir()
        for link in plan.links:
            os.symlink(os.readlink(project / link), target / link)
        source, destination = str(project), str(target)
        for file in plan.files:
            copier.copy(os.path.join(source, file), os.path.join(destination, file))
    except BaseException:
        shutil.rmtree(target, ignore_errors=True)
        raise
    return plan


def copy_tree(source: Path, target: Path) -> None:
    """Copy a snapshot for a run (everything in it, cloned where possible)."""
    copier = _Copier()
    target.mkdir(parents=True)
    for folder, dirs, files in os.walk(source):
        relative = os.path.relpath(folder, source)
        destination = target / relative if relative != "." else target
        for name in dirs:
            path = os.path.join(folder, name)
            if os.path.islink(path):
                os.symlink(os.readlink(path), destination / name)
            else:
                (destination / name).mkdir()
        for name in files:
            path = os.path.join(folder, name)
            if os.path.islink(path):
                os.symlink(os.readlink(path), destination / name)
            else:
                copier.copy(Path(path), destination / name)


class _Copier:
    """Copies a file's content and mode: a copy-on-write clone while the file system takes them,
    else an in-kernel copy."""

    def __init__(self) -> None:
        self.clones = True

    def copy(self, source: Path | str, target: Path | str) -> None:
        # Raw descriptors: a snapshot copies thousands of files, Python's file objects cost.
        src = os.open(source, os.O_RDONLY | os.O_NOFOLLOW)
        try:
            info = os.fstat(src)
            dst = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, stat.S_IMODE(info.st_mode))
            try:
                if not (self.clones and self._clone(src, dst)):
                    _sendfile(src, dst, info.st_size)
            finally:
                os.close(dst)
        finally:
            os.close(src)

    def _clone(self, src: int, dst: int) -> bool:
        try:
            fcntl.ioctl(dst, FICLONE, src)
        except OSError as err:
            if err.errno in (errno.EOPNOTSUPP, errno.EXDEV, errno.EINVAL, errno.ENOTTY):
                self.clones = False  # not on this file system: do not ask again
            return False
        return True


def _sendfile(src: int, dst: int, size: int) -> None:
    offset = 0
    while offset < size:
        sent = os.sendfile(dst, src, offset, size - offset)
        if sent == 0:
            break
        offset += sent


def _gitignore(folder: str) -> pathspec.GitIgnoreSpec | None:
    try:
        with open(os.path.join(folder, ".gitignore"), encoding="utf-8", errors="replace") as f:
            return pathspec.GitIgnoreSpec.from_lines(f.read().splitlines())
    except OSError:
        return None


def _ignored(rules: Rules, path: str, is_dir: bool) -> bool:
    """Whether the .gitignore files of the folders above `path` leave it out (the deepest file
    with a rule for it decides, as in git)."""
    ignored = False
    for base, spec in rules:
        inner = path[len(base) + 1 :].replace(os.sep, "/") + ("/" if is_dir else "")
        result = spec.check_file(inner)
        if result.include is not None:
            ignored = bool(result.include)
    return ignored


def _left_out(relative: str, path: str, skipped: set[str]) -> bool:
    """Folders no run needs: what runs wrote (`.orchest/pipelines/<uuid>/{data,logs,runs}`),
    virtual environments, and the folders given (the shared data folder, the jobs)."""
    parts = relative.split(os.sep)
    made_by_runs = (
        len(parts) == 4
        and parts[0] == STATE_DIR
        and parts[1] == "pipelines"
        and parts[3] in RUN_OUTPUTS
    )
    return made_by_runs or is_virtual_environment(path) or os.path.realpath(path) in skipped


def is_virtual_environment(folder: str) -> bool:
    return os.path.isfile(os.path.join(folder, "pyvenv.cfg"))


def _mib(size: int) -> str:
    return f"{size / 2**20:.1f} MiB"
