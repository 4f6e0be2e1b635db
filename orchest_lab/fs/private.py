"""Folders private to this user: the only ones the server trusts with what steps exchange."""

from __future__ import annotations

import os
import stat


def private_folder_problem(path: str) -> str | None:
    """Why `path` is not a folder private to this user (None: it is): a real folder, not a
    symlink, owned by this user, writable by nobody else. The SDK checks the same before it
    reads (orchest_lab/sdk/orchest/_store.py; the SDK imports nothing from the server, and a
    test keeps the two alike)."""
    try:
        info = os.lstat(path)
    except FileNotFoundError:
        return "it does not exist"
    if not stat.S_ISDIR(info.st_mode):
        return "it is a symlink, not a folder" if stat.S_ISLNK(info.st_mode) else "not a folder"
    if hasattr(os, "getuid") and info.st_uid != os.getuid():
        return f"it belongs to another user (uid {info.st_uid})"
    if info.st_mode & 0o022:
        return f"others may write in it (mode {stat.S_IMODE(info.st_mode):o})"
    return None
