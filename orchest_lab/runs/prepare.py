"""Turning a validated pipeline and a plan into a run: its record, folders and step tasks."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import uuid as uuid_lib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..data.fingerprints import Fingerprint, compute_fingerprints
from ..data.outputs import ensure_store, job_run_memory_root, memory_root_from_env
from ..data.run_hooks import RunDataHooks
from ..environments.kernelspecs import SDK_PATH, kernel_name
from ..executors.base import StepTask
from ..fs import PathOutsideRoot, atomic_write_text, real_within
from ..fs.paths import InvalidPath
from ..pipeline import ExecutionPlan, IssueError, PipelineDocument
from ..pipeline.project import STATE_DIR, project_uuid
from ..records import RunRecord, Status, StepRecord
from .engine import PreparedRun
from .parameters import effective_pipeline

KernelChooser = Callable[[Path], str]  # step file -> kernelspec (scripts: for its interpreter)


@dataclass(frozen=True)
class RunLocation:
    """Where a run executes: the server root (or the CLI's working folder), the pipeline file
    and its project folder, which is the pipeline's own project or a copy of it (a job's)."""

    root: Path
    pipeline_file: Path
    project: Path

    def shown(self, path: Path) -> str:
        """`path` as the UI names it: relative to the root when it is below it."""
        try:
            return path.relative_to(self.root).as_posix()
        except ValueError:
            return str(path)


def pipeline_state_dir(project: Path, pipeline_uuid: str) -> Path:
    return project / STATE_DIR / "pipelines" / pipeline_uuid


def prepare_run(
    location: RunLocation,
    document: PipelineDocument,
    plan: ExecutionPlan,
    parameters: dict[str, Any],
    *,
    data_dir: Path,
    choose_kernel: KernelChooser,
    kind: str = "interactive",
    job_id: str | None = None,
    memory_dir: Path | None = None,
    fingerprints: dict[str, Fingerprint] | None = None,
    builds_from: Path | None = None,
    extra_env: dict[str, str] | None = None,
    run_id: str | None = None,
) -> PreparedRun:
    """`memory_dir`: the root of the memory stores (default: shared memory, per user);
    `fingerprints`: the steps' fingerprints with these parameters (computed when not given);
    `builds_from`: the project whose environment builds a copy of it uses (a job's);
    `extra_env`: variables over the pipeline's (a job's); `run_id`: the id to give the run
    (default: a new one)."""
    run_id = run_id or str(uuid_lib.uuid4())
    pipeline_uuid = document.uuid or ""
    state = pipeline_state_dir(location.project, pipeline_uuid)
    _check_state_folders(location.project, state)
    run_dir = state / "runs" / run_id
    created = _Created()
    try:
        _make_state_folders(location.project, state, run_dir, created)
        return _prepare_in(
            run_dir,
            location,
            document,
            plan,
            parameters,
            data_dir=data_dir,
            choose_kernel=choose_kernel,
            kind=kind,
            job_id=job_id,
            memory_dir=memory_dir,
            fingerprints=fingerprints,
            builds_from=builds_from,
            extra_env=extra_env,
        )
    except BaseException:
        created.remove()  # a run that cannot be prepared leaves nothing behind
        raise


def _prepare_in(
    run_dir: Path,
    location: RunLocation,
    document: PipelineDocument,
    plan: ExecutionPlan,
    parameters: dict[str, Any],
    *,
    data_dir: Path,
    choose_kernel: KernelChooser,
    kind: str,
    job_id: str | None,
    memory_dir: Path | None,
    fingerprints: dict[str, Fingerprint] | None,
    builds_from: Path | None,
    extra_env: dict[str, str] | None,
) -> PreparedRun:
    run_id = run_dir.name
    pipeline_uuid = document.uuid or ""
    state = pipeline_state_dir(location.project, pipeline_uuid)
    definition = run_dir / "pipeline.json"
    atomic_write_text(definition, json.dumps(effective_pipeline(document, parameters), indent=4))

    if fingerprints is None:
        fingerprints = compute_fingerprints(document, location.pipeline_file.parent, parameters)
    memory_root = memory_dir or memory_root_from_env()
    if kind == "job":  # a store of its own: a job never touches the interactive runs' outputs
        memory_root = job_run_memory_root(memory_root, run_id)
    if pipeline_uuid:
        ensure_store(memory_root, location.project, pipeline_uuid, location.pipeline_file)
    project_id = project_uuid(location.project)
    base_env = _pipeline_env(document)
    base_env.update({k: v for k, v in (extra_env or {}).items() if k != "PATH"})
    base_env.update(
        {
            "ORCHEST_PROJECT_UUID": project_id,
            "ORCHEST_PROJECT_DIR": str(location.project),
            "ORCHEST_PIPELINE_UUID": pipeline_uuid,
            "ORCHEST_PIPELINE_PATH": str(definition),
            "ORCHEST_RUN_UUID": run_id,
            "ORCHEST_DATA_DIR": str(data_dir),
            "ORCHEST_MEMORY_DIR": str(memory_root),
            # As Orchest had them: an interactive session is the project's pipeline, a job run
            # its own (non-interactive) session.
            "ORCHEST_SESSION_UUID": (
                run_id if kind == "job" else f"{project_id[:18]}{pipeline_uuid[:18]}"
            ),
            "ORCHEST_SESSION_TYPE": "noninteractive" if kind == "job" else "interactive",
        }
    )
    # Job runs free each output once every step after read it; interactive runs when the
    # pipeline asks (its `auto_eviction` setting, the editor's Memory eviction).
    if job_id:  # which job a run's steps belong to (a label of their Kubernetes Jobs)
        base_env["ORCHEST_JOB_UUID"] = job_id
    eviction = kind == "job" or document.settings.get("auto_eviction") is True
    if eviction:
        base_env["ORCHEST_MEMORY_EVICTION"] = "1"
    pipeline_dir = location.pipeline_file.parent
    record = RunRecord(
        id=run_id,
        pipeline_path=location.shown(location.pipeline_file),
        pipeline_uuid=pipeline_uuid,
        pipeline_name=document.name or location.pipeline_file.stem,
        project=location.shown(location.project),
        mode=plan.mode,
        selected=list(plan.selected),
        parameters=parameters,
        kind=kind,
        job_id=job_id,
        folder=str(location.project),
        log_dir=str(run_dir / "logs"),
    )
    tasks = {}
    for planned in plan.steps:
        file = (pipeline_dir / planned.file_path).absolute()
        folder = file.parent  # a step runs in its file's folder, as in Orchest and JupyterLab
        environment = document.step(planned.uuid).get("environment") or ""
        if not isinstance(environment, str):
            environment = ""
        record.steps[planned.uuid] = StepRecord(
            planned.uuid,
            planned.title,
            planned.file_path,
            waits_for=list(planned.waits_for),
            level=planned.level,
        )
        tasks[planned.uuid] = StepTask(
            run_id=run_id,
            step_uuid=planned.uuid,
            title=planned.title,
            file=file,
            output_file=file,
            output_path=location.shown(file),
            cwd=folder,
            env={
                **base_env,
                "PWD": str(folder),
                "ORCHEST_STEP_UUID": planned.uuid,
                "ORCHEST_STEP_FINGERPRINT": fingerprints[planned.uuid].value,
                "PYTHONPATH": _python_path(base_env, isolated=bool(environment)),
            },
            kernel_name=kernel_name(project_id, environment)
            if environment
            else choose_kernel(file),
            log_files=(
                run_dir / "logs" / f"{planned.uuid}.log",
                state / "logs" / f"{planned.uuid}.log",
            ),
            project=location.project,
            environment=environment,
            builds_from=builds_from,
            timeout=step_timeout(document, planned.uuid),
            resources=step_resources(document, planned.uuid),
        )
    max_parallel = document.settings.get("max_steps_parallelism") or 0
    hooks = RunDataHooks(
        memory_root, location.project, pipeline_uuid, fingerprints, own_store=kind == "job"
    )
    return PreparedRun(
        record, tasks, max_parallel if isinstance(max_parallel, int) else 0, hooks=hooks
    )


class RunFolderError(IssueError):
    """A folder a run writes in leads outside its project (a planted symlink), or cannot be
    made (a symlink loop, a file in its place)."""

    code = "path-outside-project"


class _Created:
    """The folders and files preparing a run made, to remove when the run is not prepared."""

    def __init__(self) -> None:
        self.paths: list[Path] = []

    def mkdir(self, folder: Path) -> None:
        missing = [p for p in (folder, *folder.parents) if not os.path.lexists(p)]
        folder.mkdir(parents=True, exist_ok=True)
        if missing:
            self.paths.append(missing[-1])  # the topmost new one: the rest is inside it

    def remove(self) -> None:
        for path in reversed(self.paths):
            if path.is_dir() and not path.is_symlink():
                shutil.rmtree(path, ignore_errors=True)
            else:
                with contextlib.suppress(OSError):
                    path.unlink()


def _make_state_folders(project: Path, state: Path, run_dir: Path, created: _Created) -> None:
    """The run's folders, and the .gitignore of the project's state; one that cannot be made
    refuses the run, naming it."""
    for folder in (state / "logs", run_dir / "logs"):
        try:
            created.mkdir(folder)
        except OSError as err:
            raise _unusable(project, folder, err) from err
    ignore = project / STATE_DIR / ".gitignore"
    if not os.path.lexists(ignore):
        try:
            atomic_write_text(ignore, "pipelines/\n")
        except OSError as err:
            raise _unusable(project, ignore, err) from err
        created.paths.append(ignore)
    elif not ignore.is_file():  # a symlink loop, a folder: Orchest's .gitignore cannot be kept
        raise _unusable(project, ignore, OSError("it is not a file"))


def _unusable(project: Path, path: Path, err: OSError) -> RunFolderError:
    shown = path.relative_to(project).as_posix()
    # mkdir(exist_ok=True) says "File exists" of a file or a symlink loop in the folder's place.
    reason = "it is not a folder" if isinstance(err, FileExistsError) else err.strerror or str(err)
    return RunFolderError(
        f"{shown} cannot be used for the run ({reason}); remove or fix it to run this pipeline",
        code="unusable-folder",
    )


def _check_state_folders(project: Path, state: Path) -> None:
    """Logs, run folders and stored outputs go below `.orchest/`: refuse to run when any of them
    would land outside the project through a symlink (a repository may plant one)."""
    for folder in (
        project / STATE_DIR / ".gitignore",
        state / "runs",
        state / "logs",
        state / "data",
    ):
        try:
            real_within(project, folder)
        except InvalidPath:
            continue  # a loop, a name too long: making the folder says why it cannot be used
        except PathOutsideRoot as err:
            shown = folder.relative_to(project).as_posix()
            raise RunFolderError(
                f"{shown} leads outside the project through a symlink; remove the link to run "
                "this pipeline"
            ) from err


def run_log_dir(run: RunRecord, root: Path) -> Path:
    """The folder of the run's step logs (for records of runs made before runs knew their
    folders: where those runs wrote them, in their project under `root`)."""
    if run.log_dir is not None:
        return Path(run.log_dir)
    project = root / run.project if run.project else root
    return pipeline_state_dir(project, run.pipeline_uuid) / "runs" / run.id / "logs"


def _pipeline_env(document: PipelineDocument) -> dict[str, str]:
    """The pipeline's own environment variables (a top-level `env_variables` object); ORCHEST_*
    variables are set after them, so they cannot be overridden."""
    variables = document.data.get("env_variables")
    if not isinstance(variables, dict):
        return {}
    return {str(k): str(v) for k, v in variables.items() if k != "PATH"}


def step_timeout(document: PipelineDocument, step_uuid: str) -> float | None:
    """The step's `timeout` (seconds), else its pipeline's `settings.step_timeout`; None (or 0):
    no limit. Validation has checked both."""
    for value in (document.step(step_uuid).get("timeout"), document.settings.get("step_timeout")):
        if isinstance(value, (int, float)) and not isinstance(value, bool) and value > 0:
            return float(value)
    return None


def step_resources(document: PipelineDocument, step_uuid: str) -> dict[str, dict[str, str]] | None:
    """The pipeline's `settings.step_resources`, overridden key by key by the step's
    `resources`: {"requests": {name: quantity}, "limits": {...}}."""
    merged: dict[str, dict[str, str]] = {}
    for source in (
        document.settings.get("step_resources"),
        document.step(step_uuid).get("resources"),
    ):
        if not isinstance(source, dict):
            continue
        for kind in ("requests", "limits"):
            values = source.get(kind)
            if isinstance(values, dict):
                merged.setdefault(kind, {}).update({str(k): str(v) for k, v in values.items()})
    return merged or None


def _python_path(env: dict[str, str], isolated: bool) -> str:
    """The SDK first (`import orchest`), then the pipeline's PYTHONPATH; steps without an
    environment keep the server's, steps in an environment see nothing else of the server."""
    paths = [str(SDK_PATH)]
    inherited = env.get("PYTHONPATH") or ("" if isolated else os.environ.get("PYTHONPATH", ""))
    paths += [p for p in inherited.split(os.pathsep) if p and p != str(SDK_PATH)]
    return os.pathsep.join(paths)


def interrupted_notebooks(runs: list[RunRecord], root: Path) -> list[Path]:
    """The notebooks that these runs' steps were writing when a server stopped (the steps that
    had started and were aborted), where each run wrote them: its folder, or for records of
    older runs its project under `root`."""
    notebooks = []
    for run in runs:
        folder = Path(run.folder) if run.folder else root / run.project
        try:
            pipeline = Path(run.pipeline_path).relative_to(run.project or ".")
        except ValueError:
            pipeline = Path(run.pipeline_path)
        for step in run.steps.values():
            interrupted = step.started_at is not None and step.status is Status.ABORTED
            if interrupted and step.file_path.endswith(".ipynb"):
                notebooks.append(folder / pipeline.parent / step.file_path)
    return notebooks
