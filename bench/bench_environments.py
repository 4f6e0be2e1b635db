"""How long environments take: building one with a small package, and starting its kernels.

Builds, each against the baseline of doing it by hand in the same run (`python -m venv`, then
`pip install ipykernel pyarrow inflection`):
- cold: a new environment, uv's cache empty (everything downloaded);
- cold, warm cache: a new environment whose packages uv has cached;
- cached: building again an environment that did not change (no build at all).
Kernel starts (median of 5): a cold start of the environment's kernelspec (what JupyterLab does),
and a fork from the environment's zygote (what runs do), against the default python3 kernel.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from jupyter_client.kernelspec import KernelSpecManager

from orchest_lab.environments.builds import EnvironmentBuilds
from orchest_lab.environments.definition import EnvironmentDefinition
from orchest_lab.environments.kernelspecs import project_kernel_env
from orchest_lab.executors.kernels.launch import start_kernel
from orchest_lab.executors.kernels.zygote import Zygotes
from orchest_lab.pipeline.project import project_uuid

SETUP = "pip install inflection\n"
STARTS = 5


class _Quiet:
    def build_changed(self, *args: Any) -> None:
        pass

    def build_log(self, *args: Any) -> None:
        pass


def by_hand(folder: Path) -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "venv", str(folder)], check=True)
    subprocess.run(
        [str(folder / "bin" / "pip"), "install", "-q", "ipykernel", "pyarrow", "inflection"],
        check=True,
        capture_output=True,
    )
    return time.perf_counter() - start


async def timed_build(builds: EnvironmentBuilds, project: Path, name: str) -> tuple[float, Any]:
    definition = EnvironmentDefinition.new(name)
    definition.setup_script = SETUP
    definition.save(project)
    start = time.perf_counter()
    status = await builds.build(project, project.name, definition)
    assert status["state"] == "ready", status
    return time.perf_counter() - start, definition


async def kernel_starts(spec: str, zygotes: Zygotes | None, cwd: str) -> list[float]:
    manager = KernelSpecManager()
    times = []
    for _ in range(STARTS + 1):  # the first forked start also starts the zygote: not counted
        start = time.perf_counter()
        kernel = await start_kernel(spec, kernel_spec_manager=manager, zygotes=zygotes, cwd=cwd)
        times.append(time.perf_counter() - start)
        await kernel.shutdown()
    return times[1:]


async def main(tmp: Path) -> None:
    os.environ["JUPYTER_DATA_DIR"] = str(tmp / "jupyter")  # kernelspecs of this benchmark only
    project = tmp / "project"
    project.mkdir()
    data = tmp / "data"
    builds = EnvironmentBuilds(
        tmp / "state",
        _Quiet(),
        kernel_env=lambda p: project_kernel_env(p, project_uuid(p), data),
    )
    baseline = by_hand(tmp / "by-hand")
    os.environ["UV_CACHE_DIR"] = str(tmp / "uv-cache")  # empty: everything is downloaded
    cold, _ = await timed_build(builds, project, "cold")
    warm, definition = await timed_build(builds, project, "warm")
    del os.environ["UV_CACHE_DIR"]
    start = time.perf_counter()
    status = await builds.build(project, project.name, definition)
    cached = time.perf_counter() - start
    assert status["message"] == "up to date"
    print("1. building an environment with one small package (inflection)")
    print(f"   baseline: python -m venv + pip install, by hand   {baseline:6.2f} s")
    print(
        f"   cold, uv cache empty                             {cold:6.2f} s   "
        f"{cold / baseline:.2f}x baseline"
    )
    print(
        f"   cold, uv cache warm                              {warm:6.2f} s   "
        f"{warm / baseline:.2f}x baseline"
    )
    print(f"   unchanged definition (no build)                  {cached * 1000:6.1f} ms")

    built = builds.resolve(project, definition.uuid)
    assert built is not None
    default = statistics.median(await kernel_starts("python3", None, str(project)))
    env_cold = statistics.median(await kernel_starts(built.kernel_name, None, str(project)))
    zygotes = Zygotes()
    try:
        forked = statistics.median(await kernel_starts(built.kernel_name, zygotes, str(project)))
    finally:
        await zygotes.close()
    print(f"2. starting a kernel (median of {STARTS}, until it answers)")
    print(f"   baseline: the default python3 kernel, cold        {default * 1000:6.0f} ms")
    print(
        f"   the environment's kernel, cold (JupyterLab)       {env_cold * 1000:6.0f} ms   "
        f"{env_cold / default:.2f}x baseline"
    )
    print(
        f"   the environment's kernel, forked (runs)           {forked * 1000:6.0f} ms   "
        f"{forked / default:.2f}x baseline"
    )


if __name__ == "__main__":
    with tempfile.TemporaryDirectory() as tmp:
        asyncio.run(main(Path(tmp)))
        shutil.rmtree(tmp, ignore_errors=True)
