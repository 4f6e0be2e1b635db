"""JupyterLab's kernels in the cluster: an environment's kernel started through the kernel
provisioner runs in a pod of the environment's image (on the fake API server: a process of
this machine), executes code, is interrupted by a message, and shutting it down deletes its
pod; a server with kernels_in_cluster lists the environment's kernel under Orchest's name."""

from __future__ import annotations

import asyncio
import base64
import json
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from jupyter_client.kernelspec import KernelSpecManager
from jupyter_client.manager import AsyncKernelManager
from kube_backend import Backend, FakeBackend, make_backend
from kube_fixtures import (  # noqa: F401  (fixtures of the server tests)
    IMAGE,
    data_dir,
    jp_root_dir,
    jp_server_config,
)

from orchest_lab.executors.kubernetes import KubernetesExecutor
from orchest_lab.executors.kubernetes.kernels import PROVISIONER, write_cluster_kernelspecs

ENV = "0b4cd2f6-9f4e-4bd0-8a0e-3f4c2d1e5a77"
KERNEL_LABEL = "app.kubernetes.io/component"


@pytest.fixture
def backend(tmp_path: Path) -> Iterator[FakeBackend]:
    yield from make_backend("fake", tmp_path)  # type: ignore[misc]


def kernel_pods(backend: Backend) -> list[dict[str, Any]]:
    return [p for p in backend.pods() if p["metadata"]["labels"].get(KERNEL_LABEL) == "kernel"]


def kernel_jobs(backend: Backend) -> list[dict[str, Any]]:
    return [j for j in backend.jobs() if j["metadata"]["labels"].get(KERNEL_LABEL) == "kernel"]


def provisioner_settings(backend: FakeBackend, **extra: Any) -> dict[str, Any]:
    settings = backend.settings()
    return {
        "kubeconfig": settings["kubeconfig"],
        "namespace": backend.namespace,
        "instance": "tests",
        "volumes": {"project": settings["project_volume"]},
        "start_timeout": 60,
        **extra,
    }


def kernel_manager(
    backend: FakeBackend, tmp_path: Path, image: str = "", **settings: Any
) -> AsyncKernelManager:
    """The manager of the environment's kernel in the cluster, from kernelspecs written as the
    server writes them (`image`: the environment's, the backend's by default)."""
    written = write_cluster_kernelspecs(
        tmp_path / "specs",
        {ENV: image or backend.image},
        provisioner_settings(backend, **settings),
    )
    specs = KernelSpecManager(kernel_dirs=[str(Path(written[ENV]).parent)])
    return AsyncKernelManager(kernel_name=f"orchest-kernel-{ENV}", kernel_spec_manager=specs)


async def execute(client: Any, code: str, timeout: float = 60) -> tuple[dict[str, Any], str]:
    """Run code; its reply's content and what it printed."""
    msg_id = client.execute(code)
    printed = ""
    deadline = time.monotonic() + timeout
    while True:
        msg = await client.get_iopub_msg(timeout=max(0.1, deadline - time.monotonic()))
        if msg["parent_header"].get("msg_id") != msg_id:
            continue
        if msg["msg_type"] == "stream":
            printed += msg["content"]["text"]
        if msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle":
            break
    while True:
        reply = await client.get_shell_msg(timeout=timeout)
        if reply["parent_header"].get("msg_id") == msg_id:
            return reply["content"], printed


async def wait_for(condition: Any, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        await asyncio.sleep(0.05)


async def test_a_kernel_runs_in_a_pod_is_interrupted_and_its_pod_goes_with_it(
    backend: FakeBackend, tmp_path: Path
) -> None:
    manager = kernel_manager(backend, tmp_path)
    spec = manager.kernel_spec_manager.get_kernel_spec(manager.kernel_name)
    assert spec.metadata["kernel_provisioner"]["provisioner_name"] == PROVISIONER
    project = backend.folder / "project"
    project.mkdir()
    (project / "rows.csv").write_text("a\n1\n2\n")

    await manager.start_kernel(cwd=str(project))
    client = manager.client()
    client.start_channels()
    try:
        await client.wait_for_ready(timeout=60)
        (pod,) = kernel_pods(backend)
        assert pod["spec"]["containers"][0]["image"] == backend.image
        # Its key is in a Secret of its own, which its Job owns, and in no Job or pod spec.
        key = manager.session.key.decode()
        (job,) = kernel_jobs(backend)
        assert key not in json.dumps([*backend.kube.created, job, pod])
        (secret,) = backend.kube.secrets()
        assert key in base64.b64decode(next(iter(secret["data"].values()))).decode()
        (owner,) = secret["metadata"]["ownerReferences"]
        assert (owner["kind"], owner["uid"]) == ("Job", job["metadata"]["uid"])
        assert pod["metadata"]["labels"]["orchest-lab/environment"] == ENV
        # The kernel is the pod's process: its HOSTNAME is the pod's, its folder the
        # project's as the pod mounts it, it imports the SDK; data passes on disk.
        reply, printed = await execute(
            client,
            "import os, orchest\n"  # the SDK, from the image's orchest-lab
            "print(os.environ['HOSTNAME'])\n"
            "print(open('rows.csv').read().count('\\n'), os.environ['ORCHEST_DATA_TRANSPORT'])",
        )
        assert reply["status"] == "ok", reply
        assert printed.splitlines()[0] == pod["metadata"]["name"]
        assert printed.splitlines()[1] == "3 disk"
        assert backend.kube.processes(pod["metadata"]["name"])

        # An interrupt goes as a message: the running cell stops, the kernel lives on. The cell
        # sleeps in short slices: the kernel signals its whole process, and when Linux hands
        # that SIGINT to another of its threads, a sleep already under way in the main thread
        # is not cut short (Python raises KeyboardInterrupt at the main thread's next bytecode).
        msg_id = client.execute(
            "import time\nprint('sleeping', flush=True)\nfor _ in range(1200):\n    time.sleep(0.1)"
        )
        while True:
            msg = await client.get_iopub_msg(timeout=60)
            if msg["parent_header"].get("msg_id") == msg_id and msg["msg_type"] == "stream":
                break
        await manager.interrupt_kernel()
        while True:
            reply = await client.get_shell_msg(timeout=60)
            if reply["parent_header"].get("msg_id") == msg_id:
                break
        assert reply["content"]["status"] == "error"
        assert reply["content"]["ename"] == "KeyboardInterrupt"
        # After an error ipykernel aborts the requests queued meanwhile, until it is idle again:
        # one sent between its reply and its idle status may be aborted.
        while True:
            msg = await client.get_iopub_msg(timeout=60)
            if (
                msg["parent_header"].get("msg_id") == msg_id
                and msg["msg_type"] == "status"
                and msg["content"]["execution_state"] == "idle"
            ):
                break
        reply_content, printed = await execute(client, "x = 6 * 7\nprint(x)")
        assert (reply_content["status"], printed) == ("ok", "42\n")

        # A restart is a new pod on the same ports: the client carries on, the state is new.
        await manager.restart_kernel()
        await client.wait_for_ready(timeout=60)
        (restarted,) = kernel_pods(backend)
        assert restarted["metadata"]["name"] != pod["metadata"]["name"]
        reply_content, printed = await execute(client, "print('x' in globals())")
        assert (reply_content["status"], printed) == ("ok", "False\n")
    finally:
        client.stop_channels()
        await manager.shutdown_kernel()
    # Shut down: no Job, no pod, no Secret, no process left.
    assert not kernel_pods(backend)
    assert not kernel_jobs(backend)
    assert not backend.kube.secrets()
    await wait_for(lambda: not backend.kube.processes("ol-kernel-"))  # of both pods


async def test_a_kernel_whose_image_cannot_be_pulled_fails_to_start_and_leaves_no_job(
    backend: FakeBackend, tmp_path: Path
) -> None:
    manager = kernel_manager(backend, tmp_path, "missing/env:1", start_timeout=30)
    with pytest.raises(RuntimeError, match="cannot pull image missing/env:1"):
        await manager.start_kernel()
    assert not kernel_pods(backend)
    assert not backend.jobs()
    assert not backend.kube.secrets()


async def test_a_kernel_the_role_gives_no_secret_to_fails_saying_which_right_is_missing(
    backend: FakeBackend, tmp_path: Path
) -> None:
    manager = kernel_manager(backend, tmp_path)
    backend.kube.forbidden.add(("create", "secrets"))
    with pytest.raises(RuntimeError, match="Role needs secrets: create, patch, delete") as err:
        await manager.start_kernel()
    assert "403 (not allowed)" in str(err.value)
    assert not backend.jobs()
    assert not backend.kube.secrets()


async def test_a_servers_start_up_deletes_the_kernel_jobs_it_left(
    backend: FakeBackend, tmp_path: Path
) -> None:
    """A server that stopped without shutting its kernels down: the next one's start-up
    deletes their Jobs and pods (nothing runs unseen)."""
    manager = kernel_manager(backend, tmp_path)
    await manager.start_kernel()
    try:
        assert len(kernel_pods(backend)) == 1
        next_server = KubernetesExecutor(**backend.settings(), workdir=str(backend.folder))
        try:
            await next_server.warm_up()
        finally:
            await next_server.close()
        await wait_for(lambda: not kernel_pods(backend) and not backend.jobs())
        await wait_for(lambda: not backend.kube.processes("ol-kernel-"))
        assert not backend.kube.secrets()  # deleted with the Job that owned it
    finally:
        await manager.shutdown_kernel(now=True)


class TestServer:
    """A server whose Kubernetes executor has kernels_in_cluster."""

    pytestmark = pytest.mark.k8s(images={ENV: IMAGE}, kernels_in_cluster=True)

    async def test_environment_kernels_start_as_pods_and_stop_with_them(
        self, jp_fetch: Any, jp_serverapp: Any, backend: Backend
    ) -> None:
        await jp_serverapp.extension_manager.start_all_extensions()  # as a started server
        # Orchest's name for the environment's kernel is listed, as a kernel in the cluster.
        response = await jp_fetch("api", "kernelspecs")
        listed = json.loads(response.body)["kernelspecs"]
        name = f"orchest-kernel-{ENV}"
        spec = listed[name]["spec"]
        assert spec["metadata"]["kernel_provisioner"]["provisioner_name"] == PROVISIONER
        assert spec["metadata"]["kernel_provisioner"]["config"]["image"] == backend.image
        assert spec["interrupt_mode"] == "message"
        # The name a project's notebooks get (orchest-env-<project>-<environment>) too, built
        # here or not.
        specs = jp_serverapp.kernel_spec_manager
        in_project = specs.get_kernel_spec(f"orchest-env-{uuid.uuid4()}-{ENV}")
        assert in_project.metadata["kernel_provisioner"]["config"]["environment"] == ENV
        assert specs.get_kernel_spec("python3").metadata.get("kernel_provisioner") is None

        started = await jp_fetch("api", "kernels", method="POST", body=json.dumps({"name": name}))
        kernel = json.loads(started.body)
        (pod,) = kernel_pods(backend)
        assert pod["metadata"]["labels"]["orchest-lab/instance"] == "tests"
        await jp_fetch("api", "kernels", kernel["id"], method="DELETE")
        assert not kernel_pods(backend)
