"""A server killed (`kill -9`) while its steps run as Jobs leaves them running; the next server
on the same state deletes them as it starts: nothing runs unseen, and the run says aborted."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from kube_backend import FakeBackend, make_backend
from kube_fixtures import EXECUTOR
from project_factory import write_pipeline
from server_process import ServerProcess
from test_crash import wait_until

WAIT_FOREVER = "import pathlib, time\npathlib.Path('{name}.started').touch()\ntime.sleep(600)\n"


@pytest.fixture
def backend(tmp_path: Path) -> Iterator[FakeBackend]:
    yield from make_backend("fake", tmp_path)  # type: ignore[misc]


def test_a_restarted_server_deletes_the_jobs_its_killed_predecessor_left(
    backend: FakeBackend,
) -> None:
    server = ServerProcess(backend.folder)  # root, data (the backend's), state under it
    config = {"OrchestLab": {"executor_class": EXECUTOR}, "KubernetesExecutor": backend.settings()}
    steps = {"Held": ("held.ipynb", []), "Shell": ("shell.py", [])}
    files = {
        "held.ipynb": [WAIT_FOREVER.format(name="held")],
        "shell.py": WAIT_FOREVER.format(name="shell"),
    }
    write_pipeline(server.root, steps, files)
    started = [server.root / "held.started", server.root / "shell.started"]
    try:
        server.start(config=config)
        run = server.api("POST", "runs", {"pipeline_path": "p.orchest"})
        wait_until(lambda: all(p.exists() for p in started), "both steps run")
        server.kill()
        # What a crash leaves: the Jobs, their pods and their processes, still running.
        assert len(backend.jobs()) == 2 and len(backend.pods()) == 2
        assert backend.processes()

        server.start(config=config)
        wait_until(lambda: not backend.jobs(), "the Jobs are deleted")
        wait_until(lambda: not backend.pods(), "their pods are gone")
        wait_until(lambda: not backend.processes(), "their processes are gone")
        aborted = server.api("GET", f"runs/{run['id']}")
        assert aborted["status"] == "ABORTED"
        assert aborted["reason"] == "the server stopped while the run was in progress"
    finally:
        server.stop()
