"""What a step costs beyond the code in it: data steps' imports, per-step cost in a chain, the
fixed cost of `orchest-lab run`, against other tools, and the memory of the warm kernels.

1. Data steps. A fresh step's first `import orchest; orchest.get_inputs()` of a 512 MiB
   DataFrame (no import before it), and a fresh step's `import pandas`, with the default
   `preload_modules` against none, both in this run. Goal: at most 20 ms.
2. Per-step cost. Chains of 2 and of 20 one-cell notebooks, in a server (an executor kept warm
   between runs, as the server's) and with the whole `orchest-lab run` command; the marginal cost
   of a step is (chain of 20 - chain of 2) / 18. Baseline: executing the same cell on a warm
   kernel. Goal: at most 30 ms.
3. Fixed cost of `orchest-lab run` on a one-step pipeline, process start to exit. Baseline: the
   interpreter starting and exiting. Goal: at most 0.6 s. (orchest_lab's bytecode is compiled
   first, as an install does.)
4. A chain of 10 one-cell notebooks in a server (its warm pool kept between runs) and with the
   whole `orchest-lab run` command, against papermill running them one after another in one
   process and Elyra's local runtime (`elyra-pipeline run` on the pipeline exported to Elyra's
   format, from the venv `make bench` makes for it). Goal: at most 0.05x.
5. Memory of the warm pool (zygote and ready kernels) of each kernelspec, from
   /proc/<pid>/smaps_rollup. Goal: a ready kernel's private (unshared) memory under 30 MiB.

Every timing is the median of REPEAT rounds; the machine's other load shows in the spread.
"""

from __future__ import annotations

import asyncio
import compileall
import contextlib
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import NamedTuple

import nbformat
from bench_runs import (
    cli_run,
    elyra_run,
    elyra_version,
    papermill_all,
    quiet_kernels,
    run_in_process,
    write_notebook,
    write_pipeline,
)
from jupyter_client.manager import AsyncKernelManager

import orchest_lab
from orchest_lab.executors.local import DEFAULT_PRELOAD, LocalExecutor

REPEAT = 5
CELL = "x = 1 + 1\nprint(x)"
MIB = 1 << 20
FRAME_BYTES = 512 * MIB


def printed(path: Path, cell: int = 0) -> str:
    notebook = nbformat.read(path, as_version=4)
    return "".join(o.get("text", "") for o in notebook.cells[cell].outputs)


def median_ms(values: Sequence[float]) -> float:
    return statistics.median(values) * 1000


def spread(values: Sequence[float]) -> str:
    return f"(min {min(values) * 1000:.0f}, max {max(values) * 1000:.0f} ms)"


# --- 1. data steps ----------------------------------------------------------------------------

PRODUCE = (
    "import numpy as np, pandas as pd, orchest\n"
    f"rows = {FRAME_BYTES // (16 * 8)}\n"
    "frame = pd.DataFrame(np.random.default_rng(0).random((rows, 16)),\n"
    "                     columns=[f'c{i}' for i in range(16)])\n"
    "orchest.output(frame, name='frame')"
)
CONSUME = (
    "import time\n"
    "start, cpu = time.perf_counter(), time.process_time()\n"
    "import orchest\n"
    "inputs = orchest.get_inputs()\n"
    "print(time.perf_counter() - start, time.process_time() - cpu)\n"
    "assert inputs['frame'].shape[1] == 16"
)
IMPORT_PANDAS = (
    "import time\n"
    "start = time.perf_counter()\n"
    "import pandas\n"
    "print(repr(time.perf_counter() - start))"
)


async def data_steps(
    folder: Path, preload: Sequence[str]
) -> tuple[list[float], list[float], list[float]]:
    """The first get_inputs() of fresh steps (wall and CPU seconds), and their import pandas."""
    write_notebook(folder / "produce.ipynb", PRODUCE)
    write_notebook(folder / "consume.ipynb", CONSUME)
    write_notebook(folder / "pandas.ipynb", IMPORT_PANDAS)
    pipeline = write_pipeline(folder, "data", ["produce.ipynb", "consume.ipynb"])
    alone = write_pipeline(folder, "pandas", ["pandas.ipynb"])
    executor = LocalExecutor(workdir=str(folder), preload_modules=preload)
    first_inputs, first_inputs_cpu, pandas_imports = [], [], []
    try:
        await run_in_process(alone, executor=executor)  # the zygote and the pool are ready
        for _ in range(REPEAT):
            await asyncio.sleep(1.0)
            run = await run_in_process(pipeline, executor=executor)
            assert run.status.value == "SUCCESS", run
            wall, cpu = printed(folder / "consume.ipynb").split()
            first_inputs.append(float(wall))
            first_inputs_cpu.append(float(cpu))
            await asyncio.sleep(1.0)
            run = await run_in_process(alone, executor=executor)
            assert run.status.value == "SUCCESS", run
            pandas_imports.append(float(printed(folder / "pandas.ipynb")))
    finally:
        await executor.close()
    return first_inputs, first_inputs_cpu, pandas_imports


def data(folder: Path) -> None:
    (folder / "d1").mkdir()
    (folder / "d2").mkdir()
    bare_inputs, bare_cpu, bare_pandas = asyncio.run(data_steps(folder / "d1", ()))
    inputs, cpu, pandas = asyncio.run(data_steps(folder / "d2", DEFAULT_PRELOAD))
    print(f"1. data steps: a fresh step, no import before it, median of {REPEAT}")
    print("   import orchest + first get_inputs(), 512 MiB DataFrame:")
    print(
        f"   baseline: no preload         wall {median_ms(bare_inputs):7.1f} ms "
        f"{spread(bare_inputs)}, CPU {median_ms(bare_cpu):7.1f} ms"
    )
    print(
        f"   default preload              wall {median_ms(inputs):7.1f} ms {spread(inputs)}, "
        f"CPU {median_ms(cpu):5.1f} ms   {median_ms(inputs) / median_ms(bare_inputs):.3f}x "
        "baseline (goal <= 20 ms)"
    )
    print("   import pandas:")
    print(
        f"   baseline: no preload         wall {median_ms(bare_pandas):7.1f} ms "
        f"{spread(bare_pandas)}"
    )
    print(f"   default preload              wall {median_ms(pandas):7.2f} ms")


# --- 2. per-step cost -------------------------------------------------------------------------


async def warm_cell() -> list[float]:
    """The floor: the same cell executed on a kernel that is already running."""
    manager = AsyncKernelManager(kernel_name="python3")
    await manager.start_kernel()
    client = manager.client()
    client.start_channels()
    await client.wait_for_ready(timeout=60)
    samples = []
    try:
        for _ in range(20):
            start = time.perf_counter()
            await client.execute(CELL, reply=True)
            samples.append(time.perf_counter() - start)
    finally:
        client.stop_channels()
        await manager.shutdown_kernel(now=True)
    return samples


def own_cpu() -> float:
    """Seconds of CPU this process (every thread of it) has used."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def threads_cpu_ms(pid: int) -> float:
    """CPU time the process's threads have used, to the nanosecond (/proc/<pid>/stat counts
    10 ms ticks)."""
    total = 0
    for task in Path(f"/proc/{pid}/task").iterdir():
        with contextlib.suppress(OSError):
            total += int((task / "schedstat").read_text().split()[0])
    return total / 1e6


class ServerRuns(NamedTuple):
    times: list[list[float]]  # seconds each run of each pipeline took
    cpu: list[list[float]]  # seconds of this process's CPU each of them used
    zygote_cpu: list[list[float]]  # ms of CPU the zygotes used meanwhile (forking the kernels)
    kernel_cpu: list[float]  # ms of CPU of step kernels (see kernel_cpu); empty unless asked


async def server_runs(
    folder: Path, pipelines: Sequence[Path], repeat: int, kernels: int = 0
) -> ServerRuns:
    """Runs of each pipeline in a server: an executor whose warm pool is kept between runs, the
    first run (which starts the zygote and the pool) not counted; then the CPU of `kernels` step
    kernels of the same executor."""
    executor = LocalExecutor(workdir=str(folder))
    runs = ServerRuns([[] for _ in pipelines], [[] for _ in pipelines], [[] for _ in pipelines], [])
    try:
        await run_in_process(pipelines[0], executor=executor)
        for _ in range(repeat):
            for index, pipeline in enumerate(pipelines):
                await asyncio.sleep(1.0)  # as runs come in a server: the pool refills between
                start, used, forked = time.perf_counter(), own_cpu(), zygotes_cpu_ms(executor)
                run = await run_in_process(pipeline, executor=executor)
                runs.times[index].append(time.perf_counter() - start)
                runs.cpu[index].append(own_cpu() - used)
                runs.zygote_cpu[index].append(zygotes_cpu_ms(executor) - forked)
                assert run.status.value == "SUCCESS", run
        if kernels:
            runs.kernel_cpu.extend(await kernel_cpu(executor, folder, kernels))
    finally:
        await executor.close()
    return runs


def zygotes_cpu_ms(executor: LocalExecutor) -> float:
    """CPU time the executor's zygotes have used."""
    assert executor._zygotes is not None
    return sum(threads_cpu_ms(z.pid) for z in executor._zygotes.running() if z.pid is not None)


async def kernel_cpu(executor: LocalExecutor, folder: Path, count: int) -> list[float]:
    """Milliseconds of CPU a step's kernel uses, all its threads: its start (from the warm pool),
    its preparation for the step, and the one cell."""
    used = []
    for _ in range(count):
        await asyncio.sleep(0.2)  # the pool has refilled: a kernel nothing waited for
        kernel = await executor.pools.pool("python3").acquire()
        try:
            why = await kernel.prepare(str(folder), {}, [])  # told with the cell
            assert why is None, why
            reply = await kernel.client.execute(CELL, reply=True)
            assert reply["content"]["status"] == "ok", reply
            pid = kernel.manager.provisioner.pid  # type: ignore[union-attr]
            used.append(threads_cpu_ms(pid))
        finally:
            await kernel.shutdown()
    return used


def per_step(folder: Path) -> None:
    files = [f"cell{i}.ipynb" for i in range(20)]
    for file in files:
        write_notebook(folder / file, CELL)
    short = write_pipeline(folder, "chain2", files[:2])
    long = write_pipeline(folder, "chain20", files)
    with quiet_kernels():
        floor = asyncio.run(warm_cell())
    runs = asyncio.run(server_runs(folder, [short, long], REPEAT, kernels=10))
    server_short, server_long = runs.times
    cli_short = [cli_run(short) for _ in range(REPEAT)]
    cli_long = [cli_run(long) for _ in range(REPEAT)]
    base = median_ms(floor)
    print(f"2. per-step cost in a chain of one-cell notebooks, median of {REPEAT}")
    print(f"   baseline: the cell on a warm kernel            {base:7.1f} ms")
    for label, two, twenty in (
        ("in a server", server_short, server_long),
        ("orchest-lab run", cli_short, cli_long),
    ):
        marginal = (median_ms(twenty) - median_ms(two)) / 18
        print(
            f"   {label:16} chain of 2 {median_ms(two):6.0f} ms, of 20 {median_ms(twenty):6.0f} ms:"
            f" {marginal:5.1f} ms per step  {marginal / base:.1f}x baseline (goal <= 30 ms)"
        )
    # Where a step's time goes when the cores are the limit.
    server = (median_ms(runs.cpu[1]) - median_ms(runs.cpu[0])) / 18
    zygote = (statistics.median(runs.zygote_cpu[1]) - statistics.median(runs.zygote_cpu[0])) / 18
    kernel, measured = statistics.median(runs.kernel_cpu), len(runs.kernel_cpu)
    total, cores = server + zygote + kernel, os.cpu_count() or 1
    print(
        f"   CPU per step in a server: {server:.1f} ms in the server (its CPU for the chain of 20"
        f" less that for the chain of 2, / 18) + {zygote:.1f} ms in the zygote (forking, the"
        f" same way) + {kernel:.1f} ms in the step's kernel (its start, preparation and cell,"
        f" median of {measured}) = {total:.1f} ms: at best {total / cores:.1f} ms per step on"
        f" {cores} idle cores"
    )


# --- 3. and 4. the command --------------------------------------------------------------------


def interpreter_start() -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", "pass"], check=True)
    return time.perf_counter() - start


def command(folder: Path) -> None:
    write_notebook(folder / "one.ipynb", CELL)
    one = write_pipeline(folder, "one", ["one.ipynb"])
    files = [f"ten{i}.ipynb" for i in range(10)]
    for file in files:
        write_notebook(folder / file, CELL)
    ten = write_pipeline(folder, "ten", files)
    bare = [interpreter_start() for _ in range(REPEAT)]
    fixed = [cli_run(one) for _ in range(REPEAT)]
    print(f"3. orchest-lab run, one one-cell step, process start to exit, median of {REPEAT}")
    print(f"   baseline: python -c pass           {median_ms(bare):6.0f} ms")
    print(
        f"   orchest-lab run                    {median_ms(fixed):6.0f} ms {spread(fixed)}  "
        "(goal <= 600 ms)"
    )
    import papermill  # noqa: F401 - imported once, outside the timings

    by_papermill = statistics.median(papermill_all([folder / f for f in files]) for _ in range(3))
    elyra = elyra_version()
    by_elyra = statistics.median(elyra_run(ten) for _ in range(3)) if elyra else None
    [in_server] = asyncio.run(server_runs(folder, [ten], REPEAT)).times
    by_command = [cli_run(ten) for _ in range(REPEAT)]
    print(f"4. a chain of 10 one-cell notebooks, median of 3 (papermill, Elyra), of {REPEAT}")
    print(f"   {'baseline: papermill, one after another':46} {by_papermill:6.2f} s")
    if by_elyra is None:
        print("   baseline: Elyra's local runtime: not installed (make bench installs it)")
    else:
        print(f"   {f'baseline: Elyra {elyra}, elyra-pipeline run':46} {by_elyra:6.2f} s")
    for label, samples in (
        ("in a server (warm pool)", in_server),
        ("orchest-lab run (cold start)", by_command),
    ):
        took = statistics.median(samples)
        against_elyra = f", {took / by_elyra:.3f}x Elyra" if by_elyra else ""
        print(
            f"   {label:46} {took:6.2f} s   {took / by_papermill:.3f}x papermill{against_elyra}"
            f" (goal <= 0.05x)  {spread(samples)}"
        )


# --- 5. memory --------------------------------------------------------------------------------

FIELDS = ("Rss", "Pss", "Shared_Clean", "Shared_Dirty", "Private_Clean", "Private_Dirty")


def smaps(pid: int) -> dict[str, float]:
    """MiB of each field of the process's smaps_rollup."""
    values: dict[str, float] = {}
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
        name, _, rest = line.partition(":")
        if name in FIELDS:
            values[name] = int(rest.split()[0]) / 1024
    return values


def memory_line(label: str, m: dict[str, float]) -> str:
    shared = m["Shared_Clean"] + m["Shared_Dirty"]
    private = m["Private_Clean"] + m["Private_Dirty"]
    return (
        f"   {label:22} Rss {m['Rss']:6.1f}  Pss {m['Pss']:6.1f}  "
        f"Shared {shared:6.1f}  Private {private:6.1f} MiB"
    )


async def warm_pool_memory(folder: Path, preload: Sequence[str]) -> list[str]:
    write_notebook(folder / "warm.ipynb", CELL)
    pipeline = write_pipeline(folder, "warm", ["warm.ipynb"])
    executor = LocalExecutor(workdir=str(folder), preload_modules=preload)
    lines = []
    try:
        await run_in_process(pipeline, executor=executor)
        await asyncio.sleep(3.0)  # the pool has refilled and the kernels are idle
        assert executor._zygotes is not None
        for zygote in executor._zygotes.running():
            assert zygote.pid is not None
            lines.append(memory_line(f"zygote ({zygote.python})", smaps(zygote.pid)))
        for name, pool in executor.pools._pools.items():
            kernels = [k.manager.provisioner.pid for k in pool._ready]
            private = []
            for pid in kernels:
                m = smaps(pid)
                private.append(m["Private_Clean"] + m["Private_Dirty"])
                lines.append(memory_line(f"ready kernel of {name}", m))
            pss = sum(smaps(pid)["Pss"] for pid in kernels)
            started = statistics.median(threads_cpu_ms(pid) for pid in kernels)
            lines.append(f"   CPU a forked kernel used to get ready: {started:.1f} ms")
            lines.append(
                f"   {len(kernels)} ready kernels of {name}: Pss {pss:.1f} MiB in all, private "
                f"at most {max(private):.1f} MiB each (goal < 30 MiB)"
            )
    finally:
        await executor.close()
    return lines


def memory(folder: Path) -> None:
    (folder / "m1").mkdir()
    (folder / "m2").mkdir()
    print("5. memory of the warm pool (zygote + ready kernels), per kernelspec")
    print("   no preload:")
    for line in asyncio.run(warm_pool_memory(folder / "m1", ())):
        print(line)
    print("   default preload (the SDK, numpy, pandas, pyarrow):")
    for line in asyncio.run(warm_pool_memory(folder / "m2", DEFAULT_PRELOAD)):
        print(line)


SECTIONS = {"data": data, "steps": per_step, "command": command, "memory": memory}


def main(argv: list[str]) -> int:
    chosen = argv or list(SECTIONS)
    # Commands start as installed ones do, from compiled bytecode: an install compiles it, and
    # an environment with PYTHONDONTWRITEBYTECODE (this machine's) never writes it on import.
    compileall.compile_dir(str(Path(orchest_lab.__file__).parent), quiet=1)
    with tempfile.TemporaryDirectory() as tmp:
        for name in chosen:
            folder = Path(tmp) / name
            folder.mkdir()
            SECTIONS[name](folder)
            sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
