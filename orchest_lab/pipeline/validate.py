"""Validation of pipeline definitions: every problem, precisely located, none of them fatal."""

from __future__ import annotations

import os
import stat
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from .dag import CycleError, Dag
from .document import PipelineDocument, PipelineLoadError
from .issues import Issue, ValidationResult, json_pointer
from .limits import structure_issues
from .project import environment_uuids, find_project_root
from .schema import schema_issues

# The step file types of Orchest's format (compared case-insensitively: Orchest writes `.R`).
STEP_FILE_TYPES = (".ipynb", ".py", ".r", ".sh", ".jl", ".js")


@dataclass(frozen=True)
class ValidationContext:
    """Where the pipeline lives; without it only the document itself is checked."""

    pipeline_dir: Path | None = None  # step file paths are relative to this folder
    project_root: Path | None = None  # step files must stay inside this folder
    environments: frozenset[str] | None = None  # known environment uuids; None: not checked

    @classmethod
    def for_pipeline_file(cls, pipeline_path: Path, boundary: Path) -> ValidationContext:
        project = find_project_root(pipeline_path, boundary)
        return cls(pipeline_path.parent, project, environment_uuids(project))


def validate_text(text: str, context: ValidationContext | None = None) -> ValidationResult:
    try:
        document = PipelineDocument.from_text(text)
    except PipelineLoadError as err:
        return ValidationResult([err.issue])
    return validate_document(document, context)


def validate_document(
    document: PipelineDocument, context: ValidationContext | None = None
) -> ValidationResult:
    context = context or ValidationContext()
    result = ValidationResult()
    result.extend(structure_issues(document.data))
    result.extend(_duplicate_key_issues(document))
    result.extend(schema_issues(document))
    result.extend(_uuid_issues(document))
    result.extend(_connection_issues(document))
    result.extend(cycle_issues(document, Dag.from_steps(document.steps)))
    result.extend(_file_issues(document, context))
    result.extend(_environment_issues(document, context))
    result.extend(_service_issues(document))
    result.extend(_env_variable_issues(document))
    return result


def cycle_issues(document: PipelineDocument, dag: Dag) -> list[Issue]:
    try:
        dag.topological_order()
        return []
    except CycleError:
        pass
    issues = []
    for cycle in dag.cycles():
        names = " -> ".join(f"'{document.step_title(u)}'" for u in cycle)
        issues.append(
            Issue(
                "error",
                "cycle",
                f"steps form a cycle: {names}; a pipeline must be acyclic",
                pointer=json_pointer("steps", cycle[0], "incoming_connections"),
                step_uuid=cycle[0],
                related_step_uuids=tuple(dict.fromkeys(cycle)),
            )
        )
    return issues


def _duplicate_key_issues(document: PipelineDocument) -> list[Issue]:
    issues = []
    for pointer, key in document.duplicate_keys:
        if pointer == "/steps":
            issues.append(
                Issue(
                    "error",
                    "duplicate-uuid",
                    f"step uuid '{key}' appears more than once in 'steps'; "
                    "only the last would be kept",
                    pointer=json_pointer("steps", key),
                    step_uuid=key,
                )
            )
        else:
            issues.append(
                Issue(
                    "warning",
                    "duplicate-key",
                    f"key '{key}' appears more than once; only the last value is used",
                    pointer=pointer + json_pointer(key),
                )
            )
    return issues


def _uuid_issues(document: PipelineDocument) -> list[Issue]:
    issues = []
    steps = document.steps
    declared = {key: step.get("uuid") for key, step in steps.items()}
    for key, uuid in declared.items():
        if isinstance(uuid, str) and uuid != key:
            issues.append(
                Issue(
                    "error",
                    "uuid-mismatch",
                    f"{document.step_label(key)} is stored under key '{key}' "
                    f"but its uuid is '{uuid}'",
                    pointer=json_pointer("steps", key, "uuid"),
                    step_uuid=key,
                )
            )
    counts = Counter(u for u in declared.values() if isinstance(u, str))
    for key, uuid in declared.items():
        if isinstance(uuid, str) and counts[uuid] > 1 and uuid != key:
            issues.append(
                Issue(
                    "error",
                    "duplicate-uuid",
                    f"{document.step_label(key)} has uuid '{uuid}', which another step also uses",
                    pointer=json_pointer("steps", key, "uuid"),
                    step_uuid=key,
                )
            )
    return issues


def _connection_issues(document: PipelineDocument) -> list[Issue]:
    issues = []
    steps = document.steps
    for key, step in steps.items():
        connections = step.get("incoming_connections")
        if not isinstance(connections, list):
            continue
        seen: set[str] = set()
        for i, parent in enumerate(connections):
            if not isinstance(parent, str):
                continue  # the schema check reports it
            if parent in steps and parent not in seen:
                seen.add(parent)
                continue
            pointer = json_pointer("steps", key, "incoming_connections", i)
            if parent not in steps:
                issues.append(
                    Issue(
                        "error",
                        "unknown-connection",
                        f"{document.step_label(key)} has an incoming connection from "
                        f"'{parent}', which is not a step of this pipeline",
                        pointer=pointer,
                        step_uuid=key,
                    )
                )
            else:
                issues.append(
                    Issue(
                        "warning",
                        "duplicate-connection",
                        f"{document.step_label(key)} lists the connection from "
                        f"{document.step_label(parent)} more than once",
                        pointer=pointer,
                        step_uuid=key,
                    )
                )
    return issues


def _file_issues(document: PipelineDocument, context: ValidationContext) -> list[Issue]:
    issues = []
    checker = _FileChecker(context)
    for key, step in document.steps.items():
        file_path = step.get("file_path")
        if not isinstance(file_path, str):
            continue  # the schema check reports it
        problem = checker.problem(file_path)
        if problem:
            code, message = problem
            issues.append(
                Issue(
                    "error",
                    code,
                    f"{document.step_label(key)}: {message}",
                    json_pointer("steps", key, "file_path"),
                    key,
                )
            )
    return issues


class _FileChecker:
    """Checks step file paths; remembers real folder paths since steps share a few folders."""

    def __init__(self, context: ValidationContext) -> None:
        self.pipeline_dir = context.pipeline_dir
        project = context.project_root or context.pipeline_dir
        self.project = os.path.normpath(project) if project else None
        self.real_project = os.path.realpath(project) if project else ""
        self.real_dirs: dict[str, str] = {}

    def problem(self, file_path: str) -> tuple[str, str] | None:
        if file_path.strip() == "":
            return "no-file", "has no file; choose a notebook or script for it"
        if os.path.isabs(file_path) or file_path.startswith("\\"):
            return (
                "path-outside-project",
                f"file path '{file_path}' is absolute; use a path relative to the pipeline file",
            )
        extension = os.path.splitext(file_path)[1].lower()
        if extension not in STEP_FILE_TYPES:
            shown = f"'{extension}'" if extension else "no extension"
            return (
                "unsupported-file-type",
                f"file '{file_path}' has {shown}; a step runs a notebook (.ipynb) or a script "
                "(.py, .R, .sh, .jl, .js)",
            )
        if not _encodable(file_path):
            return None  # a lone surrogate: reported where every string is (invalid-text)
        if "\x00" in file_path:
            return (
                "invalid-file-path",
                "file path holds a NUL character, which no file name can have",
            )
        if self.pipeline_dir is None or self.project is None:
            return None  # no location: only the document itself can be checked
        target = os.path.normpath(os.path.join(self.pipeline_dir, file_path))
        if not _inside(target, self.project):
            return "path-outside-project", f"file path '{file_path}' leaves the project folder"
        # As the system reads it: symlinks resolved before any '..' after them.
        raw = os.path.join(self.pipeline_dir, file_path)
        folder, name = os.path.split(raw)
        if folder not in self.real_dirs:
            self.real_dirs[folder] = os.path.realpath(folder)
        real_target = os.path.join(self.real_dirs[folder], name)
        unusable: OSError | None = None
        try:
            info = os.lstat(real_target)  # one system call in the common case
            if stat.S_ISLNK(info.st_mode):
                real_target = os.path.realpath(real_target)
                info = os.stat(real_target)
        except OSError as err:
            info, unusable = None, err
        if not _inside(real_target, self.real_project):
            return (
                "path-outside-project",
                f"file '{file_path}' is reached through a symlink that leads outside the "
                "project folder",
            )
        if info is None:
            if isinstance(unusable, FileNotFoundError | NotADirectoryError):
                return "missing-file", f"file '{file_path}' does not exist"
            reason = unusable.strerror if unusable and unusable.strerror else "unknown"
            return "missing-file", f"file '{file_path}' cannot be read ({reason})"
        if stat.S_ISDIR(info.st_mode):
            return "missing-file", f"'{file_path}' is a folder, not a notebook or script"
        return None


def _service_issues(document: PipelineDocument) -> list[Issue]:
    """Orchest pipelines may declare services (a database, tensorboard...), which orchest-lab
    does not start: a warning names them rather than saying nothing."""
    services = document.data.get("services")
    if not isinstance(services, dict) or not services:
        return []
    names = ", ".join(f"'{str(name)[:60]}'" for name in list(services)[:10])
    return [
        Issue(
            "warning",
            "services-not-started",
            f"the pipeline declares service{'s' if len(services) > 1 else ''} {names}, which "
            "orchest-lab does not start: steps that use them (orchest.get_service) fail",
            json_pointer("services"),
        )
    ]


def _environment_issues(document: PipelineDocument, context: ValidationContext) -> list[Issue]:
    if context.environments is None:
        return []
    issues = []
    for key, step in document.steps.items():
        environment = step.get("environment")
        if isinstance(environment, str) and environment and environment not in context.environments:
            issues.append(
                Issue(
                    "warning",
                    "unknown-environment",
                    f"{document.step_label(key)} uses environment '{environment}', which this "
                    f"project does not define (.orchest/environments/{environment}/)",
                    json_pointer("steps", key, "environment"),
                    key,
                )
            )
    return issues


def _env_variable_issues(document: PipelineDocument) -> list[Issue]:
    """Variables every step's environment receives: names and values the system takes (execve
    refuses a NUL anywhere and '=' in a name; lone surrogates are reported as not text)."""
    variables = document.data.get("env_variables")
    if not isinstance(variables, dict):
        return []  # absent, or the schema check reports it
    issues = []
    for name, value in variables.items():
        shown = name.encode("utf-8", "backslashreplace").decode("utf-8")[:80]
        problem = None
        if not name or "=" in name or "\x00" in name:
            problem = (
                f"environment variable name '{shown}' cannot be used: a name must not be empty "
                "or hold '=' or a NUL character"
            )
        elif isinstance(value, str) and "\x00" in value:
            problem = (
                f"environment variable '{shown}' holds a NUL character, which no environment "
                "can carry"
            )
        if problem:
            pointer = json_pointer("env_variables", name)
            issues.append(Issue("error", "invalid-env-variable", problem, pointer))
    return issues


def _inside(path: str, root: str) -> bool:
    return path == root or path.startswith(root.rstrip(os.sep) + os.sep)


def _encodable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True
