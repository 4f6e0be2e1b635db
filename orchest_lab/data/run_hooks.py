"""What a run does with data: record each step's success with its fingerprint, and clean up the
memory store when the run ends.

The rule: outputs of an interactive run stay (JupyterLab kernels can read the last run's data);
a job run (`kind` "job", its steps get ORCHEST_MEMORY_EVICTION) has a memory store of its own,
frees each output once every step after it read it, and removes all its outputs from memory
when it ends; a cancelled run
removes what its unfinished steps wrote. The server removes the stores of pipelines that no
longer exist, and unfinished writes, when it starts.
"""

from __future__ import annotations

import logging
from pathlib import Path

from ..records import RunRecord, Status, now
from .fingerprints import Fingerprint
from .ledger import Recorded, record
from .outputs import remove_job_run_root, remove_outputs, step_outputs

log = logging.getLogger(__name__)


class RunDataHooks:
    """The run engine's hooks (RunHooks) for the data a run's steps pass."""

    def __init__(
        self,
        memory_root: Path,
        project: Path,
        pipeline_uuid: str,
        fingerprints: dict[str, Fingerprint],
        own_store: bool,
    ) -> None:
        self.memory_root = memory_root
        self.project = project
        self.pipeline_uuid = pipeline_uuid
        self.fingerprints = fingerprints
        self.own_store = own_store  # a job run's memory store, removed when the run ends

    @property
    def state_dir(self) -> Path:
        return self.project / ".orchest" / "pipelines" / self.pipeline_uuid

    def step_succeeded(self, run: RunRecord, step_uuid: str) -> None:
        fingerprint = self.fingerprints.get(step_uuid)
        if fingerprint is None or not self.pipeline_uuid:
            return
        stored = step_outputs(self.memory_root, self.project, self.pipeline_uuid, [step_uuid])
        outputs = stored.get(step_uuid)
        wrote = outputs is not None and any(
            o is not None and o.run_uuid == run.id for o in (outputs.memory, outputs.disk)
        )
        record(self.state_dir, step_uuid, Recorded(fingerprint, run.id, now(), wrote))

    def run_ended(self, run: RunRecord, status: Status) -> None:
        if not self.pipeline_uuid:
            return
        if self.own_store:  # a job run: its memory store goes (it has one of its own)
            steps = list(run.steps)
            remove_outputs(
                self.memory_root, self.project, self.pipeline_uuid, run.id, steps, disk=False
            )
            remove_job_run_root(self.memory_root)
        if status is Status.ABORTED:
            unfinished = [u for u, s in run.steps.items() if s.status is not Status.SUCCESS]
            remove_outputs(
                self.memory_root, self.project, self.pipeline_uuid, run.id, unfinished, disk=True
            )
