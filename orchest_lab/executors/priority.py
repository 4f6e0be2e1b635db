"""Steps run at a lower CPU priority than the server: when steps use every core, the server
(and JupyterLab through it) still answers at once, and interactive kernels come first too."""

from __future__ import annotations

import functools
import shutil

DEFAULT_STEP_NICENESS = 10  # c.LocalExecutor.step_niceness


@functools.cache
def _nice() -> str | None:
    return shutil.which("nice")


def lower_priority(command: list[str], niceness: int) -> list[str]:
    """`command` started through `nice -n niceness` (coreutils); unchanged for 0, or where
    there is no `nice` (the step then runs at the server's priority)."""
    program = _nice()
    if niceness <= 0 or program is None:
        return command
    return [program, "-n", str(niceness), *command]
