"""Starting one run of a job: its folder (a copy of the job's snapshot), its plan with the
run's parameter combination, and its record, as a run of the run engine (`kind` "job")."""

from __future__ import annotations

import uuid as uuid_lib
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..jobs.folders import run_dir, snapshot_dir
from ..jobs.snapshot import copy_tree
from ..records import JobRecord
from .pipelines import PipelineService
from .planning import RunPlanner, RunRequest

if TYPE_CHECKING:
    from ..runs.engine import PreparedRun


def prepare_job_run(
    job: JobRecord,
    combination: dict[str, Any],
    *,
    root: Path,
    data_dir: Path,
    kernel_specs: Any = None,
) -> PreparedRun:
    """Copy the snapshot into the run's own folder and prepare the run there, through the same
    chain as every run (RequestError when it cannot run). Blocking (copies files)."""
    run_id = str(uuid_lib.uuid4())
    folder = run_dir(job, run_id)
    copy_tree(snapshot_dir(job), folder)
    pipelines = PipelineService(folder)
    planner = RunPlanner(pipelines, data_dir, kernel_specs)
    relative = Path(job.pipeline_path).relative_to(job.project or ".").as_posix()
    planned = planner.plan(RunRequest.for_file(relative, parameters=combination))
    original = root / job.project if job.project else root
    prepared = planner.prepare(
        planned,
        kind="job",
        job_id=job.id,
        builds_from=original,
        extra_env=job.env_variables,
        run_id=run_id,
    )
    # Listed as the job's pipeline, wherever its copy runs.
    prepared.record.pipeline_path = job.pipeline_path
    prepared.record.project = job.project
    return prepared
