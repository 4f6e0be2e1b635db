"""Environment work never blocks the server's event loop: while reading an environment's files
hangs (here a setup script that is a named pipe, as a slow or stuck disk would), the server
still answers other requests."""

from __future__ import annotations

import asyncio
import errno
import os
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from api_client import call, payload, start_run, wait_run
from environment_helpers import wait_built
from project_factory import write_pipeline

ENV = "piped"
GUARD = 10.0  # seconds the pipe waits for the test's answer before it lets a blocked loop go


class PipeWriter(threading.Thread):
    """Feeds `path` (a named pipe) to the first reader, once the test says it got an answer
    from the server, or GUARD seconds passed (a blocked event loop cannot tell it: the test's
    own coroutine runs on that loop). Later readers find a regular file there."""

    def __init__(self, path: Path, content: bytes) -> None:
        super().__init__(daemon=True)
        self.path, self.content = path, content
        self.reader_in = threading.Event()
        self.answered = threading.Event()
        self.stop = threading.Event()
        self.released_by_guard = False

    def run(self) -> None:
        while not self.stop.is_set():
            try:  # succeeds once a reader has the pipe open
                fd = os.open(self.path, os.O_WRONLY | os.O_NONBLOCK)
            except OSError as err:
                if err.errno != errno.ENXIO:
                    raise
                time.sleep(0.01)
                continue
            try:
                self.reader_in.set()
                self.released_by_guard = not self.answered.wait(GUARD)
                replacement = self.path.with_name(".replacement")
                replacement.write_bytes(self.content)
                os.replace(replacement, self.path)  # the reader keeps the pipe it opened
                os.set_blocking(fd, True)
                os.write(fd, self.content)
            finally:
                os.close(fd)
            return


@pytest.fixture
def piped(jp_root_dir: Path) -> Any:
    folder = jp_root_dir / ".orchest" / "environments" / ENV
    folder.mkdir(parents=True)
    (folder / "properties.json").write_text('{"name": "Piped"}')
    os.mkfifo(folder / "setup_script.sh")
    writer = PipeWriter(folder / "setup_script.sh", b"echo from the pipe\n")
    writer.start()
    yield writer
    writer.stop.set()
    writer.join()


async def answers_while_a_read_hangs(jp_fetch: Any, writer: PipeWriter) -> None:
    deadline = time.monotonic() + 120
    while not writer.reader_in.is_set():
        assert time.monotonic() < deadline, "nothing read the setup script"
        await asyncio.sleep(0.01)
    response = await jp_fetch("api", "status")
    assert response.code == 200
    writer.answered.set()
    assert not writer.released_by_guard, "the event loop was blocked while the read hung"


@pytest.mark.parametrize("request_", ["build", "cancel build", "delete"])
async def test_environment_requests_do_not_block_the_server(
    jp_fetch: Any, jp_root_dir: Path, piped: PipeWriter, request_: str
) -> None:
    method, route = {
        "build": ("POST", f"environments/./{ENV}/build"),
        "cancel build": ("DELETE", f"environments/./{ENV}/build"),
        "delete": ("DELETE", f"environments/./{ENV}"),
    }[request_]
    pending = asyncio.ensure_future(call(jp_fetch, method, route))
    await answers_while_a_read_hangs(jp_fetch, piped)
    response = await pending
    assert response.code == {"build": 202, "cancel build": 200, "delete": 204}[request_]
    if request_ == "build":
        assert (await wait_built(jp_fetch, ".", ENV))["build"]["state"] == "ready"
    if request_ == "delete":
        assert not (jp_root_dir / ".orchest" / "environments" / ENV).exists()
    else:
        assert payload(response)["setup_script"] == "echo from the pipe\n"


async def test_a_step_waiting_for_its_environment_does_not_block_the_server(
    jp_fetch: Any, jp_root_dir: Path, piped: PipeWriter
) -> None:
    document, uuids, path = write_pipeline(jp_root_dir, {"S": ("s.py", [])}, {"s.py": "1\n"})
    document.data["steps"][uuids["S"]]["environment"] = ENV
    document.save(path)
    run = await start_run(jp_fetch, {"pipeline_path": "p.orchest"})
    await answers_while_a_read_hangs(jp_fetch, piped)
    assert (await wait_run(jp_fetch, run["id"], timeout=300))["status"] == "SUCCESS"
