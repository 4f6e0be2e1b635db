"""The Jupyter Server extension: configuration (`c.OrchestLab.*`), services and routes."""

from __future__ import annotations

import asyncio
import gc
import os
import sys
from pathlib import Path
from typing import Any

from jupyter_core.paths import jupyter_data_dir
from jupyter_server.extension.application import ExtensionApp
from tornado.ioloop import IOLoop
from traitlets import Bool, Float, Int, List, Type, Unicode

from .data.outputs import default_memory_root, private_memory_root, remove_stale_stores
from .environments.builds import EnvironmentBuilds
from .environments.kernelspec_manager import ProjectKernelSpecManager
from .environments.kernelspecs import SDK_PATH, project_kernel_env
from .environments.resolver import RunEnvironments
from .environments.usage import set_notebook_kernels
from .events import BuildEventsListener, EventBusListener, JobEventsListener, register_schemas
from .executors.base import Executor
from .executors.kubernetes import KubernetesExecutor  # its client loads only when used
from .executors.kubernetes.kernels import write_cluster_kernelspecs
from .executors.live_file import remove_interrupted_writes
from .executors.local import DEFAULT_PRELOAD, LocalExecutor
from .executors.orphans import reap, record_groups_in
from .handlers import routes
from .jobs.manager import JobManager
from .jobs.webhook import FailureWebhook, WebhookSettings
from .pipeline import PIPELINE_SUFFIX, PipelineLoadError, find_project_root
from .pipeline.project import DEFAULT_EXCLUDE, project_uuid
from .records import JobRecord
from .runs.data_dir import resolve_data_dir
from .runs.engine import PreparedRun, RunEngine
from .runs.prepare import interrupted_notebooks
from .runs.slots import StepSlots
from .services import PipelineService, Services
from .services.data import DataService
from .services.environments import EnvironmentService
from .services.interchange import InterchangeService
from .services.job_launch import prepare_job_run
from .services.jobs import JobService, JobSettings
from .services.planning import RunPlanner
from .services.runs import RunService
from .store import Database, RunStore
from .store.jobs import JobStore

RESTART_REASON = "the server stopped while the run was in progress"


def _load_run_libraries() -> None:
    import nbformat

    from .data.outputs import preload

    nbformat.validate(nbformat.v4.new_notebook())
    preload()


class OrchestLab(ExtensionApp):
    name = "orchest_lab"
    description = "Orchest-style visual data pipelines in JupyterLab."
    classes = [LocalExecutor, KubernetesExecutor]  # their settings in --help-all

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
    executor_class = Type(
        default_value=LocalExecutor,
        klass=Executor,
        help="The executor that runs steps (its settings: c.<ExecutorClass>.*). Default: "
        "orchest_lab.executors.local.LocalExecutor, on this machine.",
    ).tag(config=True)
    preload_modules = List(
        Unicode(),
        default_value=list(DEFAULT_PRELOAD),
        help="Modules that the processes Python kernels of steps are forked from import once, "
        "so that a step's imports of them cost nothing (each one only when the kernel's Python "
        "has it). Each step still gets a fresh process in which nothing ran.",
    ).tag(config=True)
    build_environments_on_run = Bool(
        True,
        help="Build a step's environment before running the step when it is not built or its "
        "definition changed (else such a step fails, saying so).",
    ).tag(config=True)
    max_parallel_builds = Int(1, help="How many environment builds may run at once.").tag(
        config=True
    )
    jobs_dir = Unicode(
        "", help="Where jobs keep their snapshots and runs. Empty: <state_dir>/jobs."
    ).tag(config=True)
    max_parallel_job_runs = Int(
        4, help="Runs of jobs executing at once (0: no limit); the others wait their turn."
    ).tag(config=True)
    max_job_runs = Int(
        1000, help="The most runs one occurrence of a job may start (its parameter combinations)."
    ).tag(config=True)
    max_snapshot_size = Int(
        1 << 30, help="Bytes a job's snapshot of its project may take (0: no limit)."
    ).tag(config=True)
    job_failure_webhook = Unicode(
        "",
        help="A URL POSTed when a run of a job fails, for jobs that have no webhook of their own.",
    ).tag(config=True)
    job_webhook_secret = Unicode(
        "", help="The secret that signs (HMAC-SHA256) what job_failure_webhook is sent."
    ).tag(config=True)
    build_timeout = Float(
        3600, help="Seconds an environment build may take before it fails (0: no limit)."
    ).tag(config=True)
    gil_switch_interval = Float(
        0.001,
        help="Python's thread switch interval in the server, in seconds (0: Python's default, "
        "5 ms). Notebooks are serialised and files written in worker threads; each time the "
        "event loop gives up the GIL for a system call it may wait this long to get it back, "
        "so a shorter interval keeps the server answering while runs print a lot.",
    ).tag(config=True)

    gc_freeze_at_start = Bool(
        True,
        help="Once the server has started, move the objects it holds (its imports, handlers, "
        "settings: a few hundred thousand) out of the garbage collector's passes (gc.freeze). "
        "A full pass over them took up to a quarter of a second, in whichever thread it fell, "
        "holding the GIL: while a big run is started or watched, the server did not answer.",
    ).tag(config=True)

    def initialize_settings(self) -> None:
        assert self.serverapp is not None
        if self.gil_switch_interval > 0:
            sys.setswitchinterval(self.gil_switch_interval)
        if self.gc_freeze_at_start:
            IOLoop.current().add_callback(_freeze_startup_objects)
        events = self.serverapp.event_logger
        kernel_specs = self.serverapp.kernel_spec_manager
        assert events is not None and kernel_specs is not None
        root = Path(self.serverapp.root_dir)
        state = Path(self.state_dir or Path(jupyter_data_dir()) / "orchest-lab")
        self._state = state
        data_dir = resolve_data_dir(self.data_dir)
        register_schemas(events)
        memory_root = self._prepare_data_passing()
        self.pipelines = PipelineService(root, self.pipeline_search_exclude, memory_root)
        self.data = DataService(self.pipelines)
        self.database = Database(state / "state.db")
        self.store = RunStore(self.database)
        aborted = self.store.abort_in_flight(RESTART_REASON)
        if aborted:
            self.log.warning("orchest-lab: marked %d interrupted run(s) as aborted", len(aborted))
            remove_interrupted_writes(interrupted_notebooks(aborted, root))
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
            timeout=self.build_timeout,
        )
        if self.builds.recover():
            self.log.warning("orchest-lab: environment builds interrupted by a stop have failed")
        self.environments = EnvironmentService(self.pipelines, self.builds)
        self.executor = self._make_executor(kernel_specs, root)
        self.engine = RunEngine(
            self.executor, EventBusListener(events), StepSlots(self.max_parallel_steps), self.store
        )
        self.executor.runs_in_progress = lambda: [run.id for run in self.engine.active()]
        self.planner = RunPlanner(self.pipelines, data_dir, kernel_specs)
        self.runs = RunService(self.planner, self.engine, self.store)
        self.jobs = self._make_jobs(events, state, root, data_dir, kernel_specs)
        self.services = Services(
            self.pipelines,
            self.planner,
            self.runs,
            self.data,
            self.environments,
            self.jobs,
            InterchangeService(self.pipelines),
        )
        self.serverapp.contents_manager.register_post_save_hook(self._pipeline_saved)
        self.log.info("orchest-lab: serving pipelines under %s", root)

    def _make_jobs(
        self, events: Any, state: Path, root: Path, data_dir: Path, kernel_specs: Any
    ) -> JobService:
        jobs_dir = Path(self.jobs_dir).expanduser().absolute() if self.jobs_dir else state / "jobs"
        job_store = JobStore(self.database)
        self.webhook = FailureWebhook(
            job_store,
            WebhookSettings(
                default_url=self.job_failure_webhook,
                default_secret=self.job_webhook_secret,
                base_url=self.serverapp.connection_url if self.serverapp else "",
            ),
        )

        def prepare(job: JobRecord, combination: dict[str, Any]) -> PreparedRun:
            return prepare_job_run(
                job, combination, root=root, data_dir=data_dir, kernel_specs=kernel_specs
            )

        self.job_manager = JobManager(
            job_store,
            self.store,
            self.engine,
            prepare,
            JobEventsListener(events),
            max_parallel_runs=self.max_parallel_job_runs,
            on_failure=self.webhook,
        )
        settings = JobSettings(jobs_dir, data_dir, self.max_job_runs, self.max_snapshot_size)
        return JobService(self.planner, self.job_manager, self.runs, job_store, settings)

    def _make_executor(self, kernel_specs: Any, root: Path) -> Executor:
        environments = RunEnvironments(
            self.builds, self.build_environments_on_run, self.environments.label
        )
        options: dict[str, Any] = {}
        if issubclass(self.executor_class, LocalExecutor):
            options["preload_modules"] = self.preload_modules
        executor: Executor = self.executor_class(
            parent=self,
            environments=environments,
            workdir=str(root),
            kernel_spec_manager=kernel_specs,  # the server's, with its settings
            **options,
        )
        self.log.info("orchest-lab: steps run with %s", type(executor).__name__)
        return executor

    def _prepare_data_passing(self) -> Path:
        """Kernels this server starts (JupyterLab's too) inherit its environment: they get the
        SDK first on their Python path (`import orchest`) and the memory stores' folder. Stores
        of pipelines that no longer exist, and unfinished writes, are removed."""
        preferred = (
            Path(self.memory_dir).expanduser().absolute()
            if self.memory_dir
            else default_memory_root()
        )
        memory_root, refused = private_memory_root(preferred)
        if refused:
            self.log.warning("orchest-lab: the memory store folder %s", refused)
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
        # Once the server runs, the executor gets ready so that a first run does not wait
        # (the local one starts the default kernels; c.LocalExecutor.kernel_pool_size = 0: not).
        await self.executor.warm_up()
        await self._start_kernels_in_cluster()
        await self.job_manager.start()
        # What the first run would otherwise load in a thread while holding the interpreter
        # (pyarrow for its data, nbformat's schema validator for its notebooks): load it now.
        self._warming = asyncio.ensure_future(asyncio.to_thread(_load_run_libraries))

    async def _start_kernels_in_cluster(self) -> None:
        """With c.KubernetesExecutor.kernels_in_cluster, environments with an image get
        kernelspecs that start their kernels as pods (after warm-up: the volumes are known)."""
        executor = self.executor
        if not (isinstance(executor, KubernetesExecutor) and executor.kernels_in_cluster):
            return
        specs = self.serverapp.kernel_spec_manager if self.serverapp else None
        if not isinstance(specs, ProjectKernelSpecManager):
            self.log.warning(
                "orchest-lab: kernels_in_cluster needs c.ServerApp.kernel_spec_manager_class "
                "= ProjectKernelSpecManager (the package's server configuration sets it)"
            )
            return
        specs.cluster_kernels = await asyncio.to_thread(
            write_cluster_kernelspecs,
            self._state / "cluster-kernels",
            dict(executor.images),
            executor.kernel_settings(),
        )
        self.log.info(
            "orchest-lab: kernels of %d environment(s) start in the cluster",
            len(specs.cluster_kernels),
        )

    async def stop_extension(self) -> None:
        await self.job_manager.close()
        await self.webhook.close()
        await self.engine.shutdown("the server stopped")
        await self.builds.close()
        await self.executor.close()
        await self.database.flush()
        self.database.close()


def _freeze_startup_objects() -> None:
    """Run once the server's loop runs (every extension loaded): collect what start-up left,
    then keep the rest out of later passes."""
    gc.collect()
    gc.freeze()
