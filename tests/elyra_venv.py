"""Elyra's command, from the venv of its own that `make test` and `make bench` install
(.venv-elyra: Elyra would downgrade packages of ours). Shared by tests/test_elyra_runtime.py and
bench/bench_runs.py."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

ELYRA_VENV = Path(__file__).resolve().parent.parent / ".venv-elyra"
ELYRA_PIPELINE = ELYRA_VENV / "bin" / "elyra-pipeline"


def elyra_version() -> str | None:
    """The installed Elyra's version, or None when it is not installed."""
    if not ELYRA_PIPELINE.is_file():
        return None
    found = sorted(ELYRA_VENV.glob("lib/python*/site-packages/elyra-*.dist-info"))
    return found[0].name.removeprefix("elyra-").removesuffix(".dist-info") if found else "?"


def elyra_pipeline(
    *args: str, cwd: Path, timeout: float | None = None
) -> subprocess.CompletedProcess[str]:
    """`elyra-pipeline ARGS` in `cwd`, as from its activated venv: its nodes' `python3` is the
    venv's, and nothing of ours (VIRTUAL_ENV, PYTHONPATH) leaks into it."""
    bin_dir = ELYRA_PIPELINE.parent
    env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "PYTHONPATH")}
    env["PATH"] = f"{bin_dir}{os.pathsep}{env.get('PATH', '')}"
    return subprocess.run(
        [str(ELYRA_PIPELINE), *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
