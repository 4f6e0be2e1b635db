"""Atomic file writes: a reader (or a crash) never sees a half-written file."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Callable
from pathlib import Path

TMP_SUFFIX = ".tmp~"


def atomic_write_bytes(
    path: Path | str, data: bytes, before_replace: Callable[[], None] | None = None
) -> os.stat_result:
    """Write `data` to a temporary file beside `path`, flush it to disk, then rename it over `path`.

    The rename is atomic on POSIX file systems; the file keeps its permissions when it existed.
    Returns the written file's status, taken before the rename: what `path` is right after it,
    even if someone replaces `path` again at once. `before_replace` is called right before the
    rename (when all the slow work is done) and may refuse it by raising.
    """
    target = Path(path)
    try:
        mode: int | None = target.stat().st_mode & 0o7777
    except FileNotFoundError:
        mode = None
    # Hidden, and ending in "~" as Jupyter's listings hide: a folder listed while a file in it is
    # written must not list a file that is gone a moment later.
    fd, tmp_name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=TMP_SUFFIX)
    try:
        with os.fdopen(fd, "wb") as tmp:
            tmp.write(data)
            tmp.flush()
            if mode is None:
                umask = os.umask(0)
                os.umask(umask)
                mode = 0o666 & ~umask
            os.fchmod(tmp.fileno(), mode)
            os.fsync(tmp.fileno())
            written = os.fstat(tmp.fileno())
        if before_replace is not None:
            before_replace()
        os.replace(tmp_name, target)
        return written
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp_name)
        raise


def atomic_write_text(
    path: Path | str, text: str, before_replace: Callable[[], None] | None = None
) -> os.stat_result:
    return atomic_write_bytes(path, text.encode("utf-8"), before_replace)
