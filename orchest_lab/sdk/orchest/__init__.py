"""The `orchest` SDK, as orchest-lab ships it: pass data between pipeline steps and read their
parameters, with the API of Orchest's SDK.

>>> import orchest
>>> inputs = orchest.get_inputs()          # {"name": data, ..., "unnamed": [...]}
>>> orchest.output(result, name="clean")   # for the steps that follow
>>> orchest.get_step_param("alpha", 0.1)
"""

import sys as _sys

try:
    import pyarrow as _pyarrow  # noqa: F401
except ImportError as _err:
    raise ImportError(
        f"the orchest SDK passes data with pyarrow, which this Python ({_sys.executable}) does "
        "not have: install it (pip install pyarrow), in an environment's setup script for steps "
        "that run in one"
    ) from _err

from . import config, error, errors, parameters, pipeline, services, transfer, utils
from ._version import __version__
from .config import Config
from .parameters import get_pipeline_param, get_pipeline_params, get_step_param, get_step_params
from .services import get_service, get_services
from .transfer import get_inputs, output

__all__ = [
    "Config",
    "__version__",
    "config",
    "error",
    "errors",
    "get_inputs",
    "get_pipeline_param",
    "get_pipeline_params",
    "get_service",
    "get_services",
    "get_step_param",
    "get_step_params",
    "output",
    "parameters",
    "pipeline",
    "services",
    "transfer",
    "utils",
]
