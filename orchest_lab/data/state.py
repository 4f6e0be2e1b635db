"""What is known of a pipeline's outputs: for plans (available, up to date, why not) and for the
API (every output, its size, transport and freshness, and the memory used)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..pipeline import Dag, PipelineDocument, StepData
from .fingerprints import Fingerprint, compute_fingerprints
from .ledger import Recorded, read_ledger
from .outputs import StepOutputs, data_dir, memory_used, step_outputs, store_dir

if TYPE_CHECKING:
    from ..sdk.orchest._store import StoredOutput

_MAX_NAMED = 3


@dataclass
class PipelineData:
    """Fingerprints, last successes and stored outputs of a pipeline's steps."""

    document: PipelineDocument
    dag: Dag
    fingerprints: dict[str, Fingerprint]
    recorded: dict[str, Recorded]
    outputs: dict[str, StepOutputs]

    def up_to_date(self, uuid: str) -> bool:
        return not self.why_outdated(uuid)

    def why_outdated(self, uuid: str) -> str:
        """Why the step's stored results cannot be reused ("" when they can)."""
        current = self.fingerprints[uuid]
        recorded = self.recorded.get(uuid)
        if recorded is None:
            return "no successful run is recorded"
        changes = self._changes(uuid, recorded.fingerprint, current)
        if changes:
            return ", ".join(changes)
        if recorded.output:
            stored = self.outputs.get(uuid)
            output = stored.current if stored is not None else None
            if output is None:
                return "its output is gone"
            if output.fingerprint != current.value:
                return "its output was replaced since its last run (by a kernel or another run)"
        return ""

    def _changes(self, uuid: str, before: Fingerprint, now: Fingerprint) -> list[str]:
        if before.value == now.value:
            return []
        changes = []
        if before.file != now.file:
            changes.append("its file changed")
        if before.parameters != now.parameters:
            changes.append("its parameters changed")
        if before.environment != now.environment:
            changes.append("its environment changed")
        if before.parents != now.parents:
            parents = self.dag.parents[uuid]
            if len(before.parents) != len(parents):
                changes.append("its incoming connections changed")
            else:
                changed = [
                    self.document.step_title(p)
                    for p, old, new in zip(parents, before.parents, now.parents, strict=True)
                    if old != new
                ]
                named = ", ".join(f"'{t}'" for t in changed[:_MAX_NAMED])
                more = " and more" if len(changed) > _MAX_NAMED else ""
                changes.append(f"{named}{more} changed" if named else "an input changed")
        return changes or ["its fingerprint changed"]

    def output_up_to_date(self, step_uuid: str, output: StoredOutput) -> bool:
        """Whether `output` is what the step would output now: the one get_inputs reads,
        written with the step's current fingerprint, and the step itself up to date."""
        stored = self.outputs.get(step_uuid)
        fingerprint = self.fingerprints.get(step_uuid)
        return (
            stored is not None
            and output is stored.current
            and fingerprint is not None
            and output.fingerprint == fingerprint.value
            and self.up_to_date(step_uuid)
        )

    def plan_state(self) -> dict[str, StepData]:
        state = {}
        for uuid, fingerprint in self.fingerprints.items():
            why = self.why_outdated(uuid)
            stored = self.outputs.get(uuid)
            available = stored is not None and stored.current is not None
            state[uuid] = StepData(fingerprint.value, available, not why, why)
        return state


def pipeline_data(
    document: PipelineDocument,
    pipeline_file: Path,
    project: Path,
    memory_root: Path,
    parameters: dict[str, Any] | None = None,
    dag: Dag | None = None,
) -> PipelineData:
    dag = dag or Dag.from_steps(document.steps)
    fingerprints = compute_fingerprints(document, pipeline_file.parent, parameters, dag)
    uuid = document.uuid or ""
    state = project / ".orchest" / "pipelines" / uuid
    recorded = read_ledger(state) if uuid else {}
    outputs = step_outputs(memory_root, project, uuid, list(document.steps)) if uuid else {}
    return PipelineData(document, dag, fingerprints, recorded, outputs)


def outputs_report(data: PipelineData, memory_root: Path, project: Path) -> dict[str, Any]:
    """Every stored output of the pipeline (both transports when a step wrote both), which one
    get_inputs reads, and totals."""
    document = data.document
    uuid = document.uuid or ""
    entries = []
    totals = {"memory": 0, "disk": 0}
    for step_uuid, stored in data.outputs.items():
        current = stored.current
        for output in (stored.memory, stored.disk):
            if output is None:
                continue
            totals[output.transport] += output.nbytes
            entries.append(
                {
                    "step": step_uuid,
                    "title": document.step_title(step_uuid),
                    "name": output.name,
                    "transport": output.transport,
                    "serialization": output.serialization,
                    "type": output.kind,
                    "bytes": output.nbytes,
                    "timestamp": output.timestamp,
                    "fingerprint": output.fingerprint,
                    "run": output.run_uuid,
                    "current": output is current,
                    "up_to_date": data.output_up_to_date(step_uuid, output),
                    "summary": output.summary,
                }
            )
    from .outputs import _store_module

    budget = _store_module().parse_memory_size(document.settings.get("data_passing_memory_size"))
    return {
        "pipeline_uuid": uuid,
        "memory_dir": str(store_dir(memory_root, project, uuid)),
        "data_dir": str(data_dir(project, uuid)),
        "outputs": entries,
        "totals": {
            "outputs": len(entries),
            "memory_bytes": memory_used(memory_root, project, uuid),
            "disk_bytes": totals["disk"],
            "memory_budget_bytes": budget,
        },
    }
