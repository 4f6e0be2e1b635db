"""How responsive the server stays while runs keep it busy: the latency of `GET /api/status`.

A real `jupyter server` with orchest-lab runs as a subprocess (its own temporary root, state,
data and memory folders); another process asks it for `/api/status` every 10 ms the whole time,
and a websocket subscribed to the event bus receives what the server publishes, as an open
JupyterLab does. Latencies are reported per phase, against the same server idle:

1. baseline: the server idle.
2. flood: one run in which 6 steps (3 notebooks, 3 scripts) print as fast as they can for a few
   seconds, while another step hands 256 MiB to the step after it with the SDK.
   Goal: p95 <= 50 ms, max <= 250 ms.
3. many steps: a run of 2,000 trivial script steps (`many=N`: N of them), started, watched (its
   record polled) and cancelled after a moment. It has an overall time limit; what it reached
   is printed. Goal: max <= 250 ms (the issue asks it of a run of 10,000).

Usage: bench_loop.py [baseline] [flood] [many | many=N]  (all three when none is named).
"""

from __future__ import annotations

import asyncio
import contextlib
import http.client
import multiprocessing
import os
import shutil
import statistics
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

import nbformat
from nbformat.v4 import new_code_cell, new_notebook

from orchest_lab.pipeline import PipelineDocument

# The tests' server process, shared with them.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from server_process import TOKEN, ServerProcess

PROBE_INTERVAL = 0.010  # seconds between two status requests
IDLE_SECONDS = 5.0
PRINT_SECONDS = 4.0  # how long each printing step prints
BIG_BYTES = 256 << 20
MANY_STEPS = 2000
CANCEL_AFTER = 3.0  # seconds between starting the big run and cancelling it
MANY_LIMIT = 300.0  # the whole many-steps phase gives up after this long
REQUEST_TIMEOUT = 600.0
GOAL = "goal: p95 <= 50 ms, max <= 250 ms"

PRINTER = (
    f"import time\nend = time.time() + {PRINT_SECONDS}\ni = 0\n"
    "while time.time() < end:\n    print('line', i)\n    i += 1\n"
)
PRODUCER = (
    "import numpy as np\nimport orchest\n"
    f"orchest.output(np.ones({BIG_BYTES // 8}, dtype=np.float64), name='big')\n"
)
CONSUMER = (
    "import orchest\nbig = orchest.get_inputs()['big']\n"
    f"assert big.nbytes == {BIG_BYTES}, big.nbytes\nprint(float(big[::4096].sum()))\n"
)


def _shm() -> str | None:
    return "/dev/shm" if os.path.isdir("/dev/shm") else None


def _headers() -> dict[str, str]:
    return {"Authorization": f"token {TOKEN}", "Content-Type": "application/json"}


# --- measuring ----------------------------------------------------------------------------------


def probe(port: int, ready: Any, stop: Any, results: Connection) -> None:
    """In a process of its own: GET /api/status every PROBE_INTERVAL until `stop` is set (`ready`
    once the first answer came); sends back (monotonic start, latency) of every answer."""
    samples: list[tuple[float, float]] = []
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=REQUEST_TIMEOUT)
    errors = 0
    next_at = time.monotonic()
    while not stop.is_set():
        start = time.monotonic()
        try:
            connection.request("GET", "/api/status", headers=_headers())
            connection.getresponse().read()
            samples.append((start, time.monotonic() - start))
            ready.set()
        except (OSError, http.client.HTTPException):
            errors += 1
            connection.close()
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=REQUEST_TIMEOUT)
        next_at = max(next_at + PROBE_INTERVAL, time.monotonic())
        time.sleep(max(0.0, next_at - time.monotonic()))
    results.send((samples, errors))


class Subscriber:
    """A websocket on the event bus, in a thread: counts what the server publishes."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.events = 0
        self.bytes = 0
        self.bytes_by_kind: Counter[str] = Counter()  # by the schema's last name: cell, stream...
        self._loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def start(self) -> None:
        self._thread.start()
        self._ready.wait(30)

    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)
        self._loop.run_until_complete(self._listen())

    async def _listen(self) -> None:
        from tornado.websocket import websocket_connect

        url = f"ws://127.0.0.1:{self.port}/api/events/subscribe?token={TOKEN}"
        ws = await websocket_connect(url, max_message_size=1 << 31)
        self._ready.set()
        while (message := await ws.read_message()) is not None:
            self.events += 1
            self.bytes += len(message)
            head = message[:100] if isinstance(message, str) else ""
            kind = head.split('"schema_id": "', 1)[-1].split('"', 1)[0].rsplit("/", 1)[-1]
            self.bytes_by_kind[kind] += len(message)


@dataclass
class Phase:
    name: str
    start: float
    end: float
    note: str = ""
    goal: str = ""


def stats(latencies: list[float]) -> tuple[float, float, float]:
    if not latencies:
        return (float("nan"),) * 3
    ordered = sorted(latencies)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return statistics.median(ordered), p95, ordered[-1]


def report(phases: list[Phase], samples: list[tuple[float, float]], errors: int) -> None:
    def within(phase: Phase) -> list[float]:
        # A request belongs to the phase it was sent in; one that waited through a stall counts
        # there with all of its wait.
        return [lat for start, lat in samples if phase.start <= start < phase.end]

    base = stats(within(phases[0])) if phases and phases[0].name.startswith("baseline") else None
    print(f"latency of GET /api/status, asked every {PROBE_INTERVAL * 1000:.0f} ms by a client")
    for phase in phases:
        values = within(phase)
        median, p95, top = stats(values)
        line = (
            f"  {phase.name:<34} median {median * 1000:7.1f} ms  p95 {p95 * 1000:7.1f} ms  "
            f"max {top * 1000:8.1f} ms  (n={len(values)})"
        )
        if base is not None and phase is not phases[0]:
            line += f"  {p95 / base[1]:.0f}x / {top / base[2]:.0f}x baseline p95 / max"
        print(line)
        if phase.goal:
            print(f"      {phase.goal}")
        if phase.note:
            print(f"      {phase.note}")
    if errors:
        print(f"  ({errors} status requests failed)")


# --- the runs -----------------------------------------------------------------------------------


def write_notebook(path: Path, source: str) -> None:
    notebook = new_notebook(
        metadata={"kernelspec": {"name": "python3", "display_name": "Python 3"}}
    )
    notebook.cells.append(new_code_cell(source))
    nbformat.write(notebook, path)


def write_pipeline(folder: Path, steps: dict[str, tuple[str, list[str]]]) -> str:
    """Steps as {title: (file, parent titles)}; returns the pipeline's path under the root."""
    document = PipelineDocument.new(folder.name)
    ids = {title: str(uuid.uuid4()) for title in steps}
    for i, (title, (file, parents)) in enumerate(steps.items()):
        document.data["steps"][ids[title]] = {
            "uuid": ids[title],
            "title": title,
            "file_path": file,
            "incoming_connections": [ids[p] for p in parents],
            "environment": "",
            "parameters": {},
            "meta_data": {"hidden": False, "position": [(i % 50) * 200, (i // 50) * 100]},
        }
    path = folder / f"{folder.name}.orchest"
    document.save(path)
    return f"{folder.name}/{path.name}"


def wait_run(server: ServerProcess, run_id: str, limit: float) -> dict[str, Any]:
    deadline = time.monotonic() + limit
    while True:
        run: dict[str, Any] = server.api("GET", f"runs/{run_id}", timeout=REQUEST_TIMEOUT)
        if run["status"] in ("SUCCESS", "FAILURE", "ABORTED") or time.monotonic() > deadline:
            return run
        time.sleep(0.5)


def flood(server: ServerProcess, subscriber: Subscriber) -> Phase:
    folder = server.root / "flood"
    folder.mkdir()
    steps: dict[str, tuple[str, list[str]]] = {}
    for i in range(3):
        write_notebook(folder / f"print{i}.ipynb", PRINTER)
        (folder / f"print{i}.py").write_text(PRINTER)
        steps[f"notebook printer {i}"] = (f"print{i}.ipynb", [])
        steps[f"script printer {i}"] = (f"print{i}.py", [])
    write_notebook(folder / "produce.ipynb", PRODUCER)
    (folder / "consume.py").write_text(CONSUMER)
    steps["produce 256 MiB"] = ("produce.ipynb", [])
    steps["consume 256 MiB"] = ("consume.py", ["produce 256 MiB"])
    path = write_pipeline(folder, steps)
    events, received = subscriber.events, subscriber.bytes
    by_kind = subscriber.bytes_by_kind.copy()
    start = time.monotonic()
    run = server.api("POST", "runs", {"pipeline_path": path}, timeout=REQUEST_TIMEOUT)
    run = wait_run(server, run["id"], 300)
    end = time.monotonic()
    sizes = sum(f.stat().st_size for f in folder.glob("print*.ipynb"))
    note = (
        f"run {run['status']} in {end - start:.1f} s; the printing notebooks grew to "
        f"{sizes / 2**20:.1f} MiB; {subscriber.events - events} events "
        f"({(subscriber.bytes - received) / 2**20:.1f} MiB) to a subscriber: "
        + ", ".join(
            f"{kind} {size / 2**20:.1f} MiB"
            for kind, size in (subscriber.bytes_by_kind - by_kind).most_common()
        )
    )
    if run["status"] != "SUCCESS":
        failed = [(s["title"], s["failure"]) for s in run["steps"] if s["status"] != "SUCCESS"]
        note += f"\n      not successful: {failed}"
    return Phase("flood: 6 printers + 256 MiB pass", start, end, note, GOAL)


def many(server: ServerProcess, steps: int = MANY_STEPS) -> list[Phase]:
    """Start, watch and cancel; every request gives up when MANY_LIMIT is over, and the last
    phase says how far the run got."""
    folder = server.root / "many"
    folder.mkdir()
    (folder / "trivial.py").write_text("print('hello')\n")
    path = write_pipeline(folder, {f"step {i}": ("trivial.py", []) for i in range(steps)})
    name = f"{steps:,} steps"
    phases: list[Phase] = []
    began = time.monotonic()

    def left() -> float:
        return max(1.0, began + MANY_LIMIT - time.monotonic())

    try:
        run = server.api("POST", "runs", {"pipeline_path": path}, timeout=left())
    except OSError:
        note = f"the start did not answer within {MANY_LIMIT:.0f} s (gave up)"
        return [Phase(f"{name}: starting", began, time.monotonic(), note)]
    started = time.monotonic()
    phases.append(Phase(f"{name}: starting", began, started))
    done = 0
    try:
        while time.monotonic() < started + CANCEL_AFTER:
            time.sleep(0.5)
            done = server.api("GET", f"runs/{run['id']}", timeout=left())["progress"]["done"]
    except OSError:
        note = f"the run's record did not come within {MANY_LIMIT:.0f} s (gave up)"
        return [*phases, Phase(f"{name}: watching", started, time.monotonic(), note)]
    cancelling = time.monotonic()
    phases.append(Phase(f"{name}: watching", started, cancelling, f"{done} steps ended"))
    answer: dict[str, Any] = {}

    def cancel() -> None:
        with contextlib.suppress(OSError, AssertionError):  # no answer, or a refusal
            answer.update(server.api("DELETE", f"runs/{run['id']}", timeout=left()))

    canceller = threading.Thread(target=cancel, daemon=True)
    canceller.start()
    canceller.join(left())
    ended = time.monotonic()
    if answer:
        progress = answer["progress"]
        note = (
            f"the cancel answered after {ended - cancelling:.1f} s: run {answer['status']}, "
            f"{progress['done']} of {progress['total']} steps ended"
        )
    else:
        note = (
            f"the cancel did not answer within {ended - cancelling:.0f} s (gave up); "
            f"{done} of {steps} steps had ended when it was sent"
        )
    # What the steps left on disk, which a stalled server cannot be asked about.
    logs = list(folder.glob(f".orchest/pipelines/*/runs/{run['id']}/logs/*.log"))
    ran = sum(1 for log in logs if log.read_text().startswith("hello"))
    note += f"\n      on disk: {len(logs)} steps started, {ran} printed their line"
    phases.append(Phase(f"{name}: cancelling", cancelling, ended, note))
    return phases


# --- main ---------------------------------------------------------------------------------------


@contextlib.contextmanager
def probing(port: int, stuck: Callable[[], None]) -> Iterator[list[Any]]:
    """The probe runs in the block; `stuck` is called when its last request does not end (a
    stalled server), to end it."""

    context = multiprocessing.get_context("spawn")
    ready, stop = context.Event(), context.Event()
    receive, send = context.Pipe(duplex=False)
    process = context.Process(target=probe, args=(port, ready, stop, send), daemon=True)
    process.start()
    out: list[Any] = []
    try:
        if not ready.wait(120):
            raise RuntimeError("the status probe got no answer")
        yield out
    finally:
        stop.set()
        if not receive.poll(30):
            stuck()
        if receive.poll(REQUEST_TIMEOUT):
            out.extend(receive.recv())
        process.join(10)


def main(argv: list[str]) -> int:
    chosen = {arg.split("=")[0] for arg in argv} or {"baseline", "flood", "many"}
    many_steps = next((int(a.split("=")[1]) for a in argv if a.startswith("many=")), MANY_STEPS)
    with tempfile.TemporaryDirectory(prefix="orchest-lab-bench-loop-") as tmp:
        # In-memory outputs in /dev/shm, where the server would put them.
        memory = Path(tempfile.mkdtemp(prefix="orchest-lab-bench-loop-", dir=_shm()))
        server = ServerProcess(Path(tmp), memory)
        phases: list[Phase] = []
        try:
            server.start()
            subscriber = Subscriber(server.port)
            subscriber.start()
            time.sleep(IDLE_SECONDS)  # the kernel pool and zygote start with the server
            with probing(server.port, server.stop) as results:
                start = time.monotonic()
                time.sleep(IDLE_SECONDS)
                phases.append(Phase("baseline: idle server", start, time.monotonic()))
                if "flood" in chosen:
                    phases.append(flood(server, subscriber))
                    time.sleep(2.0)  # the flood's kernels retire
                if "many" in chosen:
                    phases.extend(many(server, many_steps))
        except Exception:
            print(server.log_tail(), file=sys.stderr)
            raise
        finally:
            server.stop()
            shutil.rmtree(memory, ignore_errors=True)
        samples, errors = results
        report(phases, samples, errors)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
