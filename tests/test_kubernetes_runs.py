"""Pipelines run by a server whose steps are Kubernetes Jobs, through the official client, on
the fake API server (and on a real cluster when KUBECONFIG is set: see kube_backend.py)."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import nbformat
import pytest
from api_client import call, payload, start_run, steps_by_title, wait_run
from conftest import QUICKSTART
from kube_backend import Backend
from kube_fixtures import (  # noqa: F401  (fixtures)
    IMAGE,
    backend,
    data_dir,
    events_until_end,
    jp_root_dir,
    jp_server_config,
    next_event,
    wait_for,
)
from project_factory import read_outputs, stdout_of, write_pipeline
from test_kubernetes_manifests import validate

from orchest_lab.events import CELL, STEP, STREAM
from orchest_lab.pipeline import PipelineDocument

QUICKSTART_ENV = "0b4cd2f6-9f4e-4bd0-8a0e-3f4c2d1e5a77"
IMAGES = {QUICKSTART_ENV: IMAGE}


def job_of(backend: Backend, step_uuid: str) -> dict[str, Any]:
    (job,) = [j for j in backend.jobs() if j["metadata"]["labels"]["orchest-lab/step"] == step_uuid]
    return job


@pytest.mark.k8s(images=IMAGES, default_image="")
async def test_the_quickstart_runs_as_jobs_with_live_cell_events(
    jp_fetch: Any, jp_ws_fetch: Any, jp_root_dir: Path, backend: Backend, data_dir: Path
) -> None:
    project = jp_root_dir / "quickstart"
    shutil.copytree(QUICKSTART, project)
    document = PipelineDocument.from_file(project / "quickstart.orchest")
    uuids = {step["title"]: uuid for uuid, step in document.steps.items()}
    socket = await jp_ws_fetch("api", "events", "subscribe")
    run = await start_run(jp_fetch, {"pipeline_path": "quickstart/quickstart.orchest"})
    events = await events_until_end(socket, run["id"])
    socket.close()

    finished = payload(await call(jp_fetch, "GET", f"runs/{run['id']}"))
    assert finished["status"] == "SUCCESS", finished
    assert {s["status"] for s in finished["steps"]} == {"SUCCESS"}
    # The notebook's code cell was seen running, then with its output while still running,
    # then done with its count: as a local run shows it.
    load = [
        (e["state"], e["execution_count"], e["outputs"])
        for e in events
        if e["schema_id"] == CELL and e["step_uuid"] == uuids["Load data"]
    ]
    printed = [{"output_type": "stream", "name": "stdout", "text": "loaded 200 rows\n"}]
    assert load[0] == ("running", None, [])
    assert ("running", 1, printed) in load
    assert load[-1] == ("done", 1, printed)
    assert read_outputs(project / "load.ipynb") == [(1, printed)]
    # Data went from pod to pod on disk: Train read both of its parents' outputs.
    assert stdout_of(project / "train.ipynb").startswith("trained on 200 rows and 200 features")
    pipeline_dir = project / ".orchest" / "pipelines" / document.uuid
    assert (
        (pipeline_dir / "data" / uuids["Load data"] / "HEAD").read_text().endswith("measurements")
    )
    # A script's output comes as stream events, and into its log.
    clean = [e for e in events if e["schema_id"] == STREAM and e["step_uuid"] == uuids["Clean"]]
    assert "".join(e["text"] for e in clean if e["name"] == "stdout") == "kept 200 of 200 rows\n"
    log = (pipeline_dir / "logs" / f"{uuids['Clean']}.log").read_text()
    assert "kept 200 of 200 rows\n" in log and "[kubernetes] Job ol-clean-" in log
    steps = [(e["step_uuid"], e["status"]) for e in events if e["schema_id"] == STEP]
    assert steps.index((uuids["Train"], "STARTED")) > steps.index((uuids["Clean"], "SUCCESS"))
    # One Job per step, labelled with its run, step, pipeline and project.
    for title, uuid in uuids.items():
        labels = job_of(backend, uuid)["metadata"]["labels"]
        assert labels["orchest-lab/run"] == run["id"], title
        assert labels["orchest-lab/pipeline"] == document.uuid
        assert labels["orchest-lab/project"] and labels["app.kubernetes.io/managed-by"]
    await wait_for(lambda: not backend.processes())
    if backend.name == "fake":  # every Job as the executor sent it, against the schema
        assert len(backend.kube.created) == 5
        for job in backend.kube.created:
            validate(job)


async def test_a_notebook_fills_live_and_a_failure_says_why(
    jp_fetch: Any, jp_ws_fetch: Any, jp_root_dir: Path, backend: Backend
) -> None:
    cells = [
        "import os, time\nprint('first', flush=True)\n"
        "while not os.path.exists('go'):\n    time.sleep(0.05)\nprint('second')",
        "raise ValueError('no data')",
        "print('never runs')",
    ]
    steps = {
        "Live": ("live.ipynb", []),
        "Exits": ("exits.py", []),
        "After": ("after.py", ["Live"]),
    }
    files = {
        "live.ipynb": cells,
        "exits.py": "import sys\nprint('bad input', file=sys.stderr)\nsys.exit(3)\n",
        "after.py": "print('never')\n",
    }
    write_pipeline(jp_root_dir, steps, files)
    stale = nbformat.read(jp_root_dir / "live.ipynb", as_version=4)  # as an earlier run left it
    stale.cells[2].outputs = [nbformat.v4.new_output("stream", name="stdout", text="old\n")]
    stale.cells[2].execution_count = 7
    nbformat.write(stale, jp_root_dir / "live.ipynb")
    socket = await jp_ws_fetch("api", "events", "subscribe")
    run = await start_run(jp_fetch, {"pipeline_path": "p.orchest"})
    events: list[dict[str, Any]] = []
    while True:
        event = await next_event(socket, run["id"])
        events.append(event)
        if event["schema_id"] == CELL and "first" in str(event["outputs"]):
            break
    assert event["state"] == "running"
    # The notebook on disk has the output while the cell still runs (it waits for `go`).
    await wait_for(lambda: "first" in (jp_root_dir / "live.ipynb").read_text())
    (jp_root_dir / "go").touch()
    await events_until_end(socket, run["id"], events)
    socket.close()

    finished = steps_by_title(payload(await call(jp_fetch, "GET", f"runs/{run['id']}")))
    live, exits = finished["Live"], finished["Exits"]
    assert (live["status"], live["failure"]["name"]) == ("FAILURE", "ValueError")
    assert (live["failure"]["message"], live["failure"]["cell_index"]) == ("no data", 1)
    assert "ValueError" in live["failure"]["traceback"][-1]
    assert exits["status"] == "FAILURE"
    assert exits["failure"]["name"] == "ExitStatus"
    assert exits["failure"]["message"] == "exits.py exited with status 3: bad input"
    assert finished["After"]["status"] == "SKIPPED"
    outputs = read_outputs(jp_root_dir / "live.ipynb")
    assert outputs[0] == (
        1,
        [{"output_type": "stream", "name": "stdout", "text": "first\nsecond\n"}],
    )
    assert outputs[1][1][0]["ename"] == "ValueError"
    assert outputs[2] == (None, [])  # emptied when the step started: nothing stale below


async def test_cancel_deletes_the_jobs_and_leaves_no_pod(
    jp_fetch: Any, jp_root_dir: Path, backend: Backend
) -> None:
    steps = {"Busy": ("busy.ipynb", []), "Shell": ("busy.sh", []), "Next": ("next.py", ["Busy"])}
    files = {
        "busy.ipynb": [
            "import subprocess, time\nchild = subprocess.Popen(['sleep', '300'])\n"
            "open('kernel.started', 'w').close()\ntime.sleep(300)"
        ],
        "busy.sh": "sleep 300 &\ntouch shell.started\nwait\n",
        "next.py": "print('never')\n",
    }
    write_pipeline(jp_root_dir, steps, files)
    run = await start_run(jp_fetch, {"pipeline_path": "p.orchest"})
    started = [jp_root_dir / "kernel.started", jp_root_dir / "shell.started"]
    await wait_for(lambda: all(p.exists() for p in started), timeout=120)
    assert len(backend.pods()) == 2 and (backend.name != "fake" or backend.processes())

    cancelled = payload(await call(jp_fetch, "DELETE", f"runs/{run['id']}"))
    assert cancelled["status"] == "ABORTED"
    assert {s["status"] for s in cancelled["steps"]} == {"ABORTED"}
    # The cancel returned once the pods were gone: no Job, no pod, no process is left.
    assert backend.jobs() == [] and backend.pods() == []
    assert backend.processes() == []


async def test_a_step_timeout_stops_the_step(jp_fetch: Any, jp_root_dir: Path) -> None:
    _, uuids, path = write_pipeline(
        jp_root_dir, {"Slow": ("slow.ipynb", [])}, {"slow.ipynb": ["import time; time.sleep(300)"]}
    )
    document = PipelineDocument.from_file(path)
    document.step(uuids["Slow"])["timeout"] = 2  # the new optional field, kept in the file
    document.save(path)
    run = await wait_run(
        jp_fetch, (await start_run(jp_fetch, {"pipeline_path": "p.orchest"}))["id"], timeout=120
    )
    slow = steps_by_title(run)["Slow"]
    assert slow["status"] == "FAILURE"
    assert slow["failure"]["name"] == "DeadlineExceeded"
    assert slow["failure"]["message"] == "the step ran longer than its timeout of 2 s"


@pytest.mark.k8s(images={"broken-env": "missing/image:1"}, default_image="")
async def test_an_image_that_cannot_be_pulled_fails_the_step_and_no_image_says_so(
    jp_fetch: Any, jp_root_dir: Path, backend: Backend
) -> None:
    _, uuids, path = write_pipeline(
        jp_root_dir,
        {"Pull": ("pull.py", []), "Bare": ("bare.py", [])},
        {"pull.py": "print('never')\n", "bare.py": "print('never')\n"},
    )
    document = PipelineDocument.from_file(path)
    document.step(uuids["Pull"])["environment"] = "broken-env"
    document.save(path)
    environment = jp_root_dir / ".orchest" / "environments" / "broken-env"
    environment.mkdir(parents=True)
    (environment / "properties.json").write_text('{"name": "broken", "language": "python"}')
    run = await wait_run(
        jp_fetch, (await start_run(jp_fetch, {"pipeline_path": "p.orchest"}))["id"], timeout=120
    )
    pull, bare = steps_by_title(run)["Pull"], steps_by_title(run)["Bare"]
    assert pull["status"] == "FAILURE", pull
    assert pull["failure"]["name"] in ("ErrImagePull", "ImagePullBackOff")
    assert pull["failure"]["message"].startswith("the image missing/image:1 cannot be pulled")
    assert bare["failure"]["name"] == "NoImage"
    assert "c.KubernetesExecutor.default_image" in bare["failure"]["message"]
    await wait_for(lambda: backend.jobs() == [])  # the stuck Job was deleted
