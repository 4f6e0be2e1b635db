"""Environment definitions as Orchest stores them in a project:
`.orchest/environments/<uuid>/properties.json` and `setup_script.sh`."""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import uuid as uuid_lib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..fs import atomic_write_text
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
        if not IDENTIFIER.fullmatch(env_uuid):
            # It names a folder: nothing that could lead out of .orchest/environments/.
            raise DefinitionError(f"'{env_uuid}' is not an environment uuid")
        folder = environments_dir(project) / env_uuid
        where = f".orchest/environments/{env_uuid}/{PROPERTIES}"
        try:
            text = (folder / PROPERTIES).read_text(encoding="utf-8")
        except FileNotFoundError as err:
            raise DefinitionNotFound(f"{where} does not exist") from err
        try:
            data = json.loads(text)
        except json.JSONDecodeError as err:
            raise DefinitionError(
                f"{where} is not valid JSON (line {err.lineno}, column {err.colno}: {err.msg})"
            ) from err
        if not isinstance(data, dict):
            raise DefinitionError(f"{where} must hold a JSON object")
        try:
            script = (folder / SETUP_SCRIPT).read_text(encoding="utf-8")
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
        folder = environments_dir(project) / self.uuid
        created = not folder.exists()
        folder.mkdir(parents=True, exist_ok=True)
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
        shutil.rmtree(environments_dir(project) / self.uuid, ignore_errors=True)

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


def list_definitions(project: Path) -> list[tuple[str, EnvironmentDefinition | DefinitionError]]:
    """Every environment folder of the project, each with its definition or what is wrong."""
    folder = environments_dir(project)
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
