"""Step files across formats: both store them relative to the pipeline file's folder, so a file
keeps pointing at the same notebook when the converted pipeline lands in another folder."""

from __future__ import annotations

import os
from pathlib import Path

from ..fs import is_within


def rebase(file: Path, target_dir: Path) -> str:
    """`file` relative to `target_dir`, with forward slashes (both formats write them)."""
    return Path(os.path.relpath(os.path.normpath(file), os.path.normpath(target_dir))).as_posix()


def check_step_file(file: Path, boundary: Path | None) -> str | None:
    """Why `file` cannot be a step's file (None: it can). With `boundary`, the real file must lie
    inside it (a symlink may not lead out)."""
    try:
        real = Path(os.path.realpath(file))
        if boundary is not None and not is_within(real, Path(os.path.realpath(boundary))):
            return "lies outside the folder the pipeline may use"
        if not os.path.exists(real):
            return "does not exist"
        if not os.path.isfile(real):
            return "is not a file"
    except (OSError, ValueError) as err:  # a NUL, a lone surrogate, a name too long, a loop
        return f"cannot be used as a path ({err})"
    return None
