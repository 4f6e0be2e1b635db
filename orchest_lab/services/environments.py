"""Environments of projects under the server root: definitions, builds and their logs."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from ..environments.builds import EnvironmentBuilds
from ..environments.definition import (
    LANGUAGES,
    DefinitionError,
    DefinitionNotFound,
    EnvironmentDefinition,
    list_definitions,
    text_problem,
)
from ..environments.kernelspecs import kernel_name
from ..environments.usage import steps_using
from ..fs import read_from
from ..pipeline.project import project_uuid
from .errors import Conflict, NotFound, RequestError
from .pipelines import PipelineService
from .request_body import check_body
from .runs import LogChunk

_FIELDS: dict[str, type] = {
    "name": str,
    "language": str,
    "base_image": str,
    "gpu_support": bool,
    "setup_script": str,
}


class EnvironmentService:
    def __init__(self, pipelines: PipelineService, builds: EnvironmentBuilds) -> None:
        self.pipelines = pipelines
        self.builds = builds

    # --- projects ------------------------------------------------------------------------------

    def project(self, relative: str | None) -> Path:
        if relative is None:
            raise RequestError("give the project folder: ?project=<folder relative to the root>")
        try:
            path = (
                self.pipelines.root if relative in ("", ".") else self.pipelines.resolve(relative)
            )
            is_dir = path.is_dir()
        except RequestError as err:  # it leads outside the server root
            raise RequestError(f"project folder: {err.message}") from err
        # A name too long for the file system, a symlink loop (RuntimeError from Path.resolve).
        except (OSError, RuntimeError) as err:
            shown = relative if len(relative) <= 60 else relative[:60] + "..."
            if isinstance(err, RuntimeError):
                reason = "it is (or passes through) a symlink loop"
            else:
                reason = err.strerror or str(err)
            raise RequestError(f"project folder '{shown}' cannot be used: {reason}") from err
        if not is_dir:
            raise NotFound(f"project folder '{relative}' does not exist")
        return path

    def label(self, project: Path) -> str:
        relative = project.relative_to(self.pipelines.root).as_posix()
        return relative if relative != "." else "."

    # --- definitions ---------------------------------------------------------------------------

    def list_environments(self, relative: str | None) -> dict[str, Any]:
        project = self.project(relative)
        environments = []
        try:
            definitions = list_definitions(project)
        except DefinitionError as err:
            raise RequestError(str(err)) from err
        for env_uuid, found in definitions:
            if isinstance(found, DefinitionError):
                environments.append({"uuid": env_uuid, "error": str(found)})
            else:
                environments.append(self._json(project, found))
        return {
            "project": self.label(project),
            "project_uuid": project_uuid(project),
            "environments": environments,
        }

    def create(self, relative: str | None, body: Any) -> dict[str, Any]:
        project = self.project(relative)
        request = self._check(body)
        if not request.get("name"):
            raise RequestError("field 'name' is required: what the environment is called")
        try:
            definition = EnvironmentDefinition.new(
                request["name"], request.get("language", "python")
            )
        except DefinitionError as err:
            raise RequestError(str(err)) from err
        self._apply(definition, request)
        self._save(project, definition)
        return self._json(project, definition)

    def get(self, relative: str, env_uuid: str) -> dict[str, Any]:
        project = self.project(relative)
        return self._json(project, self._load(project, env_uuid))

    def update(self, relative: str, env_uuid: str, body: Any) -> dict[str, Any]:
        project = self.project(relative)
        definition = self._load(project, env_uuid)
        self._apply(definition, self._check(body))
        self._save(project, definition)
        return self._json(project, definition)

    # The coroutines below run on the event loop (they cancel or start build tasks there) and
    # leave every file and process access to threads: a slow disk must not stall the server.

    async def delete(self, relative: str, env_uuid: str) -> None:
        project, definition = await asyncio.to_thread(self._find, relative, env_uuid)
        users = await asyncio.to_thread(steps_using, project, env_uuid)
        if users:
            raise Conflict(
                f"environment '{definition.name}' is used by step {', step '.join(users)}; "
                "give those steps another environment first"
            )
        await self.builds.cancel(project, env_uuid)
        await asyncio.to_thread(self._remove, project, definition)

    # --- builds --------------------------------------------------------------------------------

    async def build(self, relative: str, env_uuid: str) -> dict[str, Any]:
        """Start a build (or join the one running); answers at once with its status."""
        project, definition = await asyncio.to_thread(self._find, relative, env_uuid)
        self.builds.build(project, self.label(project), definition)
        return await asyncio.to_thread(self._json, project, definition)

    async def cancel_build(self, relative: str, env_uuid: str) -> dict[str, Any]:
        project, definition = await asyncio.to_thread(self._find, relative, env_uuid)
        await self.builds.cancel(project, env_uuid)
        return await asyncio.to_thread(self._json, project, definition)

    def read_log(self, relative: str, env_uuid: str, offset: int) -> LogChunk:
        project = self.project(relative)
        definition = self._load(project, env_uuid)
        text, next_offset = read_from(self.builds.log_file(project, env_uuid), offset)
        building = bool(self.builds.status(project, definition)["building"])
        return LogChunk(text, next_offset, building)

    # --- helpers -------------------------------------------------------------------------------

    def _find(self, relative: str, env_uuid: str) -> tuple[Path, EnvironmentDefinition]:
        project = self.project(relative)
        return project, self._load(project, env_uuid)

    def _load(self, project: Path, env_uuid: str) -> EnvironmentDefinition:
        try:
            return EnvironmentDefinition.load(project, env_uuid)
        except DefinitionNotFound as err:
            raise NotFound(
                f"project '{self.label(project)}' has no environment '{env_uuid}'"
            ) from err
        except DefinitionError as err:
            raise RequestError(str(err)) from err

    @staticmethod
    def _save(project: Path, definition: EnvironmentDefinition) -> None:
        try:
            definition.save(project)
        except DefinitionError as err:
            raise RequestError(str(err)) from err

    def _remove(self, project: Path, definition: EnvironmentDefinition) -> None:
        try:
            definition.delete(project)
        except DefinitionError as err:  # the folder was replaced by a symlink since it loaded
            raise RequestError(str(err)) from err
        self.builds.remove(project, definition.uuid)

    @staticmethod
    def _check(body: Any) -> dict[str, Any]:
        request = check_body(body, _FIELDS)
        for name, value in request.items():
            if value is None:  # as the OpenAPI document says: no field is nullable
                kind = "true or false" if _FIELDS[name] is bool else "a string"
                raise RequestError(f"field '{name}' must be {kind}, not null")
            problem = text_problem(value) if isinstance(value, str) else None
            if problem:
                raise RequestError(f"field '{name}' {problem}")
        language = request.get("language")
        if language is not None and language not in LANGUAGES:
            raise RequestError(
                f"field 'language' must be one of {', '.join(LANGUAGES)} (got {language!r})"
            )
        return request

    @staticmethod
    def _apply(definition: EnvironmentDefinition, request: dict[str, Any]) -> None:
        for name in _FIELDS:
            if request.get(name) is not None:
                setattr(definition, name, request[name])
        try:
            definition.check()
        except DefinitionError as err:
            raise RequestError(str(err)) from err

    def _json(self, project: Path, definition: EnvironmentDefinition) -> dict[str, Any]:
        return {
            **definition.to_json(),
            "project": self.label(project),
            "kernel_name": kernel_name(project_uuid(project), definition.uuid),
            "build": self.builds.status(project, definition),
        }
