"""Confining user-supplied paths to a root folder (the server root, or a project)."""

from __future__ import annotations

import errno
import os
import re
from pathlib import Path, PurePosixPath
from typing import NoReturn

_WINDOWS_DRIVE = re.compile(r"^[A-Za-z]:[\\/]")


class PathOutsideRoot(ValueError):
    """A path that is absolute, climbs out with '..', or is a symlink leading out of its root."""

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(f"path '{path}' {reason}")
        self.path = path
        self.reason = reason


def is_within(path: Path, root: Path) -> bool:
    """Whether `path` equals `root` or lies below it (both should be resolved the same way)."""
    return path == root or root in path.parents


def resolve_within(root: Path | str, relative: str, *, what: str = "path") -> Path:
    """Resolve `relative` against `root`, refusing anything that ends up outside `root`.

    The check is done twice: lexically (absolute paths and '..' that climb out) and on the real
    file system (symlinks, at any depth, that point outside). The returned path is absolute and
    lexically normalised; it may not exist.
    """
    if not isinstance(relative, str) or relative.strip() == "":
        raise PathOutsideRoot(str(relative), f"is not a valid {what}: it is empty")
    if "\x00" in relative:
        raise PathOutsideRoot(relative, f"is not a valid {what}: it contains a NUL character")
    if not _encodable(relative):
        raise PathOutsideRoot(
            relative.encode("utf-8", "backslashreplace").decode(),
            f"is not a valid {what}: it holds a character that is not text (a lone surrogate)",
        )
    if relative.startswith(("/", "\\")) or _WINDOWS_DRIVE.match(relative):
        raise PathOutsideRoot(relative, "is absolute; give a path relative to the root")
    root_path = Path(root).absolute()
    normalised = os.path.normpath(PurePosixPath(relative.replace("\\", "/")))
    if normalised == ".." or normalised.startswith("../"):
        raise PathOutsideRoot(relative, "leaves the root folder through '..'")
    candidate = root_path / normalised
    real_within(root_path, candidate, shown=relative)
    return candidate


def real_within(root: Path | str, path: Path | str, *, shown: str | None = None) -> Path:
    """The real path of `path` (every symlink resolved, and '..' applied after the link before
    it, as the system does), refused unless it lies inside the real `root`. Check paths with it
    where they are used: a cloned repository may hold symlinks, planted at any time."""
    what = shown if shown is not None else str(path)
    try:
        real = Path(os.path.realpath(path))
        real_root = Path(os.path.realpath(root))
    except (OSError, ValueError) as err:  # a NUL, a lone surrogate
        raise PathOutsideRoot(what, f"cannot be used as a path ({err})") from err
    problem = _unusable(real)
    if problem is not None:
        raise PathOutsideRoot(what, problem)
    if not is_within(real, real_root):
        _outside(what)
    return real


def _unusable(real: Path) -> str | None:
    """Why the system cannot use a resolved path at all (None: it can, or it does not exist
    yet, which is for the caller to judge)."""
    try:
        os.stat(real)
    except OSError as err:
        if err.errno == errno.ELOOP:
            return "is (or passes through) a symlink loop"
        if err.errno == errno.ENAMETOOLONG:
            return "has a name too long for the file system"
    return None


def _outside(what: str) -> NoReturn:
    raise PathOutsideRoot(what, "is a symlink that leads outside its folder")


def _encodable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True
