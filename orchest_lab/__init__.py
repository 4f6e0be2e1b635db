"""orchest-lab: Orchest-style visual data pipelines inside JupyterLab."""

__all__ = ["__version__"]

from typing import Any

try:
    from ._version import __version__
except ImportError:  # running from a source tree that was never built
    __version__ = "dev"


def _jupyter_labextension_paths() -> list[dict[str, str]]:
    return [{"src": "labextension", "dest": "orchest-lab"}]


def _jupyter_server_extension_points() -> list[dict[str, Any]]:
    from .app import OrchestLab

    return [{"module": "orchest_lab", "app": OrchestLab}]
