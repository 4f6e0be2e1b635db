"""The Kubernetes executor on its own (no server): bad setups fail the step saying which, a Job
already submitted is followed, start-up deletes only what it should, and everything but the
executor works without the kubernetes client installed."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from kube_backend import FakeBackend, make_backend
from kube_fixtures import wait_for
from project_factory import write_pipeline

from orchest_lab.executors.base import StepFailed, StepTask
from orchest_lab.executors.kubernetes import KubernetesExecutor
from orchest_lab.executors.kubernetes.manifest import step_job
from orchest_lab.records import CellUpdate
from orchest_lab.services.pipelines import PipelineService
from orchest_lab.services.planning import RunPlanner, RunRequest


class Outputs:
    """A StepOutput that keeps what it is given."""

    def __init__(self) -> None:
        self.streams: list[tuple[str, str]] = []
        self.cells: list[tuple[int, str]] = []

    def cell(self, task: StepTask, update: CellUpdate) -> None:
        self.cells.append((update.index, update.state))

    def stream(self, task: StepTask, name: str, text: str) -> None:
        self.streams.append((name, text))


@pytest.fixture
def backend(tmp_path: Path) -> Iterator[FakeBackend]:
    yield from make_backend("fake", tmp_path)  # type: ignore[misc]


def tasks_of(backend: FakeBackend, files: dict[str, Any]) -> dict[str, StepTask]:
    """A run's tasks as the server prepares them: a step per file, each its own title."""
    root = backend.folder / "root"
    root.mkdir(exist_ok=True)
    steps = {name.split(".")[0]: (name, []) for name in files}
    write_pipeline(root, steps, files, name=f"p{len(list(root.glob('*.orchest')))}")
    pipeline = sorted(root.glob("*.orchest"))[-1].name
    planner = RunPlanner(PipelineService(root), backend.data)
    prepared = planner.prepare(planner.plan(RunRequest({"path": pipeline})))
    return {task.title: task for task in prepared.tasks.values()}


def executor(backend: FakeBackend, **settings: Any) -> KubernetesExecutor:
    return KubernetesExecutor(**backend.settings(**settings), workdir=str(backend.folder))


async def failure_of(executor: KubernetesExecutor, task: StepTask) -> Any:
    try:
        with pytest.raises(StepFailed) as failed:
            # A deadline against a hung step: the point is that it fails, not how fast.
            await asyncio.wait_for(executor.run(task, Outputs()), 60)
    finally:
        await executor.close()
    return failed.value.failure


async def test_a_forbidden_create_fails_the_step_naming_the_role(backend: FakeBackend) -> None:
    task = tasks_of(backend, {"step.py": ""})["step"]
    backend.kube.forbidden.add(("create", "jobs"))
    failure = await failure_of(executor(backend), task)
    assert failure.name == "Forbidden"
    assert "answered 403 (not allowed)" in failure.message
    assert 'cannot create resource "jobs"' in failure.message
    assert failure.message.endswith("needs the Role of deploy/ in this namespace")


async def test_an_unknown_namespace_fails_the_step_naming_it(backend: FakeBackend) -> None:
    task = tasks_of(backend, {"step.py": ""})["step"]
    failure = await failure_of(executor(backend, namespace="nowhere"), task)
    assert failure.name == "NamespaceNotFound"
    assert 'namespaces "nowhere" not found' in failure.message


async def test_an_unreachable_cluster_fails_the_step_and_a_bad_kubeconfig_says_so(
    backend: FakeBackend, tmp_path: Path
) -> None:
    task = tasks_of(backend, {"step.py": ""})["step"]
    closed = json.loads(backend.kubeconfig.read_text())
    closed["clusters"][0]["cluster"]["server"] = "http://127.0.0.1:1"  # nothing listens there
    unreachable = tmp_path / "unreachable.kubeconfig"
    unreachable.write_text(json.dumps(closed))
    failure = await failure_of(executor(backend, kubeconfig=str(unreachable), api_timeout=1), task)
    assert failure.name == "KubernetesUnavailable"
    assert failure.message.startswith("cannot list Jobs and pods in namespace orchest: ")
    assert "cannot reach the Kubernetes API" in failure.message
    missing = str(tmp_path / "no-such-kubeconfig")
    failure = await failure_of(executor(backend, kubeconfig=missing), task)
    assert failure.name == "KubernetesUnavailable"
    assert failure.message.startswith(f"cannot load the Kubernetes configuration ({missing})")


async def test_a_job_already_submitted_is_followed_not_submitted_again(
    backend: FakeBackend,
) -> None:
    task = tasks_of(backend, {"talk.py": "print('once')\n"})["talk"]
    runner = executor(backend)
    job = step_job(task, backend.image, _volumes(runner, backend), runner.job_settings("orchest"))
    backend.kube.create_job("orchest", json.dumps(job).encode())  # as a first attempt did
    outputs = Outputs()
    try:
        await asyncio.wait_for(runner.run(task, outputs), 60)
    finally:
        await runner.close()
    assert "".join(text for name, text in outputs.streams if name == "stdout") == "once\n"
    assert len(backend.jobs()) == 1 and len(backend.kube.created) == 2


def _volumes(runner: KubernetesExecutor, backend: FakeBackend) -> Any:
    from orchest_lab.executors.kubernetes.volumes import Volumes, volume_setting

    settings = backend.settings()
    return Volumes(
        [
            v
            for v in (
                volume_setting("p", "project", settings["project_volume"]),
                volume_setting("d", "data", settings["data_volume"]),
            )
            if v is not None
        ]
    )


async def test_start_up_deletes_the_jobs_of_runs_not_running_and_no_other(
    backend: FakeBackend,
) -> None:
    """Jobs a stopped server left: its own of runs not in progress go, with their pods and
    processes; those of a run in progress, or of another server in the namespace, stay."""
    sleeper = "import pathlib, sys, time\npathlib.Path(sys.argv[0] + '.started').touch()\n"
    sleeper += "time.sleep(300)\n"
    left = tasks_of(backend, {"left.py": sleeper})["left"]
    running = tasks_of(backend, {"running.py": sleeper})["running"]
    other = tasks_of(backend, {"other.py": sleeper})["other"]
    first = executor(backend)
    volumes = _volumes(first, backend)
    for task, instance in ((left, "tests"), (running, "tests"), (other, "elsewhere")):
        settings = executor(backend, instance=instance).job_settings("orchest")
        job = step_job(task, backend.image, volumes, settings)
        backend.kube.create_job("orchest", json.dumps(job).encode())
    started = [Path(str(t.file) + ".started") for t in (left, running, other)]
    await wait_for(lambda: all(path.exists() for path in started))

    second = executor(backend)
    second.runs_in_progress = lambda: [running.run_id]
    try:
        await second.warm_up()
    finally:
        await second.close()
    runs = {job["metadata"]["labels"]["orchest-lab/run"] for job in backend.jobs()}
    assert runs == {running.run_id, other.run_id}
    await wait_for(lambda: len(backend.pods()) == 2)
    await wait_for(lambda: not backend.kube.processes("ol-left-"))
    assert backend.kube.processes("ol-running-") and backend.kube.processes("ol-other-")


def test_everything_but_the_executor_works_without_the_kubernetes_client(tmp_path: Path) -> None:
    code = """
import sys
sys.modules["kubernetes"] = None  # as if it were not installed
import orchest_lab.app, orchest_lab.cli.run, orchest_lab.runner.notebook
from orchest_lab.executors.kubernetes import KubernetesExecutor
from orchest_lab.executors.kubernetes.api import Connection, KubeApi, KubernetesUnavailable
try:
    KubeApi(Connection())
except KubernetesUnavailable as err:
    print(err)
"""
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False, cwd=tmp_path
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == (
        "the Kubernetes executor needs the kubernetes client: pip install 'orchest-lab[kubernetes]'"
    )
