"""The Jupyter Server extension: configuration (`c.OrchestLab.*`), services and routes."""

from __future__ import annotations

from pathlib import Path

from jupyter_core.paths import jupyter_data_dir
from jupyter_server.extension.application import ExtensionApp
from traitlets import Bool, Int, List, Unicode

from .events import EventBusListener, register_schemas
from .executors.local import LocalExecutor
from .handlers import routes
from .pipeline.project import DEFAULT_EXCLUDE
from .runs.data_dir import resolve_data_dir
from .runs.engine import RunEngine
from .runs.kernels import DEFAULT_KERNEL
from .runs.slots import StepSlots
from .services import PipelineService
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
    fork_kernels = Bool(
        True,
        help="Start Python kernels by forking a process that has imported ipykernel already "
        "(about 5 times less CPU per kernel than starting a new interpreter).",
    ).tag(config=True)

    def initialize_settings(self) -> None:
        assert self.serverapp is not None
        assert self.serverapp.event_logger is not None
        assert self.serverapp.kernel_spec_manager is not None
        root = Path(self.serverapp.root_dir)
        state = Path(self.state_dir or Path(jupyter_data_dir()) / "orchest-lab")
        self.pipelines = PipelineService(root, self.pipeline_search_exclude)
        self.store = RunStore(state / "state.db")
        aborted = self.store.abort_in_flight(RESTART_REASON)
        if aborted:
            self.log.warning("orchest-lab: marked %d interrupted run(s) as aborted", aborted)
        self.executor = LocalExecutor(
            self.serverapp.kernel_spec_manager,
            pool_size=self.kernel_pool_size,
            neutral_cwd=str(root),
            fork_kernels=self.fork_kernels,
        )
        register_schemas(self.serverapp.event_logger)
        self.engine = RunEngine(
            self.executor,
            EventBusListener(self.serverapp.event_logger),
            StepSlots(self.max_parallel_steps),
            saver=self.store,
        )
        self.runs = RunService(
            self.pipelines,
            self.engine,
            self.store,
            resolve_data_dir(self.data_dir),
            self.serverapp.kernel_spec_manager,
        )
        self.log.info("orchest-lab: serving pipelines under %s", root)

    def initialize_handlers(self) -> None:
        self.handlers.extend(routes())

    async def _start_jupyter_server_extension(self, serverapp: object) -> None:
        # Once the server runs: the default kernels get ready so that a first run does not
        # wait for a kernel start (kernel_pool_size = 0 turns this off).
        if self.kernel_pool_size > 0:
            self.executor.warm_up(DEFAULT_KERNEL)

    async def stop_extension(self) -> None:
        await self.engine.shutdown("the server stopped")
        await self.executor.close()
        await self.store.flush()
        self.store.close()
