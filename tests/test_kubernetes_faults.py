"""What clusters do to steps, played by the fake API server: watches and log streams cut in
the middle (with the history compacted: 410 Gone), a container over its memory limit, an
eviction, pods that cannot be scheduled or lack their claim."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from api_client import start_run, steps_by_title, wait_run
from kube_backend import FakeBackend, make_backend
from kube_fixtures import (  # noqa: F401  (fixtures)
    data_dir,
    events_until_end,
    jp_root_dir,
    jp_server_config,
    next_event,
    wait_for,
)
from project_factory import read_outputs, write_pipeline

from orchest_lab.events import CELL
from orchest_lab.pipeline import PipelineDocument

WAIT_FOR_GO = "import os, time\nwhile not os.path.exists('go'):\n    time.sleep(0.05)\n"


@pytest.fixture
def backend(tmp_path: Path) -> Iterator[FakeBackend]:
    yield from make_backend("fake", tmp_path)  # type: ignore[misc]


def pod_of(backend: FakeBackend, title: str) -> str:
    (pod,) = [p for p in backend.pods() if p["metadata"]["name"].startswith(f"ol-{title}-")]
    return str(pod["metadata"]["name"])


def lists_of_pods(backend: FakeBackend) -> int:
    return sum(
        1
        for method, path, query in backend.kube.requests
        if method == "GET" and path.endswith("/pods") and not query.get("watch")
    )


async def test_watches_and_logs_cut_in_the_middle_are_resumed_and_nothing_is_lost(
    jp_fetch: Any, jp_ws_fetch: Any, jp_root_dir: Path, backend: FakeBackend
) -> None:
    cells = ["print('first', flush=True)\n" + WAIT_FOR_GO + "print('second')", "print('third')"]
    steps = {"Live": ("live.ipynb", []), "Next": ("next.py", ["Live"])}
    write_pipeline(jp_root_dir, steps, {"live.ipynb": cells, "next.py": "print('next')\n"})
    socket = await jp_ws_fetch("api", "events", "subscribe")
    run = await start_run(jp_fetch, {"pipeline_path": "p.orchest"})
    events = []
    while True:
        event = await next_event(socket, run["id"])
        events.append(event)
        if event["schema_id"] == CELL and "first" in str(event["outputs"]):
            break
    listed = lists_of_pods(backend)
    # Both watches (Jobs, pods) and the followed log are cut, and the history the watches
    # would resume from is compacted away: they get 410 Gone and must list again.
    assert backend.kube.drop("watch") == 2
    assert backend.kube.drop("log") == 1
    backend.kube.compact()
    (jp_root_dir / "go").touch()
    await events_until_end(socket, run["id"], events)
    socket.close()

    finished = await wait_run(jp_fetch, run["id"])
    assert finished["status"] == "SUCCESS", finished
    assert lists_of_pods(backend) > listed  # listed again after 410
    # Nothing lost, nothing twice: the log was read again from its start, past what was seen.
    stream = [{"output_type": "stream", "name": "stdout"}]
    assert read_outputs(jp_root_dir / "live.ipynb") == [
        (1, [{**stream[0], "text": "first\nsecond\n"}]),
        (2, [{**stream[0], "text": "third\n"}]),
    ]
    done = [
        (e["index"], e["outputs"])
        for e in events
        if e["schema_id"] == CELL and e["state"] == "done"
    ]
    assert [index for index, _ in done] == [0, 1]


async def test_a_step_over_its_memory_limit_is_oom_killed(
    jp_fetch: Any, jp_root_dir: Path, backend: FakeBackend
) -> None:
    cells = ["data = b'x' * (400 << 20)\n" + WAIT_FOR_GO]
    _, uuids, path = write_pipeline(jp_root_dir, {"Big": ("big.ipynb", [])}, {"big.ipynb": cells})
    document = PipelineDocument.from_file(path)
    document.step(uuids["Big"])["resources"] = {"limits": {"memory": "200Mi"}}
    document.save(path)
    run = await wait_run(
        jp_fetch, (await start_run(jp_fetch, {"pipeline_path": "p.orchest"}))["id"], timeout=120
    )
    big = steps_by_title(run)["Big"]
    assert big["status"] == "FAILURE"
    assert big["failure"] == {
        "name": "OOMKilled",
        "message": "the step used more memory than its limit (200Mi) and was killed",
        "cell_index": None,
        "traceback": None,
    }


async def test_an_evicted_pod_fails_its_step_saying_so(
    jp_fetch: Any, jp_root_dir: Path, backend: FakeBackend
) -> None:
    cells = ["open('started', 'w').close()\n" + WAIT_FOR_GO]
    write_pipeline(jp_root_dir, {"Held": ("held.ipynb", [])}, {"held.ipynb": cells})
    run = await start_run(jp_fetch, {"pipeline_path": "p.orchest"})
    await wait_for(lambda: (jp_root_dir / "started").exists(), timeout=120)
    backend.kube.evict(pod_of(backend, "held"))
    held = steps_by_title(await wait_run(jp_fetch, run["id"]))["Held"]
    assert held["status"] == "FAILURE"
    assert held["failure"]["name"] == "Evicted"
    assert held["failure"]["message"] == (
        "the step's pod was evicted: The node was low on resource: memory."
    )
    await wait_for(lambda: not backend.processes())


@pytest.mark.k8s(pod_start_timeout=3)
async def test_a_pod_that_cannot_be_scheduled_fails_after_the_start_timeout(
    jp_fetch: Any, jp_root_dir: Path, backend: FakeBackend
) -> None:
    _, _, path = write_pipeline(jp_root_dir, {"Huge": ("huge.py", [])}, {"huge.py": ""})
    document = PipelineDocument.from_file(path)
    document.settings["step_resources"] = {"requests": {"cpu": "64"}}
    document.save(path)
    run = await wait_run(
        jp_fetch, (await start_run(jp_fetch, {"pipeline_path": "p.orchest"}))["id"]
    )
    huge = steps_by_title(run)["Huge"]
    assert huge["failure"]["name"] == "PodNotStarted"
    assert huge["failure"]["message"] == (
        "the step's pod did not start within 3 s: "
        "Unschedulable: 0/1 nodes are available: 1 Insufficient cpu."
    )
    await wait_for(lambda: backend.jobs() == [])


@pytest.mark.k8s(pod_start_timeout=3)
async def test_a_missing_claim_fails_the_step_naming_it(
    jp_fetch: Any, jp_root_dir: Path, backend: FakeBackend
) -> None:
    write_pipeline(jp_root_dir, {"Step": ("step.py", [])}, {"step.py": ""})
    del backend.kube.kubelet.node.claims["data"]  # the data claim does not exist (any more)
    run = await wait_run(
        jp_fetch, (await start_run(jp_fetch, {"pipeline_path": "p.orchest"}))["id"]
    )
    step = steps_by_title(run)["Step"]
    assert step["failure"]["name"] == "PodNotStarted", step
    assert step["failure"]["message"] == (
        "the step's pod did not start within 3 s: "
        'Unschedulable: persistentvolumeclaim "data" not found'
    )
