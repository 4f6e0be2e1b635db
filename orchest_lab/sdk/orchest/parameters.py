"""Parameters of the current step and of its pipeline.

In a run they are those of the pipeline file with the run's parameters applied; in a JupyterLab
kernel, those of the pipeline file.
"""

from __future__ import annotations

from typing import Any

from . import _context


def _step_parameters(context: _context.Context) -> dict[str, Any]:
    assert context.step_uuid is not None
    params = context.step(context.step_uuid).get("parameters")
    return dict(params) if isinstance(params, dict) else {}


def _pipeline_parameters(context: _context.Context) -> dict[str, Any]:
    params = context.definition.get("parameters")
    return dict(params) if isinstance(params, dict) else {}


def get_params() -> tuple[dict[str, Any], dict[str, Any]]:
    """(the current step's parameters, the pipeline's parameters)."""
    context = _context.current()
    return _step_parameters(context), _pipeline_parameters(context)


def get_step_param(name: str, default: Any = None) -> Any:
    """A parameter of the current step, or `default` when it has none of that name."""
    return _step_parameters(_context.current()).get(name, default)


def get_pipeline_param(name: str, default: Any = None) -> Any:
    """A parameter of the pipeline, or `default` when it has none of that name."""
    return _pipeline_parameters(_context.current(need_step=False)).get(name, default)


def get_step_params() -> dict[str, Any]:
    """All parameters of the current step."""
    return _step_parameters(_context.current())


def get_pipeline_params() -> dict[str, Any]:
    """All parameters of the pipeline."""
    return _pipeline_parameters(_context.current(need_step=False))
