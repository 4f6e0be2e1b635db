"""The Jupyter Server extension: configuration (`c.OrchestLab.*`), services and routes."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from jupyter_core.paths import jupyter_data_dir
from jupyter_server.extension.application import ExtensionApp
from traitlets import Bool, Int, List, Unicode

from .data.outputs import default_memory_root, remove_stale_stores
from .environments.builds import EnvironmentBuilds
from .environments.kernelspecs import SDK_PATH, project_kernel_env
from .environments.resolver import RunEnvironments
from .environments.usage import set_notebook_kernels
from .events import BuildEventsListener, EventBusListener, register_schemas
from .executors.local import LocalExecutor
from .executors.orphans import reap, record_groups_in
from .handlers import routes
from .pipeline import PIPELINE_SUFFIX, PipelineLoadError, find_project_root
from .pipeline.project import DEFAULT_EXCLUDE, project_uuid
from .runs.data_dir import resolve_data_dir
from .runs.engine import RunEngine
from .runs.kernels import DEFAULT_KERNEL
from .runs.slots import StepSlots
from .services import PipelineService
from .services.data import DataService
from .services.environments import EnvironmentService
from .services.runs import RunService
from .store import RunStore

RESTART_REASON = "the server stopped while the run was in progress"


class OrchestLab(ExtensionApp):
    name = "orchest_lab"
    description = "Orchest-style visual data pipelines in JupyterLab."

    pipeline_search_exclude = List(
        Unicode(),
        default_value=list(DEFAULT_EXCLUDE),
        help="Glob patterns of file and folder names that the search for pipelines skips.",
    ).tag(config=True)
    data_dir = Unicode(
        "",
        help="The data folder all steps share (ORCHEST_DATA_DIR). Empty: /data when it exists or "
        "can be created, else <Jupyter data dir>/orchest-lab/data.",
    ).tag(config=True)
    memory_dir = Unicode(
        "",
        help="Where outputs passed in memory live, a folder per pipeline (ORCHEST_MEMORY_DIR). "
        "Empty: /dev/shm/orchest-lab-<user id> (shared memory) on Linux, else a temporary folder.",
    ).tag(config=True)
    state_dir = Unicode(
        "", help="Where orchest-lab keeps its database. Empty: <Jupyter data dir>/orchest-lab."
    ).tag(config=True)
    max_parallel_steps = Int(
        32, help="How many steps may run at once across all runs of the server (0: no limit)."
    ).tag(config=True)
    kernel_pool_size = Int(
        2,
        help="Fresh kernels kept ready per kernelspec, so that steps do not wait for one "
        "(more are started as soon as a run needs them).",
    ).tag(config=True)
    build_environments_on_run = Bool(
        True,
        help="Build a step's environment before running the step when it is not built or its "
        "definition changed (else such a step fails, saying so).",
    ).tag(config=True)
    max_parallel_builds = Int(1, help="How many environment builds may run at once.").tag(
        config=True
    )
    fork_kernels = Bool(
        True,
        help="Start Python kernels by forking a process that has imported ipykernel already "
        "(about 5 times less CPU per kernel than starting a new interpreter).",
    ).tag(config=True)

    def initialize_settings(self) -> None:
        assert self.serverapp is not None
        events = self.serverapp.event_logger
        kernel_specs = self.serverapp.kernel_spec_manager
        assert events is not None and kernel_specs is not None
        root = Path(self.serverapp.root_dir)
        state = Path(self.state_dir or Path(jupyter_data_dir()) / "orchest-lab")
        data_dir = resolve_data_dir(self.data_dir)
        register_schemas(events)
        memory_root = self._prepare_data_passing()
        self.pipelines = PipelineService(root, self.pipeline_search_exclude, memory_root)
        self.data = DataService(self.pipelines)
        self.store = RunStore(state / "state.db")
        aborted = self.store.abort_in_flight(RESTART_REASON)
        if aborted:
            self.log.warning("orchest-lab: marked %d interrupted run(s) as aborted", aborted)
        # Processes that steps of a crashed server left running are stopped before runs begin.
        killed = reap(state / "step-processes")
        if killed:
            self.log.warning("orchest-lab: stopped %d process(es) left by steps", len(killed))
        record_groups_in(state / "step-processes")
        self.builds = EnvironmentBuilds(
            state,
            BuildEventsListener(events),
            kernel_env=lambda project: project_kernel_env(project, project_uuid(project), data_dir),
            max_parallel=self.max_parallel_builds,
        )
        if self.builds.recover():
            self.log.warning("orchest-lab: environment builds interrupted by a stop have failed")
        self.environments = EnvironmentService(self.pipelines, self.builds)
        self.executor = LocalExecutor(
            kernel_specs,
            pool_size=self.kernel_pool_size,
            neutral_cwd=str(root),
            fork_kernels=self.fork_kernels,
            environments=RunEnvironments(
                self.builds, self.build_environments_on_run, self.environments.label
            ),
        )
        self.engine = RunEngine(
            self.executor, EventBusListener(events), StepSlots(self.max_parallel_steps), self.store
        )
        self.runs = RunService(self.pipelines, self.engine, self.store, data_dir, kernel_specs)
        self.serverapp.contents_manager.register_post_save_hook(self._pipeline_saved)
        self.log.info("orchest-lab: serving pipelines under %s", root)

    def _prepare_data_passing(self) -> Path:
        """Kernels this server starts (JupyterLab's too) inherit its environment: they get the
        SDK first on their Python path (`import orchest`) and the memory stores' folder. Stores
        of pipelines that no longer exist, and unfinished writes, are removed."""
        memory_root = (
            Path(self.memory_dir).expanduser().absolute()
            if self.memory_dir
            else default_memory_root()
        )
        os.environ["ORCHEST_MEMORY_DIR"] = str(memory_root)
        paths = [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p]
        if str(SDK_PATH) not in paths:
            os.environ["PYTHONPATH"] = os.pathsep.join([str(SDK_PATH), *paths])
        removed = remove_stale_stores(memory_root)
        if removed:
            self.log.info("orchest-lab: removed the data of %d deleted pipeline(s)", len(removed))
        return memory_root

    def _pipeline_saved(self, model: dict[str, Any], os_path: str, **kwargs: Any) -> None:
        """A pipeline saved from JupyterLab: its notebooks get their environments' kernels."""
        path = Path(os_path)
        # A folder such as `.orchest/` ends with the suffix too.
        if not os_path.endswith(PIPELINE_SUFFIX) or not path.is_file():
            return
        try:
            project = find_project_root(path, self.pipelines.root)
            for notebook in set_notebook_kernels(path, project):
                self.log.info("orchest-lab: %s now uses its environment's kernel", notebook)
        except PipelineLoadError as err:  # new, or being written: the editor shows why
            self.log.debug("orchest-lab: %s is not a pipeline yet: %s", path, err)
        except Exception:  # a failing hook must not fail the save
            self.log.warning("orchest-lab: could not set the kernels of %s", path, exc_info=True)

    def initialize_handlers(self) -> None:
        self.handlers.extend(routes())

    async def _start_jupyter_server_extension(self, serverapp: object) -> None:
        # Once the server runs: the default kernels get ready so that a first run does not
        # wait for a kernel start (kernel_pool_size = 0 turns this off).
        if self.kernel_pool_size > 0:
            self.executor.warm_up(DEFAULT_KERNEL)

    async def stop_extension(self) -> None:
        await self.engine.shutdown("the server stopped")
        await self.builds.close()
        await self.executor.close()
        await self.store.flush()
        self.store.close()
