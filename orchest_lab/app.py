"""The Jupyter Server extension: configuration (`c.OrchestLab.*`), services and routes."""

from __future__ import annotations

from pathlib import Path

from jupyter_server.extension.application import ExtensionApp
from traitlets import List, Unicode

from .handlers import routes
from .services import PipelineService
from .services.pipelines import DEFAULT_EXCLUDE


class OrchestLab(ExtensionApp):
    name = "orchest_lab"
    description = "Orchest-style visual data pipelines in JupyterLab."

    pipeline_search_exclude = List(
        Unicode(),
        default_value=list(DEFAULT_EXCLUDE),
        help="Glob patterns of file and folder names that the search for pipelines skips.",
    ).tag(config=True)

    def initialize_settings(self) -> None:
        assert self.serverapp is not None
        root = Path(self.serverapp.root_dir)
        self.pipelines = PipelineService(root, self.pipeline_search_exclude)
        self.log.info("orchest-lab: serving pipelines under %s", root)

    def initialize_handlers(self) -> None:
        self.handlers.extend(routes())
