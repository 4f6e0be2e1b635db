"""`orchest-lab env list | build | delete PROJECT [ENV]`: a project's environments."""

from __future__ import annotations

import argparse
import asyncio
from pathlib import Path
from typing import Any

from ..environments.definition import (
    IDENTIFIER,
    DefinitionError,
    EnvironmentDefinition,
    environments_dir,
    list_definitions,
)
from .common import EXIT_INVALID, EXIT_OK, CommandError, environment_builds, guarded


def register(commands: Any) -> None:
    env = commands.add_parser("env", help="list, build or delete a project's environments")
    actions = env.add_subparsers(dest="action", metavar="ACTION", required=True)
    listing = actions.add_parser("list", help="the project's environments and their builds")
    listing.add_argument("project", help="the project folder")
    listing.set_defaults(handler=guarded(list_environments))
    build = actions.add_parser("build", help="build one environment, or all of them")
    build.add_argument("project", help="the project folder")
    build.add_argument("env", nargs="?", help="the environment's uuid or name (default: all)")
    build.add_argument("--quiet", action="store_true", help="do not print the build logs")
    build.set_defaults(handler=guarded(build_environments))
    delete = actions.add_parser("delete", help="delete an environment no step uses")
    delete.add_argument("project", help="the project folder")
    delete.add_argument("env", help="the environment's uuid or name")
    delete.set_defaults(handler=guarded(delete_environment))


def list_environments(args: argparse.Namespace) -> int:
    project = _project(args.project)
    builds = environment_builds(quiet=True)
    rows = [("uuid", "name", "language", "build")]
    for env_uuid, found in list_definitions(project):
        if isinstance(found, DefinitionError):
            rows.append((env_uuid, "?", "?", f"broken: {found}"))
            continue
        status = builds.status(project, found)
        state = status["state"]
        if state == "ready" and not status["up_to_date"]:
            state = "ready, but its definition changed since (build it again)"
        elif state == "failed":
            state = f"failed: {status.get('message')}"
        rows.append((env_uuid, found.name, found.language, state))
    if len(rows) == 1:
        print(f"{args.project} has no environments (.orchest/environments/ is empty)")
        return EXIT_OK
    widths = [max(len(r[i]) for r in rows) for i in range(3)]
    for row in rows:
        print("  ".join(c.ljust(w) for c, w in zip(row[:3], widths, strict=True)) + "  " + row[3])
    return EXIT_OK


def build_environments(args: argparse.Namespace) -> int:
    project = _project(args.project)
    definitions = [_find(project, args.env)] if args.env else _all(project)
    builds = environment_builds(quiet=args.quiet)

    async def build_all() -> int:
        failed = 0
        for definition in definitions:
            status = await builds.build(project, project.name, definition)
            outcome = status["state"]
            if status.get("message"):
                outcome += f": {status['message']}"
            print(f"{definition.name} ({definition.uuid}): {outcome}")
            failed += status["state"] != "ready"
        return failed

    return EXIT_INVALID if asyncio.run(build_all()) else EXIT_OK


def delete_environment(args: argparse.Namespace) -> int:
    from ..environments.usage import steps_using

    project = _project(args.project)
    definition = _find(project, args.env)
    users = steps_using(project, definition.uuid)
    if users:
        raise CommandError(
            f"environment '{definition.name}' is used by step {', step '.join(users)}; "
            "give those steps another environment first"
        )
    environment_builds(quiet=True).remove(project, definition.uuid)
    definition.delete(project)
    print(f"deleted environment '{definition.name}' ({definition.uuid})")
    return EXIT_OK


def _project(given: str) -> Path:
    path = Path(given).absolute()
    if not path.is_dir():
        raise CommandError(f"project folder '{given}' does not exist")
    return path


def _all(project: Path) -> list[EnvironmentDefinition]:
    found = list_definitions(project)
    broken = [f"{uuid}: {err}" for uuid, err in found if isinstance(err, DefinitionError)]
    if broken:
        raise CommandError("; ".join(broken))
    return [d for _, d in found if isinstance(d, EnvironmentDefinition)]


def _find(project: Path, ref: str) -> EnvironmentDefinition:
    """An environment by uuid, or else by name."""
    if IDENTIFIER.fullmatch(ref) and (environments_dir(project) / ref).is_dir():
        try:
            return EnvironmentDefinition.load(project, ref)
        except DefinitionError as err:
            raise CommandError(str(err)) from err
    found = [d for _, d in list_definitions(project) if isinstance(d, EnvironmentDefinition)]
    named = [d for d in found if d.name == ref]
    if len(named) == 1:
        return named[0]
    if named:
        raise CommandError(f"several environments are named '{ref}'; give its uuid")
    raise CommandError(f"project '{project.name}' has no environment '{ref}'")
