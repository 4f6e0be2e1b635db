"""How fast runs are: per-step overhead, parallelism, and how soon live outputs arrive.

1. Overhead. 10 one-cell notebooks as a chain and as 10 independent steps, each run with the
   whole `orchest-lab run` command, against executing the same 10 notebooks one after another
   with papermill in one process (what a script around papermill, or Elyra, does).
   Goal: the chain takes at most 0.25 of papermill's time.
2. Parallelism. 10 independent notebook steps that each sleep 1 s, against one such step alone.
   Goal: at most 1.5 s of wall time.
3. Live output. A cell prints a timestamp every 50 ms; how long until the cell event is
   published (a real jupyter_events EventLogger with orchest-lab's schemas), and until the output
   is in the notebook file on disk. Baseline: the same prints received as raw iopub messages by a
   plain jupyter_client on a plain kernel. Goals: median at most 50 ms to the event, at most
   500 ms to the file.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import nbformat
from jupyter_client.manager import AsyncKernelManager
from jupyter_events import EventLogger
from nbformat.v4 import new_code_cell, new_notebook

from orchest_lab.events import CELL, EventBusListener, register_schemas
from orchest_lab.executors.local import LocalExecutor
from orchest_lab.interchange.files import convert_file
from orchest_lab.pipeline import PipelineDocument
from orchest_lab.runs.engine import RunEngine
from orchest_lab.runs.slots import StepSlots
from orchest_lab.services.pipelines import PipelineService
from orchest_lab.services.planning import RunPlanner, RunRequest

# Elyra's venv, as the tests find it.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from elyra_venv import elyra_pipeline
from elyra_venv import elyra_version as elyra_version  # for bench_steps

STEPS = 10
REPEAT = 3


def write_notebook(path: Path, source: str) -> None:
    notebook = new_notebook(
        metadata={"kernelspec": {"name": "python3", "display_name": "Python 3"}}
    )
    notebook.cells.append(new_code_cell(source))
    nbformat.write(notebook, path)


def write_pipeline(folder: Path, name: str, files: Sequence[str], chain: bool = True) -> Path:
    """`name`.orchest in `folder`: a step per file, a chain of them or independent steps."""
    document = PipelineDocument.new(name)
    ids = [f"{name}-{i:02d}" for i in range(len(files))]
    for i, (step_id, file) in enumerate(zip(ids, files, strict=True)):
        document.data["steps"][step_id] = {
            "uuid": step_id,
            "title": f"Step {i}",
            "file_path": file,
            "incoming_connections": [ids[i - 1]] if chain and i else [],
            "environment": "",
            "parameters": {},
        }
    path = folder / f"{name}.orchest"
    document.save(path)
    return path


def cli_run(pipeline: Path) -> float:
    start = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "orchest_lab.cli", "run", pipeline.name, "--data-dir", "data"],
        cwd=pipeline.parent,
        check=True,
        capture_output=True,
    )
    return time.perf_counter() - start


def papermill_all(notebooks: list[Path]) -> float:
    import papermill

    with quiet_kernels():
        start = time.perf_counter()
        for notebook in notebooks:
            papermill.execute_notebook(
                str(notebook), str(notebook), progress_bar=False, log_output=False
            )
        return time.perf_counter() - start


def elyra_run(pipeline: Path) -> float:
    """`elyra-pipeline run` (Elyra's local runtime) on the Elyra export of `pipeline`, from
    process start to exit. The export is orchest-lab's own converter's, written beside it."""
    exported = convert_file(pipeline, force=True).output
    start = time.perf_counter()
    done = elyra_pipeline("run", exported.name, cwd=pipeline.parent)
    took = time.perf_counter() - start
    if done.returncode != 0:
        raise RuntimeError(
            f"elyra-pipeline run failed:\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}"
        )
    return took


@contextlib.contextmanager
def quiet_kernels() -> Any:
    """Plain ipykernels warn on stderr at every start; keep the figures readable."""
    saved = os.dup(2)
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 2)
    try:
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(devnull)


def median_of(fn: Any, *args: Any) -> float:
    return statistics.median(fn(*args) for _ in range(REPEAT))


def overhead(folder: Path) -> None:
    files = [f"nb{i}.ipynb" for i in range(STEPS)]
    for file in files:
        write_notebook(folder / file, "x = 1 + 1\nprint(x)")
    chain = write_pipeline(folder, "chain", files, chain=True)
    wide = write_pipeline(folder, "independent", files, chain=False)
    import papermill  # noqa: F401 - imported once, outside the timings, as in a long-lived process

    baseline = median_of(papermill_all, [folder / f for f in files])
    chained = median_of(cli_run, chain)
    independent = median_of(cli_run, wide)
    print(f"1. overhead: {STEPS} one-cell notebooks, median of {REPEAT}")
    print(f"   baseline: papermill, one after another   {baseline:6.2f} s")
    print(
        f"   orchest-lab run, a chain of {STEPS}           {chained:6.2f} s   "
        f"{chained / baseline:.2f}x baseline (goal <= 0.25)"
    )
    print(
        f"   orchest-lab run, {STEPS} independent steps    {independent:6.2f} s   "
        f"{independent / baseline:.2f}x baseline"
    )
    print(
        f"   per step in the chain: {chained / STEPS * 1000:.0f} ms "
        f"(papermill: {baseline / STEPS * 1000:.0f} ms)"
    )


async def run_in_process(
    pipeline: Path, listener: Any = None, executor: LocalExecutor | None = None
) -> Any:
    """A run as the server does it; with `executor`, one that earlier runs warmed up."""
    own = executor is None
    executor = executor or LocalExecutor(workdir=str(pipeline.parent), kernel_pool_size=0)
    planner = RunPlanner(PipelineService(pipeline.parent), pipeline.parent / "data")
    prepared = planner.prepare(planner.plan(RunRequest.for_file(pipeline.name)))
    engine = RunEngine(executor, listener or _Quiet(), StepSlots(0))
    try:
        run = engine.start(prepared)
        return await engine.wait(run.id)
    finally:
        if own:
            await executor.close()


class _Quiet:
    def __getattr__(self, name: str) -> Any:
        return lambda *args: None


def parallelism(folder: Path) -> None:
    files = [f"sleep{i}.ipynb" for i in range(STEPS)]
    for file in files:
        write_notebook(folder / file, "import time\ntime.sleep(1)")
    one = write_pipeline(folder, "one", files[:1], chain=False)
    ten = write_pipeline(folder, "ten", files, chain=False)

    def span(run: Any) -> float:
        assert run.status.value == "SUCCESS", run
        started = min(_seconds(s.started_at) for s in run.steps.values())
        ended = max(_seconds(s.finished_at) for s in run.steps.values())
        return ended - started

    async def in_server(pipeline: Path) -> list[float]:
        # The server keeps its executor: after a first run, the zygote and its idle pool of
        # kernels are ready; runs are a second apart, so the pool refills in between.
        executor = LocalExecutor(workdir=str(folder))  # the server's default pool
        try:
            await run_in_process(one, executor=executor)
            spans = []
            for _ in range(REPEAT):
                await asyncio.sleep(1.0)
                spans.append(span(await run_in_process(pipeline, executor=executor)))
            return spans
        finally:
            await executor.close()

    single = statistics.median(asyncio.run(in_server(one)))
    parallel = statistics.median(asyncio.run(in_server(ten)))
    cold = median_of(cli_run, ten)
    print(f"2. parallelism: steps that sleep 1 s, median of {REPEAT}")
    print(
        f"   baseline: 1 step alone, in a server         {single:6.2f} s (first start to last end)"
    )
    print(
        f"   {STEPS} independent steps, in a server          {parallel:6.2f} s   "
        f"{parallel / single:.2f}x baseline (goal <= 1.5 s)"
    )
    print(
        f"   the same, a cold orchest-lab run command    {cold:6.2f} s   (all of it, process start "
        f"and {STEPS} kernel starts included)"
    )


def _seconds(iso: str) -> float:
    from datetime import datetime

    return datetime.fromisoformat(iso).timestamp()


PRINTS = 40
TICKER = (
    f"import time\nfor i in range({PRINTS}):\n"
    "    print(repr(time.time()), flush=True)\n    time.sleep(0.05)"
)


def printed_times(text: str) -> list[float]:
    return [float(line) for line in text.split() if line]


async def raw_iopub_latency() -> list[float]:
    manager = AsyncKernelManager(kernel_name="python3")
    await manager.start_kernel()
    client = manager.client()
    client.start_channels()
    await client.wait_for_ready(timeout=60)
    latencies: list[float] = []
    msg_id = client.execute(TICKER)
    while True:
        msg = await client.get_iopub_msg(timeout=30)
        if msg["parent_header"].get("msg_id") != msg_id:
            continue
        if msg["msg_type"] == "stream":
            now = time.time()
            latencies.extend(now - t for t in printed_times(msg["content"]["text"]))
        if msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle":
            break
    client.stop_channels()
    await manager.shutdown_kernel(now=True)
    return latencies


async def event_and_file_latency(folder: Path) -> tuple[list[float], list[float]]:
    write_notebook(folder / "ticker.ipynb", TICKER)
    pipeline = write_pipeline(folder, "ticker", ["ticker.ipynb"], chain=False)
    events = EventLogger()
    register_schemas(events)
    to_event: list[float] = []
    seen: set[float] = set()

    async def on_cell(logger: Any, schema_id: str, data: dict[str, Any]) -> None:
        now = time.time()
        texts = [output.get("text", "") for output in data["outputs"]]
        if data.get("append"):  # the text the cell's stream grew by since its event before
            texts.append(data["append"]["text"])
        for text in texts:
            for t in printed_times(text):
                if t not in seen:
                    seen.add(t)
                    to_event.append(now - t)

    events.add_listener(schema_id=CELL, listener=on_cell)
    to_file: list[float] = []
    stop = threading.Event()

    def watch_file() -> None:
        known: set[float] = set()
        last = None
        while not stop.is_set():
            try:
                stat = os.stat(folder / "ticker.ipynb")
                if (stat.st_mtime_ns, stat.st_ino) != last:
                    last = (stat.st_mtime_ns, stat.st_ino)
                    now = time.time()
                    cells = json.loads((folder / "ticker.ipynb").read_text())["cells"]
                    text = "".join("".join(o.get("text", "")) for o in cells[0]["outputs"])
                    for t in printed_times(text):
                        if t not in known:
                            known.add(t)
                            to_file.append(now - t)
            except (OSError, ValueError, KeyError, IndexError):
                pass
            time.sleep(0.005)

    watcher = threading.Thread(target=watch_file, daemon=True)
    watcher.start()
    await run_in_process(pipeline, EventBusListener(events))
    await asyncio.sleep(0.3)  # let the last listener tasks and file reads finish
    stop.set()
    watcher.join()
    return to_event, to_file


def latency(folder: Path) -> None:
    with quiet_kernels():
        raw = asyncio.run(raw_iopub_latency())
    to_event, to_file = asyncio.run(event_and_file_latency(folder))

    def ms(values: list[float], q: float) -> float:
        return (
            statistics.quantiles(values, n=100)[q - 1] * 1000
            if q != 50
            else statistics.median(values) * 1000
        )

    base = statistics.median(raw) * 1000
    print(f"3. live output: a cell printing every 50 ms, {PRINTS} prints")
    print(
        f"   baseline: raw iopub message, plain kernel  median {base:6.1f} ms   "
        f"p95 {ms(raw, 95):6.1f} ms"
    )
    print(
        f"   cell event published                      median {ms(to_event, 50):6.1f} ms   "
        f"p95 {ms(to_event, 95):6.1f} ms   {ms(to_event, 50) / base:.1f}x baseline (goal <= 50 ms)"
    )
    print(
        f"   output in the notebook file on disk        median {ms(to_file, 50):6.1f} ms   "
        f"p95 {ms(to_file, 95):6.1f} ms   (goal <= 500 ms)"
    )
    print(f"   ({len(to_event)} of {PRINTS} prints seen in events, {len(to_file)} in the file)")


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        overhead(folder)
        parallelism(folder)
        latency(folder)
    return 0


if __name__ == "__main__":
    sys.exit(main())
