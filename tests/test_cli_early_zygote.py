"""`orchest-lab run` starts its kernels' zygote before anything else: its first step runs on a
kernel forked from that zygote when the executor's settings are the defaults it was started
with, and from one of its own otherwise; no zygote outlives the command."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from project_factory import stdout_of, write_pipeline
from test_runs_lifecycle import alive

from orchest_lab.cli import main
from orchest_lab.executors.kernels import zygote as zygotes_module
from orchest_lab.executors.kernels import zygote_start
from orchest_lab.executors.local import LocalExecutor

COMMAND = [sys.executable, "-m", "orchest_lab.cli", "run"]
REPORT = "import os\nprint(os.getppid(), os.nice(0))"  # the zygote it was forked from; its nice


@pytest.fixture
def started(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The pids of the zygotes the command starts, in order, and 0 where it makes its
    executor."""
    events: list[int] = []
    spawn = zygote_start.spawn_zygote
    make_executor = LocalExecutor.__init__

    def recorded(*args: Any) -> Any:
        process = spawn(*args)
        events.append(process.pid)
        return process

    def made(self: Any, *args: Any, **kwargs: Any) -> None:
        events.append(0)
        make_executor(self, *args, **kwargs)

    for module in (zygote_start, zygotes_module):  # the early zygote, the executor's
        monkeypatch.setattr(module, "spawn_zygote", recorded)
    monkeypatch.setattr(LocalExecutor, "__init__", made)
    return events


def run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, *options: str) -> tuple[int, int]:
    write_pipeline(tmp_path, {"Step": ("step.ipynb", [])}, {"step.ipynb": [REPORT]})
    monkeypatch.chdir(tmp_path)
    assert main(["run", "p.orchest", "--data-dir", str(tmp_path / "data"), *options]) == 0
    parent, niceness = stdout_of(tmp_path / "step.ipynb").split()
    return int(parent), int(niceness)


def test_the_first_step_runs_on_the_zygote_started_first(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, started: list[int]
) -> None:
    parent, niceness = run(tmp_path, monkeypatch)
    zygote, executor = started  # one zygote, started before the executor was made
    assert executor == 0
    assert parent == zygote
    assert niceness == 10  # the default c.LocalExecutor.step_niceness
    assert not alive(zygote)


def test_other_settings_get_a_zygote_of_their_own(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, started: list[int]
) -> None:
    parent, niceness = run(tmp_path, monkeypatch, "--set", "LocalExecutor.step_niceness=3")
    early, executor, own = started  # the early one, with the defaults, is not used
    assert executor == 0
    assert parent == own
    assert niceness == 3
    assert not alive(early) and not alive(own)


def test_the_zygote_imports_nothing_after_the_runs_last_kernel(tmp_path: Path) -> None:
    """Its kernels forked, a command's zygote stops preloading: what it would import next, no
    kernel of the run would have."""
    modules = tmp_path / "modules"
    modules.mkdir()
    (modules / "slow_first.py").write_text("import time\ntime.sleep(1)\n")
    marker = tmp_path / "second-imported"
    (modules / "then_second.py").write_text(f"open({str(marker)!r}, 'w').close()\n")
    # The step outlasts the first import (if the zygote began it before it was told to stop).
    step = "import time\ntime.sleep(4)\nprint('ran')"
    write_pipeline(tmp_path, {"Step": ("step.ipynb", [])}, {"step.ipynb": [step]})
    run_with_preload(tmp_path, ["slow_first", "then_second"], modules)
    assert stdout_of(tmp_path / "step.ipynb") == "ran\n"
    assert not marker.exists()


@pytest.mark.parametrize("named", [True, False])
def test_the_zygote_imports_only_what_the_notebooks_name(tmp_path: Path, named: bool) -> None:
    """More notebooks than kernels started at once (4): the zygote preloads for the later
    ones, unless no notebook names a module it would import."""
    modules = tmp_path / "modules"
    modules.mkdir()
    marker = tmp_path / "imported"
    (modules / "some_library.py").write_text(f"open({str(marker)!r}, 'w').close()\n")
    cell = "# uses some_library\nprint('ran')" if named else "print('ran')"
    steps = {f"S{i}": (f"s{i}.ipynb", []) for i in range(6)}
    write_pipeline(tmp_path, steps, {f"s{i}.ipynb": [cell] for i in range(6)})
    run_with_preload(tmp_path, ["some_library"], modules)
    assert all(stdout_of(tmp_path / f"s{i}.ipynb") == "ran\n" for i in range(6))
    assert marker.exists() is named


def run_with_preload(folder: Path, preload: list[str], modules: Path) -> None:
    """`orchest-lab run p.orchest` in `folder`, configured as a server would be to preload
    `preload` (importable from `modules`); it must succeed."""
    config = folder / "config"
    config.mkdir()
    settings = {"OrchestLab": {"preload_modules": preload}}
    (config / "jupyter_server_config.json").write_text(json.dumps(settings))
    done = subprocess.run(
        [*COMMAND, "p.orchest", "--data-dir", str(folder / "data")],
        cwd=folder,
        env={**os.environ, "PYTHONPATH": str(modules), "JUPYTER_CONFIG_DIR": str(config)},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
