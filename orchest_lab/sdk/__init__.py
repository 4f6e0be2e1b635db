"""The `orchest` SDK of orchest-lab (`orchest_lab/sdk/orchest/`, self-contained: it imports
nothing from the server).

Steps and kernels that orchest-lab starts get this folder (`SDK_PATH`) first on their Python
path, so that `import orchest` there is this SDK; in this package it is `orchest_lab.sdk`.
"""

from pathlib import Path

from .orchest import (
    Config,
    __version__,
    config,
    error,
    errors,
    get_inputs,
    get_pipeline_param,
    get_pipeline_params,
    get_service,
    get_services,
    get_step_param,
    get_step_params,
    output,
    parameters,
    pipeline,
    services,
    transfer,
    utils,
)

SDK_PATH = Path(__file__).resolve().parent  # put on sys.path so that `import orchest` is ours

__all__ = [
    "SDK_PATH",
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
