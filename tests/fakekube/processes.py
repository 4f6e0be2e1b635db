"""A container's processes: every process it starts carries its mark in its environment
(children inherit it), which is how the fake finds them all, as a runtime's cgroup would."""

from __future__ import annotations

import contextlib
import os
import signal


def marked(mark: str) -> list[int]:
    """The processes of a container (their environment carries its mark)."""
    found = []
    needle = b"\0" + mark.encode() + b"\0"
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/environ", "rb") as f:
                if needle in b"\0" + f.read() + b"\0":
                    found.append(int(entry.name))
        except OSError:
            continue
    return found


def kill_marked(mark: str) -> None:
    for pid in marked(mark):
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)


def resident(mark: str) -> int:
    """Bytes of memory the container's processes hold (their resident sets)."""
    total = 0
    for pid in marked(mark):
        try:
            with open(f"/proc/{pid}/statm") as f:
                total += int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
        except (OSError, IndexError, ValueError):
            continue
    return total
