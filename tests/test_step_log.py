"""Step logs written by a thread: text reaches the files while the step runs, and all of it is
there when the step ends, cancelled or not."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import Any

from api_client import call, start_run, wait_run
from project_factory import write_pipeline

from orchest_lab.executors.log import StepLog

DEADLINE = 30.0


async def wait_for_text(path: Path, text: str) -> None:
    deadline = time.monotonic() + DEADLINE
    while not (path.exists() and path.read_text() == text):
        assert time.monotonic() < deadline, f"{path.name} never held the text written"
        await asyncio.sleep(0.01)


async def test_text_reaches_every_file_while_the_step_runs(tmp_path: Path) -> None:
    paths = (tmp_path / "run" / "s.log", tmp_path / "latest" / "s.log")
    with StepLog(paths) as log:
        assert all(p.read_text() == "" for p in paths)  # there, empty, from the start
        log.write("\x1b[31mred\x1b[0m and plain\n")
        log.write("more\n")
        for path in paths:  # nothing drains it: the writer gets it on its own
            await wait_for_text(path, "red and plain\nmore\n")
        log.write("last\n")
        await log.drain()
        assert all(p.read_text() == "red and plain\nmore\nlast\n" for p in paths)


async def test_closing_without_draining_loses_nothing(tmp_path: Path) -> None:
    path = tmp_path / "s.log"
    lines = [f"line {i}\n" for i in range(20000)]
    with StepLog((path,)) as log:
        for line in lines:
            log.write(line)
    assert path.read_text() == "".join(lines)


def test_without_an_event_loop_text_is_written_at_once(tmp_path: Path) -> None:
    path = tmp_path / "s.log"
    with StepLog((path,)) as log:
        log.write("now\n")
        assert path.read_text() == "now\n"


async def test_steps_that_flood_their_logs_have_all_of_it_when_they_end(
    jp_fetch: Any, jp_root_dir: Path
) -> None:
    code = (
        "import sys\nfor i in range(50000):\n    print('line', i)\nprint('err', file=sys.stderr)\n"
    )
    steps = {"Script": ("flood.py", []), "Notebook": ("flood.ipynb", [])}
    _, uuids, _ = write_pipeline(jp_root_dir, steps, {"flood.py": code, "flood.ipynb": [code]})
    started = await start_run(jp_fetch, {"pipeline_path": "p.orchest"})
    run = await wait_run(jp_fetch, started["id"])
    assert run["status"] == "SUCCESS", run
    for title in steps:
        response = await call(jp_fetch, "GET", f"runs/{run['id']}/steps/{uuids[title]}/log")
        lines = response.body.decode().splitlines()
        assert sorted(lines) == sorted([f"line {i}" for i in range(50000)] + ["err"]), title
