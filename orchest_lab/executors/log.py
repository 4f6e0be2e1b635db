"""Step logs: text written as it comes to the run's copy and to the pipeline's latest log."""

from __future__ import annotations

import re
from pathlib import Path
from typing import IO

ANSI_ESCAPES = re.compile(r"\x1b\[[0-9;?]*[ -/]*[@-~]")


class StepLog:
    def __init__(self, paths: tuple[Path, ...]) -> None:
        self._files: list[IO[str]] = []
        for path in paths:
            path.parent.mkdir(parents=True, exist_ok=True)
            self._files.append(open(path, "w", encoding="utf-8"))  # noqa: SIM115 - closed in close()

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
