"""Helpers Orchest's SDK exposed: the current step's uuid and the pipeline."""

from __future__ import annotations

import os

from . import _context
from .error import StepUUIDResolveError
from .pipeline import Pipeline


def get_step_uuid(pipeline: Pipeline) -> str:
    """The uuid of the step that is running, in `pipeline`.

    From ORCHEST_STEP_UUID in pipeline runs; in a JupyterLab kernel, from the notebook's path
    and the pipeline files of its project. Raises StepUUIDResolveError saying how the step is
    found when it cannot be.
    """
    step = os.environ.get("ORCHEST_STEP_UUID")
    if step:
        return step
    wanted = pipeline.properties.get("uuid")
    notebook = _context.notebook_path()
    reason = ""
    if notebook is not None:
        found = [m for m in _context.find_steps(notebook) if _uuid_of(m[0]) == wanted]
        if len(found) == 1:
            return found[0][1]
        # As Orchest did: a step whose file has the notebook's name, when only one has.
        same_name = [
            s.uuid
            for s in pipeline.steps
            if os.path.basename(str(s.properties.get("file_path", "")))
            == os.path.basename(notebook)
        ]
        if not found and len(same_name) == 1:
            return same_name[0]
        reason = (
            f"notebook {notebook} is {'several' if found or same_name else 'no'} step"
            f"{'s' if found or same_name else ''} of pipeline '{pipeline.properties.get('name')}'"
        )
    else:
        reason = "ORCHEST_STEP_UUID is not set and the kernel does not know its notebook"
    steps = ", ".join(f"{s.uuid} ('{s.title}')" for s in pipeline.steps)
    raise StepUUIDResolveError(
        f"The step cannot be determined: {reason}. Steps of the pipeline: {steps or 'none'}. "
        + _context.HOW_STEPS_ARE_FOUND
    )


def _uuid_of(pipeline_file: str) -> object:
    try:
        return _context.load_definition(pipeline_file).get("uuid")
    except Exception:
        return None


def get_pipeline() -> Pipeline:
    """The pipeline the running code belongs to (a run's copy, with its parameters)."""
    return Pipeline.from_json(_context.current(need_step=False).definition)
