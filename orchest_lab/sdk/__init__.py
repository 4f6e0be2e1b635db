"""The `orchest` SDK of orchest-lab (`orchest_lab/sdk/orchest/`, self-contained: it imports
nothing from the server).

Steps and kernels that orchest-lab starts get this folder (`SDK_PATH`) first on their Python
path, so that `import orchest` there is this SDK; in this package it is `orchest_lab.sdk`.
"""

from pathlib import Path

from . import orchest as _orchest
from .orchest import *  # noqa: F403 - the SDK's names, as `orchest` has them

SDK_PATH = Path(__file__).resolve().parent  # put on sys.path so that `import orchest` is ours

__all__ = ["SDK_PATH", *_orchest.__all__]
