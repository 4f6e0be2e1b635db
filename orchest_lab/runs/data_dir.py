"""The data folder that steps of every pipeline and project share, like Orchest's `/data`."""

from __future__ import annotations

import os
from pathlib import Path

from jupyter_core.paths import jupyter_data_dir

ORCHEST_DATA = Path("/data")


def resolve_data_dir(configured: str = "") -> Path:
    """The configured folder; else `/data` when it exists (writable) or can be created; else a
    folder in the Jupyter data directory. The folder exists when this returns."""
    if configured:
        path = Path(configured).expanduser().absolute()
        path.mkdir(parents=True, exist_ok=True)
        return path
    try:
        ORCHEST_DATA.mkdir(exist_ok=True)
        if os.access(ORCHEST_DATA, os.W_OK | os.X_OK):
            return ORCHEST_DATA
    except OSError:
        pass
    fallback = Path(jupyter_data_dir()) / "orchest-lab" / "data"
    fallback.mkdir(parents=True, exist_ok=True)
    return fallback
