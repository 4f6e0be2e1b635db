"""Runs of pipelines under the server root: starting, listing, cancelling, and their logs."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jupyter_client.kernelspec import KernelSpecManager

from ..fs import read_from
from ..pipeline import RUN_MODES, CycleError, PlanError, make_plan
from ..runs.engine import PreparedRun, RunEngine
from ..runs.kernels import notebook_kernel_chooser
from ..runs.models import RunRecord
from ..runs.parameters import ParameterError, parse_parameters
from ..runs.prepare import RunLocation, prepare_run, run_log_file
from ..store import RunStore
from .errors import RequestError
from .pipelines import PipelineService
from .requests import check_body, check_string_list

_RUN_FIELDS: dict[str, type] = {
    "pipeline_path": str,
    "mode": str,
    "steps": list,
    "parameters": dict,
}


@dataclass
class LogChunk:
    text: str
    offset: int  # where the next read should start
    step_running: bool  # more may come


class RunService:
    def __init__(
        self,
        pipelines: PipelineService,
        engine: RunEngine,
        store: RunStore | None,
        data_dir: Path,
        kernel_spec_manager: KernelSpecManager,
    ) -> None:
        self.pipelines = pipelines  # which also knows where outputs are (memory_root)
        self.engine = engine
        self.store = store
        self.data_dir = data_dir
        self.kernel_spec_manager = kernel_spec_manager

    def prepare(self, body: Any) -> PreparedRun:
        """Check a run request and prepare the run; nothing starts. Blocking (reads files)."""
        request = check_body(body, _RUN_FIELDS)
        path = request.get("pipeline_path")
        if not path:
            raise RequestError("field 'pipeline_path' is required: the pipeline file to run")
        mode = request.get("mode") or "full"
        if mode not in RUN_MODES:
            raise RequestError(f"mode must be one of {', '.join(RUN_MODES)} (got {mode!r})")
        steps = check_string_list(request, "steps")
        try:
            loaded = self.pipelines.load({"path": path})
        except RequestError as err:  # a missing pipeline is bad input here, not a missing URL
            raise RequestError(err.message, err.issues, status=400) from err
        document = loaded.valid_document("running it")
        fingerprints = None
        try:
            parameters = parse_parameters(document, request.get("parameters"))
            state = None
            if mode == "outdated":  # which steps run depends on what is stored and up to date
                data = self.pipelines.data_of(loaded, document, parameters)
                if data is not None:
                    state, fingerprints = data.plan_state(), data.fingerprints
            plan = make_plan(document, mode, steps, state=state)
        except (PlanError, CycleError, ParameterError) as err:
            raise RequestError(str(err)) from err
        pipeline_file = self.pipelines.resolve(path)
        assert loaded.context.project_root is not None
        location = RunLocation(self.pipelines.root, pipeline_file, loaded.context.project_root)
        return prepare_run(
            location,
            document,
            plan,
            parameters,
            data_dir=self.data_dir,
            choose_kernel=notebook_kernel_chooser(self.kernel_spec_manager),
            memory_dir=self.pipelines.memory_root,
            fingerprints=fingerprints,
        )

    def start(self, prepared: PreparedRun) -> RunRecord:
        return self.engine.start(prepared)

    async def list_runs(self, pipeline_path: str | None = None) -> list[dict[str, Any]]:
        runs = {r.id: r for r in self.engine.active() if pipeline_path in (None, r.pipeline_path)}
        if self.store is not None:
            for run in await self.store.find(pipeline_path=pipeline_path):
                runs.setdefault(run.id, run)
        ordered = sorted(runs.values(), key=lambda r: r.created_at, reverse=True)
        return [run.summary_json() for run in ordered]

    async def get(self, run_id: str) -> RunRecord:
        run = self.engine.get(run_id)
        if run is None and self.store is not None:
            run = await self.store.get(run_id)
        if run is None:
            raise RequestError(f"there is no run '{run_id}'", status=404)
        return run

    async def cancel(self, run_id: str) -> RunRecord:
        run = await self.engine.cancel(run_id, reason="cancelled by the user")
        return run if run is not None else await self.get(run_id)

    def read_log(self, run: RunRecord, step_uuid: str, offset: int) -> LogChunk:
        """The step's log from byte `offset` on. Blocking (reads a file)."""
        step = run.steps.get(step_uuid)
        if step is None:
            raise RequestError(f"run '{run.id}' has no step '{step_uuid}'", status=404)
        project = self.pipelines.resolve(run.project) if run.project else self.pipelines.root
        path = run_log_file(project, run.pipeline_uuid, run.id, step_uuid)
        text, next_offset = read_from(path, offset)
        running = self.engine.get(run.id) is not None and not step.status.ended
        return LogChunk(text, next_offset, running)
