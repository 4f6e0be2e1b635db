"""Building one environment: a virtual environment made with uv, the kernel and SDK packages,
then the environment's setup script run inside it. Every line goes to the build log."""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import shutil
import signal
import sys
from collections.abc import Callable
from pathlib import Path

from .definition import EnvironmentDefinition

# What every environment needs so that steps and JupyterLab can use it: a kernel, and the
# SDK's data passing (the SDK itself is put on the kernel's path, not installed).
RUNTIME_REQUIREMENTS = ("ipykernel", "pyarrow")

Log = Callable[[str], None]


class BuildError(Exception):
    """The build failed; the message says at which step and why."""


def uv_binary() -> str:
    from uv import find_uv_bin

    return str(find_uv_bin())


def requested_python(definition: EnvironmentDefinition) -> str | None:
    """The Python version an environment's base image names (`python:3.10`, `...-py3.12`), or
    None: Orchest's base images have no meaning on one machine, so `orchest/base-kernel-py` and
    custom images use the server's Python."""
    if definition.language != "python":
        raise BuildError(
            f"'{definition.name}' is a {definition.language} environment; only Python "
            "environments can be built on this machine (Orchest's other images need a "
            "container runtime)"
        )
    version = re.search(r"(?:python|py)[:-]?(3\.\d+)", definition.base_image)
    return version.group(1) if version else None


class Builder:
    """One build of one environment into `venv`. Cancelling `run()` stops the step in progress
    and everything it started."""

    def __init__(self, definition: EnvironmentDefinition, project: Path, venv: Path, log: Log):
        self.definition = definition
        self.project = project
        self.venv = venv
        self.log = log

    async def run(self) -> Path:
        """Build and return the environment's Python; raises BuildError."""
        uv = uv_binary()
        python = await self._python(uv)
        await asyncio.to_thread(shutil.rmtree, self.venv, ignore_errors=True)
        self.log(f"Building '{self.definition.name}' on {python}\n")
        if self.definition.gpu_support:
            self.log("GPU support is requested; it is a matter of the packages you install.\n")
        await self._step(
            "create the virtual environment",
            [uv, "venv", "--seed", "--no-python-downloads", "--python", python, str(self.venv)],
        )
        env_python = self.venv / "bin" / "python"
        await self._step(
            "install the kernel and the SDK's packages",
            # Compiled now: kernels must not recompile IPython at every start (the machine may
            # forbid writing bytecode at run time).
            [
                uv,
                "pip",
                "install",
                "--compile-bytecode",
                "--python",
                str(env_python),
                *RUNTIME_REQUIREMENTS,
            ],
        )
        if self.definition.setup_script.strip():
            script = self.venv.parent / "setup_script.sh"
            await asyncio.to_thread(script.write_text, self.definition.setup_script)
            await self._step("run the setup script", ["bash", str(script)], cwd=self.project)
        await self._step("check the kernel", [str(env_python), "-c", "import ipykernel"])
        self.log("Environment ready.\n")
        return env_python

    async def _python(self, uv: str) -> str:
        """The interpreter to build on: the server's, or the version the base image names,
        found by uv, or installed by uv (where the network allows) when it is not there."""
        version = requested_python(self.definition)
        if version is None:
            return sys.executable
        found = await _find_python(uv, version)
        if found is not None:
            return found
        self.log(f"Python {version} is not installed; asking uv for it\n")
        try:
            await self._step(f"install Python {version}", [uv, "python", "install", version])
        except BuildError as err:
            raise BuildError(
                f"base image '{self.definition.base_image}' asks for Python {version}, which is "
                f"not installed here, and uv could not install it ({err}); install Python "
                f"{version} (e.g. `uv python install {version}` where the network allows) or "
                "choose a base image of an installed Python"
            ) from err
        found = await _find_python(uv, version)
        if found is None:
            raise BuildError(f"uv installed Python {version}, yet it cannot be found")
        return found

    async def _step(self, what: str, command: list[str], cwd: Path | None = None) -> None:
        self.log(f"\n$ {' '.join(command)}\n")
        env = {
            **os.environ,
            "VIRTUAL_ENV": str(self.venv),
            "PATH": f"{self.venv / 'bin'}{os.pathsep}{os.environ.get('PATH', '')}",
            "PYTHONUNBUFFERED": "1",
            "PIP_DISABLE_PIP_VERSION_CHECK": "1",
        }
        env.pop("PYTHONHOME", None)
        env.pop("PYTHONPATH", None)  # the build must not see the server's packages
        process = await asyncio.create_subprocess_exec(
            *command,
            cwd=cwd or self.venv.parent,
            env=env,
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
            start_new_session=True,  # a cancel stops everything the step started
        )
        assert process.stdout is not None
        tail = ""  # the end of the output (chunks may split lines): where the cause is
        try:
            while chunk := await process.stdout.read(65536):
                text = chunk.decode("utf-8", errors="replace")
                self.log(text)
                tail = (tail + text)[-16384:]
            status = await process.wait()
        except asyncio.CancelledError:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            await asyncio.shield(process.wait())
            raise
        if status != 0:
            plain = re.sub(r"\x1b\[[0-9;?]*[ -/]*[@-~]", "", tail)  # no terminal colours
            cause = failure_cause([line for line in plain.splitlines() if line.strip()])
            detail = f": {cause}" if cause else ""
            raise BuildError(f"could not {what} (exit status {status}){detail}")


# A line that reads as an error: words, or the marks that open uv's resolver reports.
ERROR_LINE = re.compile(
    r"(?i)\b(error|exception|failed|cannot|unsatisfiable|requires?)\b|^\s*(\u00d7|\u2570\u2500\u25b6)"
)


def failure_cause(lines: list[str]) -> str:
    """What a failed step's output says went wrong: its last line that reads as an error (a
    resolver's conclusion, an exception), rather than whatever came last (a notice, a hint)."""
    errors = [line.strip() for line in lines if ERROR_LINE.search(line)]
    chosen = errors[-1] if errors else (lines[-1].strip() if lines else "")
    return chosen[:300]


async def _find_python(uv: str, version: str) -> str | None:
    """The installed Python `version` as uv finds it (pyenv shims that fail are skipped)."""
    process = await asyncio.create_subprocess_exec(
        uv,
        "python",
        "find",
        "--no-python-downloads",
        version,
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.DEVNULL,
    )
    out, _ = await process.communicate()
    path = out.decode(errors="replace").strip()
    return path if process.returncode == 0 and path else None
