"""How long a kernel's Unix domain socket path may be: the rule the step runner of pods and the
local executor's forked kernels share (each stays on TCP beyond it). Standard library only."""

from __future__ import annotations

import os

MAX_SOCKET_PATH = 100  # bytes of a Unix socket's path (sun_path holds 108 with its NUL)


def socket_path_fits(base: str) -> bool:
    """Whether the paths jupyter_client makes of `base` for a kernel's channels (`base-N`) fit
    in a Unix socket address."""
    return len(os.fsencode(f"{base}-99999")) <= MAX_SOCKET_PATH
