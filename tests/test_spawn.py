"""Step processes are started off the event loop; their output and exit reach it as before."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path

from orchest_lab.executors.spawn import spawn


async def test_output_and_exit_status_reach_the_loop(tmp_path: Path) -> None:
    code = "import sys; print('out'); print('err', file=sys.stderr); sys.exit(3)"
    process = await spawn([sys.executable, "-c", code], cwd=tmp_path, env=dict(os.environ))
    out, err = await asyncio.gather(process.stdout.read(), process.stderr.read())
    assert (out, err) == (b"out\n", b"err\n")
    assert await process.wait() == 3
    assert process.returncode == 3 and await process.wait() == 3


async def test_a_process_in_its_own_group_is_stopped_with_its_children(tmp_path: Path) -> None:
    code = (
        "import subprocess, sys, time\n"
        "subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(60)'])\n"
        "print('ready', flush=True)\n"
        "time.sleep(60)\n"
    )
    process = await spawn([sys.executable, "-c", code], cwd=tmp_path, env=dict(os.environ))
    assert await process.stdout.readline() == b"ready\n"
    assert process.returncode is None
    assert os.getpgid(process.pid) == process.pid  # a group of its own
    os.killpg(process.pid, signal.SIGKILL)
    assert await process.wait() == -signal.SIGKILL
    assert await process.stdout.read() == b""  # the child, in the group, is gone too
