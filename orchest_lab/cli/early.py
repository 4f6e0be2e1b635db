"""What `orchest-lab run` starts before anything else: the zygote of the default kernel, with the
executor's default settings, so that it imports ipykernel on another core while the command
imports the rest of itself and loads the pipeline (a few tenths of a second each). The executor
takes it over when its settings are those; otherwise it is stopped unused."""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Sequence


def start_kernels_early(argv: Sequence[str]) -> None:
    """For `run` on the local executor: start the zygote of the default kernel now."""
    if not argv or argv[0] != "run" or any(a.startswith("--executor") for a in argv):
        return
    from ..executors.kernels.zygote_start import (
        DEFAULT_PRELOAD,
        Preload,
        ZygoteError,
        start_early_zygote,
    )
    from ..executors.priority import DEFAULT_STEP_NICENESS

    # The default kernelspec's: this Python, this environment (as spec_python reads it), the
    # SDK's folder as environments/kernelspecs.py has it (not imported: it loads jupyter_client).
    # (os.path: pathlib is a few ms of imports before the zygote starts.)
    sdk = os.path.join(os.path.dirname(os.path.dirname(os.path.realpath(__file__))), "sdk")
    preload = Preload(DEFAULT_PRELOAD, sdk, fork_while_preloading=True)
    with contextlib.suppress(ZygoteError):  # the executor starts its own, and says why not
        start_early_zygote(sys.executable, dict(os.environ), DEFAULT_STEP_NICENESS, preload)
