"""Forked kernels take over the IPython shell their zygote built before forking: each still gets
a fresh shell of its own (nothing another kernel did shows), and a kernelspec whose options
configure the shell gets a shell built with them."""

from __future__ import annotations

import contextlib
import json
import os
import re
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from jupyter_client.kernelspec import KernelSpecManager
from project_factory import write_notebook

from orchest_lab.executors.base import StepFailed, StepTask
from orchest_lab.executors.kernels.forked_kernel import SETUP_ERROR
from orchest_lab.executors.kernels.launch import RunningKernel, spec_python, start_kernel
from orchest_lab.executors.kernels.zygote import Zygotes
from orchest_lab.executors.kernels.zygote_start import NO_PRELOAD, ZYGOTE_SCRIPT, Preload
from orchest_lab.executors.local import LocalExecutor

LEAVE_STATE = (
    "left = 'a global'\n"
    "import os\n"
    "os.environ['LEFT_BY_A'] = '1'\n"
    "os.environ['PAGER'] = 'less'\n"
    "get_ipython().run_line_magic('config', \"InteractiveShell.ast_node_interactivity = 'all'\")\n"
    "get_ipython().user_ns_hidden['hidden_by_a'] = 1"
)
REPORT_STATE = (
    "import gc, json, os\n"
    "shell = get_ipython()\n"
    "print(json.dumps({\n"
    "    'global': 'left' in globals(),\n"
    "    'env': 'LEFT_BY_A' in os.environ,\n"
    "    'pager': os.environ.get('PAGER'),\n"
    "    'interactivity': shell.ast_node_interactivity,\n"
    "    'hidden': 'hidden_by_a' in shell.user_ns_hidden,\n"
    "    'inputs': len(shell.user_ns['In']),\n"
    "    'dir_history': shell.user_ns['_dh'],\n"
    "    'kernel': shell.kernel is not None and shell.parent is shell.kernel,\n"
    # Objects built before the fork are in the permanent generation (gc.freeze), not here.
    "    'built_before_fork': not any(o is shell for o in gc.get_objects()),\n"
    "}))"
)


async def execute(kernel: RunningKernel, code: str) -> list[dict[str, Any]]:
    """The iopub messages the code produced (outputs and errors), after checking it ran."""
    messages: list[dict[str, Any]] = []
    reply = await kernel.client.execute_interactive(
        code, output_hook=messages.append, timeout=60, stop_on_error=False
    )
    assert reply["content"]["status"] in ("ok", "error"), reply
    return [m for m in messages if m["msg_type"] in ("stream", "execute_result", "error")]


@contextlib.asynccontextmanager
async def own_zygotes(preload: Preload = NO_PRELOAD) -> AsyncIterator[Zygotes]:
    """Zygotes for one test, stopped at its end."""
    zygotes = Zygotes(preload=preload)
    try:
        yield zygotes
    finally:
        await zygotes.close()


async def test_a_forked_kernel_gets_a_fresh_shell_of_its_own(tmp_path: Path) -> None:
    async with own_zygotes() as zygotes:
        await first_then_second(zygotes, tmp_path)


async def first_then_second(zygotes: Zygotes, tmp_path: Path) -> None:
    specs = KernelSpecManager()
    first = await start_kernel("python3", kernel_spec_manager=specs, zygotes=zygotes, cwd="/")
    try:
        assert first.forked
        assert not [m for m in await execute(first, LEAVE_STATE) if m["msg_type"] == "error"]
    finally:
        await first.shutdown()
    # Forked from the same zygote after the first kernel changed its shell and environment.
    second = await start_kernel(
        "python3", kernel_spec_manager=specs, zygotes=zygotes, cwd=str(tmp_path)
    )
    try:
        [printed] = await execute(second, REPORT_STATE)
        report = json.loads(printed["content"]["text"])
        assert report == {
            "global": False,
            "env": False,
            "pager": "cat",  # as IPython sets it for a kernel's subprocesses
            "interactivity": "last_expr",
            "hidden": False,
            "inputs": 2,  # '' and this cell
            "dir_history": [str(tmp_path)],  # where this kernel started, not the zygote
            "kernel": True,
            "built_before_fork": True,
        }
        # Its outputs and tracebacks reach the client as any kernel's do.
        [result] = await execute(second, "6 * 7")
        assert result["content"]["data"]["text/plain"] == "42"
        [error] = await execute(second, "def f():\n    1 / 0\nf()")
        assert error["content"]["ename"] == "ZeroDivisionError"
        traceback = re.sub(r"\x1b\[[0-9;]*m", "", "\n".join(error["content"]["traceback"]))
        assert "1 / 0" in traceback, traceback
        # The zygote leaves debugpy out (steps serve no debugger), yet a step can import it.
        info = await second.client.kernel_info(reply=True)
        assert "debugger" not in info["content"]["supported_features"]
        [printed] = await execute(second, "import debugpy\nprint(debugpy.__name__)")
        assert printed["content"]["text"] == "debugpy\n"
    finally:
        await second.shutdown()


PREPARED = (
    "import json, os, sys\n"
    "shell = get_ipython()\n"
    "print(json.dumps({\n"
    "    'cwd': os.getcwd(),\n"
    "    'env': os.environ.get('STEP_VARIABLE'),\n"
    "    'path': sys.path[0],\n"
    "    'inputs': len(shell.user_ns['In']),\n"
    "    'store': 'store' in shell.magics_manager.magics['line'],\n"
    "}))"
)


async def prepared(kernel: RunningKernel, tmp_path: Path) -> None:
    """`kernel` is put in a step's folder with its variables and sys.path without running the
    step's code (a forked kernel by its first cell's request); a folder that is not there is an
    error that names it (a forked kernel's first cell then does not run), and leaves the kernel
    working."""

    async def prepare(cwd: Path, env: dict[str, str], path: list[str]) -> dict[str, Any]:
        """The outcome of preparing; for a forked kernel, the reply to the first cell it is
        prepared by (which counts the cells that ran)."""
        why = await kernel.prepare(str(cwd), env, path)
        if not kernel.forked:
            return {"status": "ok" if why is None else "error", "evalue": why}
        assert why is None  # it is told with the cell
        code = "ran = globals().get('ran', 0) + 1"
        reply = await kernel.client.execute(code, reply=True, timeout=60)
        return dict(reply["content"])

    (tmp_path / "step").mkdir()
    reply = await prepare(tmp_path / "step", {"STEP_VARIABLE": "set"}, [str(tmp_path / "lib")])
    assert reply["status"] == "ok", reply
    [printed] = await execute(kernel, PREPARED)
    assert json.loads(printed["content"]["text"]) == {
        "cwd": str(tmp_path / "step"),
        "env": "set",
        "path": str(tmp_path / "lib"),
        "inputs": 3 if kernel.forked else 2,  # '', (the first cell,) this one: no code of ours
        "store": True,  # IPython's default extension, loaded as in any kernel
    }
    reply = await prepare(tmp_path / "gone", {}, [])
    assert reply["status"] == "error"
    assert str(tmp_path / "gone") in reply["evalue"], reply
    if kernel.forked:
        assert reply["ename"] == SETUP_ERROR
    [result] = await execute(kernel, "globals().get('ran'), 6 * 7")
    assert result["content"]["data"]["text/plain"] == ("(1, 42)" if kernel.forked else "(None, 42)")


async def test_a_forked_kernel_is_prepared_for_its_step(tmp_path: Path) -> None:
    async with own_zygotes() as zygotes:
        specs = KernelSpecManager()
        kernel = await start_kernel("python3", kernel_spec_manager=specs, zygotes=zygotes, cwd="/")
        try:
            assert kernel.forked
            await prepared(kernel, tmp_path)
            # It did not list every module for a debugger it does not have.
            [printed] = await execute(kernel, "print(len(get_ipython().kernel._kernel_modules))")
            assert printed["content"]["text"] == "0\n"
            # It runs no heartbeat (the engine watches its process), and still answers.
            names = "import threading; print(sorted(t.name for t in threading.enumerate()))"
            [printed] = await execute(kernel, names)
            assert "Heartbeat" not in printed["content"]["text"]
            assert "IOPub" in printed["content"]["text"]
        finally:
            await kernel.shutdown()


async def test_a_forked_kernel_uses_the_ipython_folder_of_its_own_environment(
    tmp_path: Path,
) -> None:
    """Kernels take the profile folder their zygote found only when they would find the same."""
    own = tmp_path / "ipython"
    code = "print(get_ipython().profile_dir.location)"
    async with own_zygotes() as zygotes:
        specs = KernelSpecManager()
        locations = []
        for env in ({"IPYTHONDIR": str(own)}, {}):
            kernel = await start_kernel(
                "python3", kernel_spec_manager=specs, zygotes=zygotes, cwd="/", env=env
            )
            try:
                assert kernel.forked
                [printed] = await execute(kernel, code)
                locations.append(printed["content"]["text"].strip())
            finally:
                await kernel.shutdown()
    assert locations[0] == str(own / "profile_default")
    assert locations[1] != locations[0]
    assert (own / "profile_default" / "startup").is_dir()  # made as IPython makes it


async def test_a_forked_kernel_runs_its_profiles_startup_files(tmp_path: Path) -> None:
    """A forked kernel still runs its profile's startup files (its start skips only the
    flushes of streams nothing was written to): what the file defines is there."""
    startup = tmp_path / "ipython" / "profile_default" / "startup"
    startup.mkdir(parents=True)
    (startup / "00-greet.py").write_text("print('started up')\nSTARTED_UP = 42\n")
    async with own_zygotes() as zygotes:
        specs = KernelSpecManager()
        kernel = await start_kernel(
            "python3",
            kernel_spec_manager=specs,
            zygotes=zygotes,
            cwd="/",
            env={"IPYTHONDIR": str(tmp_path / "ipython")},
        )
        try:
            assert kernel.forked
            [printed] = await execute(kernel, "print(STARTED_UP)")
            assert printed["content"]["text"] == "42\n"
        finally:
            await kernel.shutdown()


async def test_a_forked_kernel_has_the_environment_it_was_started_with(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Not its zygote's: a variable the zygote has and the kernel was not given is gone, one
    that differs has the kernel's value."""
    async with own_zygotes() as zygotes:
        specs = KernelSpecManager()
        python = spec_python(specs.get_kernel_spec("python3"))
        zygote_env = {**os.environ, "OL_ZYGOTE_ONLY": "zygote", "OL_CHANGED": "zygote"}
        zygote = await zygotes.get(python, zygote_env)

        async def that_zygote(python: str, env: dict[str, str]) -> Any:
            return zygote

        monkeypatch.setattr(zygotes, "get", that_zygote)
        kernel = await start_kernel(
            "python3",
            kernel_spec_manager=specs,
            zygotes=zygotes,
            cwd="/",
            env={"OL_CHANGED": "kernel", "OL_NEW": "kernel"},
        )
        try:
            assert kernel.forked
            code = "import os; print(sorted((k, v) for k, v in os.environ.items() if 'OL_' in k))"
            [printed] = await execute(kernel, code)
            text = printed["content"]["text"]
            assert text.strip() == str([("OL_CHANGED", "kernel"), ("OL_NEW", "kernel")])
        finally:
            await kernel.shutdown()


async def test_a_kernelspecs_shell_options_reach_its_forked_kernels(tmp_path: Path) -> None:
    async with own_zygotes() as zygotes:
        await with_and_without_options(zygotes, tmp_path)


async def with_and_without_options(zygotes: Zygotes, tmp_path: Path) -> None:
    folder = tmp_path / "kernels" / "all-results"
    folder.mkdir(parents=True)
    spec = {
        "argv": [
            sys.executable,
            "-m",
            "ipykernel_launcher",
            "-f",
            "{connection_file}",
            "--InteractiveShell.ast_node_interactivity=all",
        ],
        "display_name": "Every expression shown",
        "language": "python",
    }
    (folder / "kernel.json").write_text(json.dumps(spec))
    specs = KernelSpecManager(
        kernel_dirs=[str(tmp_path / "kernels"), *KernelSpecManager().kernel_dirs]
    )
    shown: list[tuple[str, list[str]]] = []
    for name in ("all-results", "python3", "all-results"):  # one zygote forks all three
        kernel = await start_kernel(name, kernel_spec_manager=specs, zygotes=zygotes, cwd="/")
        try:
            assert kernel.forked
            results = await execute(kernel, "1\n2")
            shown.append((name, [m["content"]["data"]["text/plain"] for m in results]))
        finally:
            await kernel.shutdown()
    assert shown == [("all-results", ["1", "2"]), ("python3", ["2"]), ("all-results", ["1", "2"])]
    assert len(zygotes.running()) == 1


async def test_a_kernel_starts_without_a_zygote_that_could_not_start(tmp_path: Path) -> None:
    """A command's zygote, not waited for before its first fork, fails that fork: the kernel
    is then started the usual way."""
    python = tmp_path / "python"  # this Python, except as a zygote
    python.write_text(
        f'#!/bin/sh\ncase "$1" in *zygote_main.py) exit 3;; esac\nexec {sys.executable} "$@"\n'
    )
    python.chmod(0o755)
    folder = tmp_path / "kernels" / "no-zygote"
    folder.mkdir(parents=True)
    argv = [str(python), "-m", "ipykernel_launcher", "-f", "{connection_file}"]
    spec = {"argv": argv, "display_name": "No zygote", "language": "python"}
    (folder / "kernel.json").write_text(json.dumps(spec))
    specs = KernelSpecManager(kernel_dirs=[str(tmp_path / "kernels")])
    async with own_zygotes(Preload(fork_while_preloading=True)) as zygotes:
        kernel = await start_kernel(
            "no-zygote", kernel_spec_manager=specs, zygotes=zygotes, cwd="/"
        )
        try:
            assert not kernel.forked
            await prepared(kernel, tmp_path)  # by running code
        finally:
            await kernel.shutdown()


def test_a_shell_the_zygote_could_not_finish_is_not_handed_out() -> None:
    """Should building the shell fail half-way (another IPython in an environment), kernels
    build their own: none is left behind for them to pick up unadapted."""
    code = (
        "import json, sys\n"
        f"sys.path.insert(0, {os.path.dirname(ZYGOTE_SCRIPT)!r})\n"
        "import forked_kernel\n"
        "from IPython.core.interactiveshell import InteractiveShell\n"
        "def fail(self, cell):\n"
        "    raise RuntimeError('not in this IPython')\n"
        "InteractiveShell.transform_cell = fail\n"
        "shell = forked_kernel.prebuilt_shell(['--HistoryManager.enabled=False'])\n"
        "print(json.dumps([shell is None, InteractiveShell.initialized()]))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    )
    assert json.loads(done.stdout.splitlines()[-1]) == [True, False]


class Outputs:
    """A step's live output, kept."""

    def __init__(self) -> None:
        self.cells: list[Any] = []

    def cell(self, *args: Any) -> None:
        self.cells.append(args)

    def stream(self, *args: Any) -> None:
        pass


async def test_a_step_whose_kernel_cannot_be_prepared_fails_saying_why(tmp_path: Path) -> None:
    """A step's folder gone by the time its kernel is prepared: the step fails with the reason,
    not as a failure of a cell (its first code cell is empty: the next one carries the
    preparation), and none of its cells runs."""
    marker = tmp_path / "ran"
    notebook = write_notebook(tmp_path / "step.ipynb", "", f"open({str(marker)!r}, 'w').close()")
    gone = tmp_path / "gone"
    task = StepTask(
        "run", "step", "Step", notebook, notebook, "step.ipynb", gone, {}, "python3",
        (tmp_path / "step.log",),
    )  # fmt: skip
    executor = LocalExecutor(workdir=str(tmp_path), preload_modules=())
    try:
        with pytest.raises(StepFailed) as failed:
            await executor.run(task, Outputs())
    finally:
        await executor.close()
    assert failed.value.failure.name == "KernelSetupError"
    assert failed.value.failure.cell_index is None
    assert "FileNotFoundError" in failed.value.failure.message
    assert str(gone) in failed.value.failure.message
    assert not marker.exists()
