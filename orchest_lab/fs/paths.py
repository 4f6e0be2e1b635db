"""Confining user-supplied paths to a root folder (the server root, or a project)."""

from __future__ import annotations

import errno
import os
import re
from pathlib import Path, PurePosixPath
from typing import NoReturn

_WINDOWS_DRIVE = re.compile(r"^[A-Za-z]:[\\/]")
# Linux's NAME_MAX and PATH_MAX (without the final NUL): a longer name or path fails at the
# first system call (ENAMETOOLONG), so it is refused where it comes in.
NAME_MAX = 255
PATH_MAX = 4095


class PathOutsideRoot(ValueError):
    """A path that is absolute, climbs out with '..', or is a symlink leading out of its root."""

    def __init__(self, path: str, reason: str) -> None:
        shown = path if len(path) <= 100 else f"{path[:60]}…{path[-20:]}"
        super().__init__(f"path '{shown}' {reason}")
        self.path = path
        self.reason = reason


class InvalidPath(PathOutsideRoot):
    """A path no file can have: empty, with a NUL or a lone surrogate, or too long."""


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
        raise InvalidPath(str(relative), f"is not a valid {what}: it is empty")
    if "\x00" in relative:
        raise InvalidPath(relative, f"is not a valid {what}: it contains a NUL character")
    if not _encodable(relative):
        raise InvalidPath(
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
    _check_length(candidate, normalised, relative, what)
    real_within(root_path, candidate, shown=relative)
    return candidate


def _check_length(candidate: Path, normalised: str, relative: str, what: str) -> None:
    for name in normalised.split("/"):
        if len(os.fsencode(name)) > NAME_MAX:
            shown = name if len(name) <= 40 else f"{name[:30]}…"
            raise InvalidPath(
                relative,
                f"is not a valid {what}: the name '{shown}' in it is longer than {NAME_MAX} bytes",
            )
    if len(os.fsencode(candidate)) > PATH_MAX:
        raise InvalidPath(
            relative, f"is not a valid {what}: it is longer than {PATH_MAX} bytes with the root"
        )


def real_within(root: Path | str, path: Path | str, *, shown: str | None = None) -> Path:
    """The real path of `path` (every symlink resolved, and '..' applied after the link before
    it, as the system does), refused unless it lies inside the real `root`. Check paths with it
    where they are used: a cloned repository may hold symlinks, planted at any time."""
    what = shown if shown is not None else str(path)
    try:
        real = Path(os.path.realpath(path))
        real_root = Path(os.path.realpath(root))
    except (OSError, ValueError) as err:  # a NUL, a lone surrogate, a name too long
        raise InvalidPath(what, f"cannot be used as a path ({err})") from err
    problem = _unusable(real)
    if problem is not None:
        raise InvalidPath(what, problem)
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
