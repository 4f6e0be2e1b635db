"""Which pipeline and which step the running code belongs to, and where their data lives.

1. A step of a run (orchest-lab sets the variables): ORCHEST_PIPELINE_PATH is the run's copy of
   the pipeline definition, ORCHEST_STEP_UUID the step, ORCHEST_PROJECT_DIR the project.
2. A notebook's kernel in JupyterLab: Jupyter Server tells the kernel its notebook in
   JPY_SESSION_NAME (IPython shows it as `__session__`). The notebook is matched against the
   steps of the pipeline files (*.orchest) of its project: the folders above it, and every folder
   of the project (the nearest folder above it that holds `.orchest/`, or ORCHEST_PROJECT_DIR).
   A step's `file_path` is relative to its pipeline file, so notebooks of the same name in
   different folders are told apart.
3. Anything else may set ORCHEST_PIPELINE_PATH (a *.orchest file) and ORCHEST_STEP_UUID itself.
"""

from __future__ import annotations

import fnmatch
import json
import os
from dataclasses import dataclass
from typing import Any

from . import _store
from .error import PipelineDefinitionNotFoundError, StepUUIDResolveError

PIPELINE_SUFFIX = ".orchest"
STATE_DIR = ".orchest"
EXCLUDE = (".*", "node_modules", "__pycache__", "site-packages")
MAX_SCANNED_FOLDERS = 20000  # a project larger than this is searched only in part

HOW_STEPS_ARE_FOUND = (
    "A step run by orchest-lab finds itself from ORCHEST_PIPELINE_PATH and ORCHEST_STEP_UUID, "
    "which every run sets; a notebook opened in JupyterLab is matched, from its path "
    "(JPY_SESSION_NAME, set by Jupyter Server), to the step whose file_path points at it in a "
    "pipeline (*.orchest) of its project. Elsewhere, set ORCHEST_PIPELINE_PATH to the pipeline "
    "file and ORCHEST_STEP_UUID to the step's uuid."
)


@dataclass(frozen=True)
class Context:
    definition: dict[str, Any]  # the pipeline definition (a run's copy has its parameters)
    definition_path: str
    pipeline_file: str | None  # the *.orchest file, when known
    project_dir: str
    pipeline_uuid: str
    step_uuid: str | None
    run_uuid: str | None
    fingerprint: str | None
    eviction: bool
    memory_root: str
    project_uuid: str

    @property
    def store(self) -> str:
        return _store.store_path(self.memory_root, self.project_uuid, self.pipeline_uuid)

    def data_dir(self, step_uuid: str) -> str:
        return os.path.join(
            self.project_dir, STATE_DIR, "pipelines", self.pipeline_uuid, "data", step_uuid
        )

    @property
    def budget(self) -> int:
        settings = self.definition.get("settings")
        size = settings.get("data_passing_memory_size") if isinstance(settings, dict) else None
        return _store.parse_memory_size(size)

    def step(self, uuid: str) -> dict[str, Any]:
        steps = self.definition.get("steps")
        step = steps.get(uuid) if isinstance(steps, dict) else None
        return step if isinstance(step, dict) else {}

    def title(self, uuid: str) -> str:
        step = self.step(uuid)
        return str(step.get("title") or step.get("file_path") or uuid)


def current(need_step: bool = True) -> Context:
    """The context of the running code; raises StepUUIDResolveError saying why there is none."""
    env = os.environ
    path = env.get("ORCHEST_PIPELINE_PATH")
    step = env.get("ORCHEST_STEP_UUID") or None
    if path:
        definition = load_definition(path)
        if step is None:
            notebook = notebook_path()
            matches = _steps_of(path, definition, notebook) if notebook else []
            if len(matches) == 1 or (matches and not need_step):
                step = matches[0][1]
            elif need_step:
                raise StepUUIDResolveError(_why_not(path, definition, notebook, matches))
        elif step not in (definition.get("steps") or {}):
            raise StepUUIDResolveError(
                f"ORCHEST_STEP_UUID is {step}, which is not a step of {path}. "
                + HOW_STEPS_ARE_FOUND
            )
        pipeline_file = path if path.endswith(PIPELINE_SUFFIX) else None
        return _context(definition, path, pipeline_file, step)
    notebook = notebook_path()
    if notebook is None:
        raise StepUUIDResolveError(
            "This code does not run as a pipeline step: ORCHEST_PIPELINE_PATH is not set and "
            "the kernel does not know its notebook (JPY_SESSION_NAME is not set). "
            + HOW_STEPS_ARE_FOUND
        )
    found = find_steps(notebook)
    if step is not None:
        found = [m for m in found if m[1] == step] or found
    pipelines = {m[0] for m in found}
    if not found:
        raise StepUUIDResolveError(
            f"Notebook {notebook} is not a step of any pipeline of its project "
            f"(searched {_searched(notebook)}). " + HOW_STEPS_ARE_FOUND
        )
    if len(found) > 1 and (need_step or len(pipelines) > 1):
        listed = "; ".join(f"{p} step '{title}' ({uuid})" for p, uuid, title in found)
        raise StepUUIDResolveError(
            f"Notebook {notebook} is a step of several pipelines or several times a step: "
            f"{listed}. Choose one by setting ORCHEST_PIPELINE_PATH to its pipeline file and "
            "ORCHEST_STEP_UUID to the step's uuid (os.environ, before calling the SDK)."
        )
    pipeline_file, step_uuid, _ = found[0]
    return _context(load_definition(pipeline_file), pipeline_file, pipeline_file, step_uuid)


def _context(
    definition: dict[str, Any], path: str, pipeline_file: str | None, step: str | None
) -> Context:
    env = os.environ
    uuid = definition.get("uuid") or env.get("ORCHEST_PIPELINE_UUID") or ""
    if not uuid:
        raise PipelineDefinitionNotFoundError(f"the pipeline definition {path} has no uuid")
    project_dir = env.get("ORCHEST_PROJECT_DIR") or project_of(path)
    return Context(
        definition=definition,
        definition_path=path,
        pipeline_file=pipeline_file,
        project_dir=project_dir,
        pipeline_uuid=str(uuid),
        step_uuid=step,
        run_uuid=env.get("ORCHEST_RUN_UUID") or None,
        fingerprint=env.get("ORCHEST_STEP_FINGERPRINT") or None,
        eviction=bool(env.get("ORCHEST_MEMORY_EVICTION")),
        memory_root=_store.memory_root(),
        project_uuid=env.get("ORCHEST_PROJECT_UUID") or _store.project_uuid(project_dir),
    )


def load_definition(path: str) -> dict[str, Any]:
    try:
        with open(path, encoding="utf-8") as f:
            definition = json.load(f)
    except FileNotFoundError:
        raise PipelineDefinitionNotFoundError(
            f"the pipeline definition {path} does not exist"
        ) from None
    except (OSError, ValueError) as err:
        raise PipelineDefinitionNotFoundError(
            f"the pipeline definition {path} cannot be read: {err}"
        ) from None
    if not isinstance(definition, dict) or not isinstance(definition.get("steps"), dict):
        raise PipelineDefinitionNotFoundError(f"{path} is not a pipeline definition")
    return definition


def project_of(pipeline_path: str) -> str:
    """The project of a pipeline file: the nearest folder above it holding `.orchest/`, else the
    pipeline's own folder (as the server decides)."""
    start = os.path.dirname(os.path.abspath(pipeline_path))
    folder = start
    while True:
        if os.path.isdir(os.path.join(folder, STATE_DIR)):
            return folder
        parent = os.path.dirname(folder)
        if parent == folder:
            return start
        folder = parent


def notebook_path() -> str | None:
    """The notebook this kernel runs, as Jupyter Server told it (an absolute path, or one
    relative to the server root, which is then looked for above the working folder)."""
    name = os.environ.get("JPY_SESSION_NAME") or _ipython_session()
    if not name:
        return None
    if os.path.isabs(name):
        return os.path.normpath(name)
    bases = [os.getcwd()]
    if os.environ.get("ORCHEST_PROJECT_DIR"):
        bases.append(os.environ["ORCHEST_PROJECT_DIR"])
    for base in bases:
        folder = os.path.abspath(base)
        while True:
            candidate = os.path.join(folder, name)
            if os.path.isfile(candidate):
                return os.path.normpath(candidate)
            parent = os.path.dirname(folder)
            if parent == folder:
                break
            folder = parent
    return None


def _ipython_session() -> str | None:
    try:
        from IPython import get_ipython
    except ImportError:
        return None
    shell = get_ipython()
    session = shell.user_ns.get("__session__") if shell is not None else None
    return session if isinstance(session, str) else None


def find_steps(notebook: str) -> list[tuple[str, str, str]]:
    """(pipeline file, step uuid, step title) of every step that runs `notebook`."""
    found = []
    for pipeline_file in candidate_pipelines(notebook):
        try:
            definition = load_definition(pipeline_file)
        except PipelineDefinitionNotFoundError:
            continue
        found += [
            (pipeline_file, uuid, title)
            for _, uuid, title in _steps_of(pipeline_file, definition, notebook)
        ]
    return found


def _steps_of(
    pipeline_file: str, definition: dict[str, Any], notebook: str
) -> list[tuple[str, str, str]]:
    target = os.path.realpath(notebook)
    folder = os.path.dirname(os.path.abspath(pipeline_file))
    matches = []
    for uuid, step in (definition.get("steps") or {}).items():
        file_path = step.get("file_path") if isinstance(step, dict) else None
        if (
            isinstance(file_path, str)
            and file_path
            and os.path.realpath(os.path.join(folder, file_path)) == target
        ):
            matches.append((pipeline_file, uuid, str(step.get("title") or file_path)))
    return matches


def candidate_pipelines(notebook: str) -> list[str]:
    """Pipeline files that may have `notebook` as a step: those in the folders above it, and
    those anywhere in its project (ORCHEST_PROJECT_DIR, or the nearest folder above it holding
    `.orchest/`)."""
    seen: dict[str, None] = {}
    folder = os.path.dirname(os.path.abspath(notebook))
    nearest_project = None
    while True:
        for path in _pipelines_in(folder):
            seen[path] = None
        if nearest_project is None and os.path.isdir(os.path.join(folder, STATE_DIR)):
            nearest_project = folder
        parent = os.path.dirname(folder)
        if parent == folder:
            break
        folder = parent
    projects = [nearest_project] if nearest_project else []
    configured = os.environ.get("ORCHEST_PROJECT_DIR")
    if configured and os.path.abspath(configured) not in projects:
        projects.append(os.path.abspath(configured))
    for project in projects:
        if _is_within(notebook, project):
            for path in _walk_pipelines(project):
                seen[path] = None
    return list(seen)


def _searched(notebook: str) -> str:
    found = candidate_pipelines(notebook)
    if not found:
        return "no pipeline file found in its folder, the folders above it, or its project"
    return f"{len(found)} pipeline file{'s' if len(found) != 1 else ''}: " + ", ".join(found[:5])


def _pipelines_in(folder: str) -> list[str]:
    try:
        names = sorted(os.listdir(folder))
    except OSError:
        return []
    paths = [os.path.join(folder, n) for n in names if n.endswith(PIPELINE_SUFFIX)]
    return [p for p in paths if not _excluded(os.path.basename(p)) and os.path.isfile(p)]


def _walk_pipelines(root: str) -> list[str]:
    found = []
    for scanned, (folder, dirs, files) in enumerate(os.walk(root)):
        if scanned >= MAX_SCANNED_FOLDERS:
            break
        dirs[:] = sorted(d for d in dirs if not _excluded(d))
        found += [
            os.path.join(folder, n)
            for n in sorted(files)
            if n.endswith(PIPELINE_SUFFIX) and not _excluded(n)
        ]
    return found


def _excluded(name: str) -> bool:
    return any(fnmatch.fnmatchcase(name, pattern) for pattern in EXCLUDE)


def _is_within(path: str, folder: str) -> bool:
    try:
        return os.path.commonpath([os.path.abspath(path), folder]) == folder
    except ValueError:
        return False


def _why_not(
    path: str, definition: dict[str, Any], notebook: str | None, matches: list[Any]
) -> str:
    steps = definition.get("steps") or {}
    listed = ", ".join(
        f"{uuid} ('{s.get('title', '')}', {s.get('file_path', '')})"
        for uuid, s in steps.items()
        if isinstance(s, dict)
    )
    if notebook is None:
        what = "ORCHEST_STEP_UUID is not set and the kernel does not know its notebook"
    elif not matches:
        what = f"ORCHEST_STEP_UUID is not set and no step of it runs {notebook}"
    else:
        what = f"ORCHEST_STEP_UUID is not set and several steps run {notebook}"
    return (
        f"The pipeline is {path}, but {what}. Its steps: {listed or 'none'}. " + HOW_STEPS_ARE_FOUND
    )
