"""The one way a run is prepared, for the REST API, the command line and jobs alike:
request -> pipeline loaded and valid -> parameters -> outputs' state (when the mode needs it)
-> plan -> prepared run (record, folders, step tasks)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..pipeline import RUN_MODES, ExecutionPlan, IssueError, PipelineDocument, make_plan
from ..runs.parameters import assignments_to_parameters, parse_parameters
from ..runs.prepare import RunLocation, prepare_run
from .errors import NotFound, RequestError
from .pipelines import SOURCE_FIELDS, LoadedPipeline, PipelineService
from .request_body import check_body, check_string_list

if TYPE_CHECKING:
    from jupyter_client.kernelspec import KernelSpecManager

    from ..data.state import PipelineData
    from ..runs.engine import PreparedRun

RUN_FIELDS: dict[str, type] = {
    "pipeline_path": str,
    "mode": str,
    "steps": list,
    "parameters": dict,
}
PLAN_FIELDS: dict[str, type] = {**SOURCE_FIELDS, "mode": str, "steps": list, "parameters": dict}


@dataclass(frozen=True)
class RunRequest:
    """What to run: the pipeline (`source`: its path relative to the root, or for plans its
    content), the mode and selection, and the parameters (`assignments`, the command line's
    [STEP.]KEY=VALUE, go over `parameters`)."""

    source: dict[str, Any]
    mode: str = "full"
    steps: Sequence[str] = ()
    parameters: Any = None
    assignments: Sequence[str] = ()
    path_field: str = "path"  # what the request calls the pipeline file (for messages)

    @classmethod
    def for_file(cls, path: str, **kwargs: Any) -> RunRequest:
        return cls({"path": path}, **kwargs)


@dataclass
class PlannedRun:
    loaded: LoadedPipeline
    document: PipelineDocument
    parameters: dict[str, Any]
    plan: ExecutionPlan
    data: PipelineData | None = field(default=None)


class RunPlanner:
    def __init__(
        self,
        pipelines: PipelineService,
        data_dir: Path,
        kernel_specs: KernelSpecManager | None = None,
    ) -> None:
        self.pipelines = pipelines
        self.data_dir = data_dir
        self._kernel_specs = kernel_specs

    # --- the chain -----------------------------------------------------------------------------

    def plan(self, request: RunRequest, *, with_data: bool = False) -> PlannedRun:
        """Load, validate and plan. `with_data`: also learn every step's outputs' state (the
        mode `outdated` always does). Blocking (reads files)."""
        if request.mode not in RUN_MODES:
            raise RequestError.field(
                "/mode",
                f"mode must be one of {', '.join(RUN_MODES)} (got {request.mode[:40]!r})",
                code="invalid-mode",
            )
        loaded = self.pipelines.load(request.source, request.path_field)
        document = loaded.valid_document("running it" if "path" in request.source else "planning")
        try:
            parameters = parse_parameters(document, request.parameters)
            if request.assignments:
                overrides = assignments_to_parameters(document, list(request.assignments))
                parameters["pipeline"].update(overrides["pipeline"])
                for uuid, values in overrides["steps"].items():
                    parameters["steps"].setdefault(uuid, {}).update(values)
            data = None
            if with_data or request.mode == "outdated":
                data = self.pipelines.data_of(loaded, document, parameters)
            state = data.plan_state() if data is not None else None
            plan = make_plan(document, request.mode, request.steps, state=state)
        except IssueError as err:
            raise RequestError.from_issue(err) from err
        return PlannedRun(loaded, document, parameters, plan, data)

    def prepare(
        self,
        planned: PlannedRun,
        *,
        kind: str = "interactive",
        job_id: str | None = None,
        location: RunLocation | None = None,
        builds_from: Path | None = None,
        extra_env: dict[str, str] | None = None,
        run_id: str | None = None,
    ) -> PreparedRun:
        """The run's record, folders and tasks; nothing starts. `location`: where the run
        executes when not in the pipeline's own project (a copy of it: `builds_from` is then
        the original project, whose environment builds it uses); `extra_env`: variables over
        the pipeline's. Blocking."""
        from ..runs.kernels import notebook_kernel_chooser  # jupyter_client: only when running

        if location is None:
            location = self.location_of(planned.loaded)
        fingerprints = planned.data.fingerprints if planned.data is not None else None
        try:
            return prepare_run(
                location,
                planned.document,
                planned.plan,
                planned.parameters,
                data_dir=self.data_dir,
                choose_kernel=notebook_kernel_chooser(self._kernel_specs),
                kind=kind,
                job_id=job_id,
                memory_dir=self.pipelines.memory_root,
                fingerprints=fingerprints,
                builds_from=builds_from,
                extra_env=extra_env,
                run_id=run_id,
            )
        except IssueError as err:
            raise RequestError.from_issue(err) from err

    def location_of(self, loaded: LoadedPipeline) -> RunLocation:
        assert loaded.path is not None and loaded.context.project_root is not None
        pipeline_file = self.pipelines.resolve(loaded.path)
        return RunLocation(self.pipelines.root, pipeline_file, loaded.context.project_root)

    # --- REST bodies ---------------------------------------------------------------------------

    def plan_body(self, body: Any) -> dict[str, Any]:
        """POST pipelines/plan: the plan, with every step's outputs' state for a pipeline file."""
        request = check_body(body, PLAN_FIELDS)
        if request.get("mode") is None:
            raise RequestError.field(
                "/mode",
                "field 'mode' is required (full, selection, incoming, downstream or outdated)",
                code="missing-field",
            )
        planned = self.plan(
            RunRequest(
                {k: request[k] for k in SOURCE_FIELDS if k in request},
                mode=request["mode"],
                steps=check_string_list(request, "steps"),
                parameters=request.get("parameters"),
            ),
            with_data=True,
        )
        issues = [i.to_json() for i in planned.loaded.result.issues]
        return {**planned.plan.to_json(), "issues": issues}

    def run_body(self, body: Any) -> PreparedRun:
        """POST runs: check the request and prepare the run."""
        request = check_body(body, RUN_FIELDS)
        path = request.get("pipeline_path")
        if not path:
            raise RequestError.field(
                "/pipeline_path",
                "field 'pipeline_path' is required: the pipeline file to run",
                code="missing-field",
            )
        run = RunRequest.for_file(
            path,
            mode=request.get("mode") or "full",
            steps=check_string_list(request, "steps"),
            parameters=request.get("parameters"),
            path_field="pipeline_path",
        )
        try:
            planned = self.plan(run)
        except NotFound as err:  # a missing pipeline is bad input here, not a missing URL
            raise RequestError.field("/pipeline_path", err.message, code="not-found") from err
        return self.prepare(planned)
