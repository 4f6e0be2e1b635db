"""Which steps of a project use an environment, and giving their notebooks its kernel."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import nbformat

from ..fs import atomic_write_text
from ..pipeline import PipelineDocument, PipelineLoadError
from ..pipeline.project import pipeline_files, project_uuid
from .definition import DefinitionError, EnvironmentDefinition
from .kernelspecs import kernel_name

log = logging.getLogger(__name__)


def steps_using(project: Path, env_uuid: str) -> list[str]:
    """'step <title> of <pipeline>' for every step of the project's pipelines using the env."""
    users = []
    for path in pipeline_files(project):
        try:
            document = PipelineDocument.from_file(path)
        except (OSError, ValueError, PipelineLoadError):
            continue
        for uuid, step in document.steps.items():
            if step.get("environment") == env_uuid:
                users.append(f"'{document.step_title(uuid)}' of {path.relative_to(project)}")
    return users


def set_notebook_kernels(pipeline_file: Path, project: Path) -> list[Path]:
    """Give each notebook step the kernel of its step's environment, as Orchest did when a
    pipeline was saved, so opening it in JupyterLab uses the same environment. Only notebooks
    whose kernel differs are written. Returns them."""
    document = PipelineDocument.from_file(pipeline_file)
    changed = []
    names: dict[str, str | None] = {}
    for step in document.steps.values():
        env_uuid, file_path = step.get("environment"), step.get("file_path")
        if not (isinstance(env_uuid, str) and env_uuid and isinstance(file_path, str)):
            continue
        if not file_path.endswith(".ipynb"):
            continue
        if env_uuid not in names:
            try:
                names[env_uuid] = EnvironmentDefinition.load(project, env_uuid).name
            except DefinitionError:
                names[env_uuid] = None  # not defined here: validation says so
        env_name = names[env_uuid]
        notebook = (pipeline_file.parent / file_path).resolve()
        if env_name is None or not notebook.is_file() or not notebook.is_relative_to(project):
            continue
        spec = {
            "name": kernel_name(project_uuid(project), env_uuid),
            "display_name": f"{env_name} ({project.name})",
            "language": "python",
        }
        if _set_kernelspec(notebook, spec):
            changed.append(notebook)
    return changed


def _set_kernelspec(notebook: Path, spec: dict[str, str]) -> bool:
    try:
        content = nbformat.read(notebook, as_version=4)
    except (OSError, ValueError, json.JSONDecodeError) as err:
        log.warning("could not set the kernel of %s: %s", notebook, err)
        return False
    if content.metadata.get("kernelspec") == spec:
        return False
    content.metadata["kernelspec"] = spec
    atomic_write_text(notebook, nbformat.writes(content))
    return True
