"""What every command shares: exit statuses, errors, and the services a command works through
(the server's own, rooted at the working folder)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..environments.definition import DefinitionError
from ..fs import is_within
from ..pipeline import PIPELINE_SUFFIX, ValidationResult
from ..services.errors import InvalidPipeline, RequestError

if TYPE_CHECKING:
    from ..services.pipelines import PipelineService

EXIT_OK, EXIT_INVALID, EXIT_USAGE = 0, 1, 2
EXIT_INTERRUPTED = 130


class CommandError(Exception):
    """Bad input from the command line: printed as `orchest-lab: error: ...`, exit status 2."""


Command = Callable[[argparse.Namespace], int]


def guarded(command: Command) -> Command:
    """The command, with bad input reported as the services report it: an invalid pipeline's
    issues one per line (exit 1), other bad input as one error line (exit 2)."""

    def run(args: argparse.Namespace) -> int:
        try:
            return int(command(args))
        except InvalidPipeline as err:
            print_issues(ValidationResult(err.issues), getattr(args, "path", "pipeline"))
            return EXIT_INVALID
        except RequestError as err:
            print(f"orchest-lab: error: {err.message}", file=sys.stderr)
            return EXIT_USAGE
        except (CommandError, DefinitionError) as err:
            print(f"orchest-lab: error: {err}", file=sys.stderr)
            return EXIT_USAGE

    return run


def print_issues(result: ValidationResult, shown: str) -> None:
    for issue in result.issues:
        print(issue.format_line(shown), file=sys.stderr)


def pipeline_path(given: str) -> Path:
    path = Path(given)
    if not path.exists():
        raise CommandError(f"'{given}' does not exist")
    if path.is_dir():
        raise CommandError(f"'{given}' is a folder; give a pipeline file (*{PIPELINE_SUFFIX})")
    return path.absolute()


@dataclass(frozen=True)
class LocalPipeline:
    """A pipeline file given on the command line, with the service that reads it: rooted at
    the working folder when the file is below it (the project may sit above the pipeline, but
    is never looked for higher), else at the file's folder."""

    pipelines: PipelineService
    relative: str  # the file, relative to the service's root

    @classmethod
    def of(cls, given: str) -> LocalPipeline:
        from ..services.pipelines import PipelineService

        path = pipeline_path(given)
        cwd = Path.cwd()
        root = cwd if is_within(path, cwd) else path.parent
        return cls(PipelineService(root), path.relative_to(root).as_posix())

    @property
    def source(self) -> dict[str, Any]:
        return {"path": self.relative}


def shared_data_dir(configured: str = "") -> Path:
    from ..runs.data_dir import resolve_data_dir

    return resolve_data_dir(configured)


def environment_builds(quiet: bool, data_dir: Path | None = None) -> Any:
    """The builds of this machine, shared with the server (same folders, same kernelspecs);
    their logs go to stderr unless quiet."""
    from jupyter_core.paths import jupyter_data_dir

    from ..environments.builds import EnvironmentBuilds
    from ..environments.kernelspecs import project_kernel_env
    from ..pipeline.project import project_uuid

    shared = data_dir or shared_data_dir()
    return EnvironmentBuilds(
        Path(jupyter_data_dir()) / "orchest-lab",
        _BuildPrinter(quiet),
        kernel_env=lambda project: project_kernel_env(project, project_uuid(project), shared),
    )


class _BuildPrinter:
    """Build progress on the terminal: the log as it comes, unless quiet."""

    def __init__(self, quiet: bool) -> None:
        self.quiet = quiet

    def build_changed(self, project: str, env_uuid: str, status: dict[str, Any]) -> None:
        pass  # the commands report each build's outcome themselves

    def build_log(self, project: str, env_uuid: str, text: str) -> None:
        if not self.quiet:
            sys.stderr.write(text)
