"""Environment definitions as Orchest stores them in a project:
`.orchest/environments/<uuid>/properties.json` and `setup_script.sh`."""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import uuid as uuid_lib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..fs import atomic_write_text, is_within
from ..pipeline.project import STATE_DIR

LANGUAGES = ("python", "r", "julia", "javascript")
DEFAULT_BASE_IMAGES = {
    "python": "orchest/base-kernel-py",
    "r": "orchest/base-kernel-r",
    "julia": "orchest/base-kernel-julia",
    "javascript": "orchest/base-kernel-javascript",
}
NEW_SETUP_SCRIPT = """#!/bin/bash
# Install what your steps need; this runs inside the environment, so `pip install ...` lands there.
"""
IDENTIFIER = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,63}")
PROPERTIES = "properties.json"
SETUP_SCRIPT = "setup_script.sh"


class DefinitionError(ValueError):
    """A definition that cannot be used, with a message that says what is wrong and where."""


class DefinitionNotFound(DefinitionError):
    """The project has no environment of that uuid."""


def environments_dir(project: Path) -> Path:
    return project / STATE_DIR / "environments"


def confined_environments_dir(project: Path) -> Path:
    """The real path of the project's environments folder, checked at use: a repository may
    plant a symlink (`.orchest` or `.orchest/environments`) that leads out of the project, and
    reading, writing, building or deleting there would touch what is not the project's."""
    real_project = Path(os.path.realpath(project))
    real = Path(os.path.realpath(environments_dir(project)))
    if not is_within(real, real_project):
        raise DefinitionError(
            f".orchest/environments of project '{project.name}' leads outside the project "
            f"through a symlink (to {real}); environments must be real folders of the project"
        )
    return real


def environment_folder(project: Path, env_uuid: str) -> Path:
    """The real path of an environment's folder, confined to the project (see above)."""
    if not IDENTIFIER.fullmatch(env_uuid):
        # It names a folder: nothing that could lead out of .orchest/environments/.
        raise DefinitionError(f"'{env_uuid}' is not an environment uuid")
    folder = confined_environments_dir(project) / env_uuid
    if folder.is_symlink():
        raise DefinitionError(
            f".orchest/environments/{env_uuid} is a symlink; an environment folder must be a "
            "real folder of the project"
        )
    return folder


def text_problem(value: str) -> str | None:
    """What makes a string unfit to be written to a file or passed to a process, if anything."""
    if "\x00" in value:
        return "contains a NUL character"
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return "is not valid Unicode (it holds a lone surrogate such as an unpaired \\ud800)"
    return None


@dataclass
class EnvironmentDefinition:
    uuid: str
    name: str
    language: str = "python"
    base_image: str = DEFAULT_BASE_IMAGES["python"]
    gpu_support: bool = False
    setup_script: str = NEW_SETUP_SCRIPT
    extra: dict[str, Any] = field(default_factory=dict)  # fields we do not know, kept on save

    @classmethod
    def new(cls, name: str, language: str = "python") -> EnvironmentDefinition:
        definition = cls(
            str(uuid_lib.uuid4()), name, language, DEFAULT_BASE_IMAGES.get(language, "")
        )
        definition.check()
        return definition

    @classmethod
    def load(cls, project: Path, env_uuid: str) -> EnvironmentDefinition:
        folder = environment_folder(project, env_uuid)
        where = f".orchest/environments/{env_uuid}/{PROPERTIES}"
        try:
            text = _read_confined(project, folder / PROPERTIES, where)
        except (FileNotFoundError, NotADirectoryError) as err:
            raise DefinitionNotFound(f"{where} does not exist") from err
        try:
            data = json.loads(text)
        except json.JSONDecodeError as err:
            raise DefinitionError(
                f"{where} is not valid JSON (line {err.lineno}, column {err.colno}: {err.msg})"
            ) from err
        except RecursionError as err:
            raise DefinitionError(f"{where} is nested too deeply to be read") from err
        except ValueError as err:  # a number too long to convert
            raise DefinitionError(f"{where} cannot be read: {err}") from err
        if not isinstance(data, dict):
            raise DefinitionError(f"{where} must hold a JSON object")
        try:
            script = _read_confined(
                project, folder / SETUP_SCRIPT, f".orchest/environments/{env_uuid}/{SETUP_SCRIPT}"
            )
        except FileNotFoundError:
            script = ""
        known = {"uuid", "name", "language", "base_image", "gpu_support"}
        definition = cls(
            uuid=env_uuid,
            name=data.get("name", ""),
            language=data.get("language", "python"),
            base_image=data.get("base_image", ""),
            gpu_support=data.get("gpu_support", False),
            setup_script=script,
            extra={k: v for k, v in data.items() if k not in known},
        )
        if data.get("uuid", env_uuid) != env_uuid:
            raise DefinitionError(
                f"{where}: field 'uuid' is '{data['uuid']}', not its folder's name"
            )
        definition.check(where)
        return definition

    def check(self, where: str = "the environment") -> None:
        if not isinstance(self.name, str) or not self.name.strip():
            raise DefinitionError(f"{where}: field 'name' must be a non-empty string")
        for field_name in ("name", "base_image", "setup_script"):
            value = getattr(self, field_name)
            problem = text_problem(value) if isinstance(value, str) else None
            if problem:
                raise DefinitionError(f"{where}: field '{field_name}' {problem}")
        if self.language not in LANGUAGES:
            raise DefinitionError(
                f"{where}: field 'language' must be one of {', '.join(LANGUAGES)} "
                f"(got {self.language!r})"
            )
        if not isinstance(self.base_image, str):
            raise DefinitionError(f"{where}: field 'base_image' must be a string")
        if not isinstance(self.gpu_support, bool):
            raise DefinitionError(f"{where}: field 'gpu_support' must be true or false")
        if not isinstance(self.setup_script, str):
            raise DefinitionError(f"{where}: the setup script must be text")

    def save(self, project: Path) -> None:
        self.check()
        folder = environment_folder(project, self.uuid)
        created = not folder.exists()
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as err:  # a loop or a file where a folder goes
            raise DefinitionError(
                f".orchest/environments/{self.uuid} cannot be made: {err.strerror or err}"
            ) from err
        try:
            self._write(folder)
        except BaseException:
            if created:  # nothing half-created stays behind
                shutil.rmtree(folder, ignore_errors=True)
            raise

    def _write(self, folder: Path) -> None:
        properties = {
            **self.extra,
            "base_image": self.base_image,
            "gpu_support": self.gpu_support,
            "language": self.language,
            "name": self.name,
            "uuid": self.uuid,
        }
        atomic_write_text(folder / PROPERTIES, json.dumps(properties, indent=4) + "\n")
        atomic_write_text(folder / SETUP_SCRIPT, self.setup_script)

    def delete(self, project: Path) -> None:
        shutil.rmtree(environment_folder(project, self.uuid), ignore_errors=True)

    def content_hash(self, runtime: str) -> str:
        """What a build depends on (not the name): a new hash means a new build."""
        data = [self.language, self.base_image, self.gpu_support, self.setup_script, runtime]
        return hashlib.sha256(json.dumps(data).encode()).hexdigest()[:20]

    def to_json(self) -> dict[str, Any]:
        return {
            "uuid": self.uuid,
            "name": self.name,
            "language": self.language,
            "base_image": self.base_image,
            "gpu_support": self.gpu_support,
            "setup_script": self.setup_script,
        }


def _read_confined(project: Path, path: Path, where: str) -> str:
    """A file of an environment folder, unless it is a symlink that leads outside the project;
    FileNotFoundError when it is missing."""
    if path.is_symlink() and not is_within(
        Path(os.path.realpath(path)), Path(os.path.realpath(project))
    ):
        raise DefinitionError(f"{where} is a symlink that leads outside the project")
    try:
        return path.read_text(encoding="utf-8")
    except (FileNotFoundError, NotADirectoryError):
        raise
    except UnicodeDecodeError as err:
        raise DefinitionError(f"{where} is not UTF-8 text ({err.reason})") from err
    except OSError as err:
        raise DefinitionError(f"{where} cannot be read: {err.strerror or err}") from err


def list_definitions(project: Path) -> list[tuple[str, EnvironmentDefinition | DefinitionError]]:
    """Every environment folder of the project, each with its definition or what is wrong.
    Raises DefinitionError when the environments folder leads outside the project."""
    folder = confined_environments_dir(project)
    found: list[tuple[str, EnvironmentDefinition | DefinitionError]] = []
    if not folder.is_dir():
        return found
    for entry in sorted(folder.iterdir()):
        if entry.is_dir() and not entry.name.startswith("."):
            try:
                found.append((entry.name, EnvironmentDefinition.load(project, entry.name)))
            except DefinitionError as err:
                found.append((entry.name, err))
    return found
