"""Which kernel a step without an environment runs on: the notebook's own kernelspec when it is
installed, else the default Python kernel."""

from __future__ import annotations

import json
from pathlib import Path

from jupyter_client.kernelspec import KernelSpecManager

from ..executors.base import DEFAULT_KERNEL
from .prepare import KernelChooser


def notebook_kernel_chooser(kernel_spec_manager: KernelSpecManager | None = None) -> KernelChooser:
    """Reads the installed kernelspecs now (blocking), and each notebook when asked."""
    available = set((kernel_spec_manager or KernelSpecManager()).find_kernel_specs())
    default = (
        DEFAULT_KERNEL if DEFAULT_KERNEL in available else min(available, default=DEFAULT_KERNEL)
    )

    def choose(file: Path) -> str:
        if file.suffix != ".ipynb":
            return default
        try:
            with open(file, encoding="utf-8") as f:
                name = json.load(f)["metadata"]["kernelspec"]["name"]
        except (OSError, ValueError, KeyError, TypeError):
            return default
        return name if name in available else default

    return choose
