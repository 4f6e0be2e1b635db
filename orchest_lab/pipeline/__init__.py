"""The pipeline model: load/validate/save `*.orchest` files, DAG operations and execution plans.

Pure and fast: no HTTP, no server, no kernels.
"""

from .dag import RUN_MODES, CycleError, Dag, RunMode
from .document import FORMAT_VERSION, PIPELINE_SUFFIX, PipelineDocument, PipelineLoadError
from .issues import Issue, IssueError, ValidationResult, json_pointer
from .limits import MAX_NESTING, structure_issues
from .plan import (
    ExecutionPlan,
    PlanError,
    PlannedStep,
    StepData,
    StepState,
    make_plan,
    resolve_step_refs,
)
from .project import environment_uuids, find_project_root
from .render import to_dot, to_mermaid
from .validate import ValidationContext, validate_document, validate_text

__all__ = [
    "FORMAT_VERSION",
    "MAX_NESTING",
    "PIPELINE_SUFFIX",
    "RUN_MODES",
    "CycleError",
    "Dag",
    "ExecutionPlan",
    "Issue",
    "IssueError",
    "PipelineDocument",
    "PipelineLoadError",
    "PlanError",
    "PlannedStep",
    "RunMode",
    "StepData",
    "StepState",
    "ValidationContext",
    "ValidationResult",
    "environment_uuids",
    "find_project_root",
    "json_pointer",
    "make_plan",
    "resolve_step_refs",
    "structure_issues",
    "to_dot",
    "to_mermaid",
    "validate_document",
    "validate_text",
]
