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
    from traitlets.config import Config

    from ..executors.base import Executor
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


# --- executors --------------------------------------------------------------------------------

EXECUTORS = {
    "local": "orchest_lab.executors.local.LocalExecutor",
    "kubernetes": "orchest_lab.executors.kubernetes.KubernetesExecutor",
}


def add_executor_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--executor",
        default="",
        metavar="NAME",
        help="what runs the steps: local, kubernetes, or an Executor class (module.Class). "
        "Default: c.OrchestLab.executor_class of the Jupyter configuration, else local.",
    )
    parser.add_argument(
        "--set",
        action="append",
        default=[],
        dest="settings",
        metavar="CLASS.NAME=VALUE",
        help="a setting over the Jupyter configuration files (jupyter_server_config.py/.json), "
        "such as KubernetesExecutor.namespace=pipelines. Repeat for more; a list setting "
        "takes each repeat as an item, or a list written out: OrchestLab.preload_modules=[].",
    )


def jupyter_config(settings: list[str]) -> Config:
    """The settings of the Jupyter configuration files the server reads (jupyter_config and
    jupyter_server_config, .json and .py, in Jupyter's config folders), then `settings`."""
    import os

    from jupyter_core.paths import jupyter_config_path
    from traitlets.config.loader import (
        Config,
        DeferredConfigList,
        JSONFileConfigLoader,
        PyFileConfigLoader,
    )

    config = Config()
    for folder in reversed(jupyter_config_path()):  # the first folder wins: it goes last
        for base in ("jupyter_config", "jupyter_server_config"):
            for loader in (JSONFileConfigLoader, PyFileConfigLoader):
                name = base + (".json" if loader is JSONFileConfigLoader else ".py")
                if os.path.isfile(os.path.join(folder, name)):
                    config.merge(loader(name, path=folder).load_config())
    given: dict[tuple[str, str], list[str]] = {}
    for setting in settings:
        key, equals, value = setting.partition("=")
        section, dot, trait = key.strip().rpartition(".")
        if not equals or not dot or not section:
            raise CommandError(f"--set {setting}: write CLASS.NAME=VALUE")
        given.setdefault((section, trait), []).append(value)
    for (section, trait), values in given.items():
        # Read as the command line of a Jupyter application reads it, by the setting's type: a
        # list takes each value given as an item, or a list written out (["a", "b"]).
        config[section][trait] = DeferredConfigList(values)
    return config


def configured_preload(config: Config) -> list[str]:
    """`c.OrchestLab.preload_modules` of the configuration, read as the server reads it."""
    from traitlets import List, Unicode
    from traitlets.config import Configurable

    from ..executors.local import DEFAULT_PRELOAD

    class OrchestLab(Configurable):  # the server's section: this one setting of it
        preload_modules = List(Unicode(), default_value=list(DEFAULT_PRELOAD)).tag(config=True)

    return list(OrchestLab(config=config).preload_modules)


def executor_maker(args: argparse.Namespace) -> Callable[..., Executor]:
    """What makes the executor `--executor` names (or the configuration does), with its
    settings from the Jupyter configuration and `--set`; checked now, made later (the options
    given to it then go over the settings; those of the local executor only to it)."""
    from traitlets.utils.importstring import import_item

    from ..executors.base import Executor
    from ..executors.local import LocalExecutor

    config = jupyter_config(args.settings)
    name = args.executor or config.get("OrchestLab", {}).get("executor_class") or "local"
    if not isinstance(name, str):  # a class in a Python configuration file
        chosen = name
    else:
        try:
            chosen = import_item(EXECUTORS.get(name, name))
        except (ImportError, AttributeError, ValueError) as err:
            raise CommandError(f"--executor {name}: no such executor ({err})") from err
    if not (isinstance(chosen, type) and issubclass(chosen, Executor)):
        raise CommandError(f"--executor {name}: not an orchest-lab Executor")
    executor_class: type[Executor] = chosen

    def make(**options: Any) -> Executor:
        if not issubclass(executor_class, LocalExecutor):
            options = {k: v for k, v in options.items() if k in ("workdir", "environments")}
        else:
            options.setdefault("preload_modules", configured_preload(config))
        if "instance" in executor_class.class_trait_names():
            import uuid

            # A label of its own: a server's start-up clean-up never takes this command's
            # Jobs for ones it left behind.
            options["instance"] = f"cli-{uuid.uuid4().hex[:12]}"
        return executor_class(config=config, **options)

    return make
