"""What the Kubernetes executor itself costs per step, on the fake API server of tests/fakekube,
next to the local executor running the same steps in the same process.

The steps are one-line scripts that print their clock (CLOCK_MONOTONIC, shared by every process
of the machine), so that what is measured is the executor, not the steps:

1. A chain of 20 steps, one at a time: the wall time per step of each executor, and the event
   loop's CPU per step (the loop thread's CPU time: the executor's threads are not counted, the
   point being that the loop is not where the client waits).
2. The Kubernetes executor's own parts, per step (medians): building the manifest; the create
   call; the watch (from the fake recording a change of the Job or pod to the executor's state
   having it); the log (from the step printing to the server applying the line); applying a
   line (on the event loop); the end (from the fake recording the Job's Complete condition to
   the engine ending the step).
3. 20 independent steps at once: the wall time of the run, each executor.

The fake runs a pod as two processes (the runner, then the script's interpreter) where the
local executor starts one; a real cluster adds what the README's "Kubernetes" section says.
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

import contextlib

from fakekube import FakeKube
from fakekube.store import Store

from orchest_lab.executors.base import Executor
from orchest_lab.executors.kubernetes import KubernetesExecutor, executor, step
from orchest_lab.executors.kubernetes.api import KubeApi
from orchest_lab.executors.kubernetes.live import PodReports
from orchest_lab.executors.kubernetes.watch import ClusterState
from orchest_lab.executors.local import LocalExecutor
from orchest_lab.pipeline import PipelineDocument
from orchest_lab.runs.engine import RunEngine
from orchest_lab.runs.slots import StepSlots
from orchest_lab.services.pipelines import PipelineService
from orchest_lab.services.planning import RunPlanner, RunRequest

STEPS = 20
IMAGE = "orchest-lab/step:bench"
SCRIPT = "import time\nprint(time.monotonic(), flush=True)\n"


class Probe:
    """Times of what happens, from wrappers around the fake's store and the executor's parts."""

    def __init__(self) -> None:
        self.recorded: dict[tuple[str, str, str], float] = {}  # (kind, name, version) -> when
        self.completed: dict[str, float] = {}  # Job -> when the fake recorded Complete
        self.parts: dict[str, list[float]] = {
            k: [] for k in ("manifest", "create", "watch", "log", "apply", "end")
        }

    def install(self) -> None:
        probe = self
        record = Store._record

        def recorded(store: Store, kind: str, namespace: str, type_: str, obj: Any) -> None:
            now = time.monotonic()
            meta = obj["metadata"]
            probe.recorded[(kind, meta["name"], meta["resourceVersion"])] = now
            conditions = (obj.get("status") or {}).get("conditions") or []
            if kind == "jobs" and any(c["type"] == "Complete" for c in conditions):
                probe.completed.setdefault(meta["name"], now)
            record(store, kind, namespace, type_, obj)

        Store._record = recorded  # type: ignore[method-assign]

        changed = ClusterState.changed

        def seen(state: ClusterState, kind: str, kind_of_event: str, obj: Any) -> None:
            meta = obj["metadata"]
            when = probe.recorded.get((kind, meta["name"], meta["resourceVersion"]))
            if when is not None:
                probe.parts["watch"].append(time.monotonic() - when)
            changed(state, kind, kind_of_event, obj)

        ClusterState.changed = seen  # type: ignore[method-assign]

        manifest = executor.step_job

        def timed_manifest(*args: Any) -> Any:
            start = time.perf_counter()
            try:
                return manifest(*args)
            finally:
                probe.parts["manifest"].append(time.perf_counter() - start)

        executor.step_job = timed_manifest

        create = KubeApi.create_job

        def timed_create(api: KubeApi, body: Any) -> Any:
            start = time.perf_counter()
            try:
                return create(api, body)
            finally:
                probe.parts["create"].append(time.perf_counter() - start)

        KubeApi.create_job = timed_create  # type: ignore[method-assign]

        take = PodReports.take

        def timed_take(reports: PodReports, items: list[Any]) -> None:
            now = time.monotonic()
            for item in items:
                if isinstance(item, dict) and item.get("t") == "stream":
                    with contextlib.suppress(ValueError):
                        probe.parts["log"].append(now - float(item["text"]))
            start = time.perf_counter()
            take(reports, items)
            probe.parts["apply"].append((time.perf_counter() - start) / max(1, len(items)))

        PodReports.take = timed_take  # type: ignore[method-assign]

        run = step.StepJob.run

        async def timed_run(job: step.StepJob) -> None:
            await run(job)
            completed = probe.completed.get(job.name)
            if completed is not None:
                probe.parts["end"].append(time.monotonic() - completed)

        step.StepJob.run = timed_run  # type: ignore[method-assign]


def write_pipeline(folder: Path, name: str, chain: bool) -> str:
    document = PipelineDocument.new(name)
    ids = [f"step-{i:02d}" for i in range(STEPS)]
    for i, step_id in enumerate(ids):
        (folder / f"{step_id}.py").write_text(SCRIPT)
        document.data["steps"][step_id] = {
            "uuid": step_id,
            "title": f"Step {i}",
            "file_path": f"{step_id}.py",
            "incoming_connections": [ids[i - 1]] if chain and i else [],
            "environment": "",
            "parameters": {},
        }
    document.save(folder / f"{name}.orchest")
    return f"{name}.orchest"


class _Quiet:
    def __getattr__(self, name: str) -> Callable[..., None]:
        return lambda *args: None


async def run(executor: Executor, folder: Path, pipeline: str) -> tuple[float, float]:
    """(wall seconds, loop-thread CPU seconds) of one run."""
    planner = RunPlanner(PipelineService(folder), folder / "data")
    prepared = await asyncio.to_thread(
        lambda: planner.prepare(planner.plan(RunRequest.for_file(pipeline)))
    )
    engine = RunEngine(executor, _Quiet(), StepSlots(0))
    cpu, wall = time.thread_time(), time.perf_counter()
    record = await engine.wait(engine.start(prepared).id)
    wall, cpu = time.perf_counter() - wall, time.thread_time() - cpu
    assert record is not None and record.status.value == "SUCCESS", record
    return wall, cpu


async def measure(executor: Executor, folder: Path) -> dict[str, tuple[float, float]]:
    chain, wide = write_pipeline(folder, "chain", True), write_pipeline(folder, "wide", False)
    try:
        await run(executor, folder, chain)  # warm: connections, watches, imports
        return {
            "chain": await run(executor, folder, chain),
            "wide": await run(executor, folder, wide),
        }
    finally:
        await executor.close()


def ms(seconds: float) -> str:
    return f"{seconds * 1000:8.2f} ms"


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="bench-kubernetes-") as tmp:
        work = Path(tmp)
        local_folder, kube_folder = work / "local", work / "kube"
        local_folder.mkdir()
        kube_folder.mkdir()
        local = asyncio.run(measure(LocalExecutor(workdir=str(local_folder)), local_folder))

        kube = FakeKube(
            work / "fake", images={IMAGE: Path(sys.executable).parent}, claims={"work": work}
        )
        probe = Probe()
        probe.install()
        settings = {
            "kubeconfig": str(kube.kubeconfig(work / "kubeconfig")),
            "default_image": IMAGE,
            "project_volume": {
                "claim_name": "work",
                "sub_path": "kube",
                "mount_path": str(kube_folder),
            },
            "instance": "bench",
        }
        try:
            kubernetes = asyncio.run(
                measure(KubernetesExecutor(**settings, workdir=str(kube_folder)), kube_folder)
            )
        finally:
            kube.close()

    print(f"1. a chain of {STEPS} one-line script steps, one at a time (per step)")
    print("                       wall          event-loop CPU")
    for name, figures in (("local", local), ("kubernetes (fake)", kubernetes)):
        wall, cpu = figures["chain"]
        print(f"   {name:18} {ms(wall / STEPS)}   {ms(cpu / STEPS)}")
    print("2. the Kubernetes executor's parts, per step (median, and slowest)")
    what = {
        "manifest": "building the Job",
        "create": "the create call",
        "watch": "a change, fake to executor",
        "log": "a printed line, step to server",
        "apply": "applying a line, on the loop",
        "end": "Job complete to step ended",
    }
    for key, label in what.items():
        values = probe.parts[key]
        print(f"   {label:32} {ms(statistics.median(values))} {ms(max(values))}   n={len(values)}")
    print(f"3. {STEPS} independent steps at once (the whole run)")
    for name, figures in (("local", local), ("kubernetes (fake)", kubernetes)):
        wall, cpu = figures["wide"]
        print(f"   {name:18} {wall:8.2f} s   event-loop CPU {cpu:6.2f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
