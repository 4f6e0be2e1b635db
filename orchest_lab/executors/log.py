"""Step logs: text written as it comes to the run's copy and to the pipeline's latest log."""

from __future__ import annotations

import errno
import os
import re
from pathlib import Path
from typing import IO

ANSI_ESCAPES = re.compile(r"\x1b\[[0-9;?]*[ -/]*[@-~]")


class StepLog:
    def __init__(self, paths: tuple[Path, ...]) -> None:
        self._files: list[IO[str]] = []
        for path in paths:
            path.parent.mkdir(parents=True, exist_ok=True)
            self._files.append(_open_log(path))

    def write(self, text: str) -> None:
        """Append text (terminal colour codes removed) and flush, so a follower sees it now."""
        plain = ANSI_ESCAPES.sub("", text)
        for f in self._files:
            f.write(plain)
            f.flush()

    def close(self) -> None:
        for f in self._files:
            f.close()
        self._files = []

    def __enter__(self) -> StepLog:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _open_log(path: Path) -> IO[str]:
    """A new, empty log at `path`, never through a symlink: a link planted where a log goes
    (a cloned repository may hold one) is replaced by the log, not followed."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW
    try:
        fd = os.open(path, flags, 0o644)
    except OSError as err:
        if err.errno != errno.ELOOP:
            raise
        os.unlink(path)
        fd = os.open(path, flags | os.O_EXCL, 0o644)
    return os.fdopen(fd, "w", encoding="utf-8")
