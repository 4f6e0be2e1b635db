"""JupyterLab's kernels in the cluster: a `jupyter_client` kernel provisioner that starts an
environment's kernel as the pod of a Job running the environment's image, so that a notebook
edited in JupyterLab runs where its pipeline's steps run.

The server picks the kernel's ports and key and gives the pod its connection file in a
variable from a Secret of the kernel's own (the key is in no pod or Job spec, which more people
may read than secrets; the Job owns the Secret, so the cluster deletes it with the Job); the pod
writes it and runs `python -m ipykernel_launcher -f <file>`, listening on every interface of
the pod, and the server connects to the pod's IP. Interrupts go as messages
(no signal crosses to a pod); shutting the kernel down, or a kill, deletes the Job and its pod.
The kernelspecs that use it are written by the server (see `cluster_kernelspec`).
"""

from __future__ import annotations

import asyncio
import base64
import json
import logging
import time
from pathlib import Path
from typing import Any

from jupyter_client.connect import KernelConnectionInfo, LocalPortCache
from jupyter_client.provisioning.provisioner_base import KernelProvisionerBase
from traitlets import Dict, Float, Unicode

from .api import Connection, KubeApi, describe
from .manifest import COMPONENT, INSTANCE, MANAGED_BY, PATH_VARIABLES, PREFIX, label_value
from .volumes import Volumes, volume_setting

log = logging.getLogger(__name__)

PROVISIONER = "orchest-lab-kubernetes"  # its entry point (jupyter_client.kernel_provisioners)
ENVIRONMENT = PREFIX + "environment"
KERNEL = PREFIX + "kernel"
CONNECTION_VARIABLE = "ORCHEST_LAB_KERNEL_CONNECTION"
CONNECTION_KEY = "connection.json"  # the connection file's key in the kernel's Secret
PORTS = ("shell_port", "iopub_port", "stdin_port", "control_port", "hb_port")
# The SDK (`import orchest`) from the image's orchest-lab, the connection file written where
# the container may write, then the kernel replaces the shell: the pod's process is the kernel.
LAUNCH = (
    "sdk=\"$(python -c 'import os, orchest_lab.sdk as s; print(os.path.dirname(s.__file__))')\"; "
    'export PYTHONPATH="$sdk${PYTHONPATH:+:$PYTHONPATH}"; '
    'file="${TMPDIR:-/tmp}/kernel-connection.json"; '
    f'printf "%s" "${CONNECTION_VARIABLE}" > "$file" && '
    'exec python -m ipykernel_launcher -f "$file"'
)
POLL_SECONDS = 0.25


def cluster_kernelspec(
    env_uuid: str, image: str, display_name: str, settings: dict[str, Any]
) -> dict[str, Any]:
    """The kernel.json of an environment's kernel in the cluster: `settings` are the
    provisioner's (KubernetesProvisioner's traits, from the executor's settings)."""
    return {
        "argv": ["python", "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": display_name,
        "language": "python",
        "interrupt_mode": "message",
        "metadata": {
            "orchest_lab": {"environment": env_uuid, "image": image},
            "kernel_provisioner": {
                "provisioner_name": PROVISIONER,
                "config": {**settings, "image": image, "environment": env_uuid},
            },
        },
    }


def kernel_labels(name: str, instance: str, environment: str) -> dict[str, str]:
    """The labels of a kernel's Job, pod and Secret (all three named `name`)."""
    return {
        MANAGED_BY: "orchest-lab",
        COMPONENT: "kernel",
        INSTANCE: label_value(instance),
        ENVIRONMENT: label_value(environment or "none"),
        KERNEL: label_value(name),
    }


def kernel_secret(
    name: str, *, namespace: str, labels: dict[str, str], connection: dict[str, Any]
) -> dict[str, Any]:
    """The Secret that holds a kernel's connection file, key included."""
    encoded = base64.b64encode(json.dumps(connection).encode()).decode()
    return {
        "apiVersion": "v1",
        "kind": "Secret",
        "metadata": {"name": name, "namespace": namespace, "labels": labels},
        "type": "Opaque",
        "data": {CONNECTION_KEY: encoded},
    }


def kernel_job(
    name: str,
    *,
    image: str,
    namespace: str,
    labels: dict[str, str],
    ports: dict[str, int],
    env: dict[str, str],
    working_dir: str | None,
    volumes: Volumes,
    image_pull_policy: str = "IfNotPresent",
    resources: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The Job whose single pod runs a kernel (never retried: a dead kernel is restarted by
    JupyterLab, as a new Job). Its connection file comes from the Secret `name`."""
    connection = {"secretKeyRef": {"name": name, "key": CONNECTION_KEY}}
    container: dict[str, Any] = {
        "name": "kernel",
        "image": image,
        "imagePullPolicy": image_pull_policy,
        "command": ["sh", "-c", LAUNCH],
        "env": [
            *({"name": k, "value": v} for k, v in env.items()),
            {"name": CONNECTION_VARIABLE, "valueFrom": connection},
        ],
        "ports": [{"name": port.split("_")[0], "containerPort": ports[port]} for port in PORTS],
    }
    if working_dir:
        container["workingDir"] = working_dir
    if resources:
        container["resources"] = resources
    if volumes:
        container["volumeMounts"] = [v.mount_json() for v in volumes.volumes]
    return {
        "apiVersion": "batch/v1",
        "kind": "Job",
        "metadata": {"name": name, "namespace": namespace, "labels": labels},
        "spec": {
            "backoffLimit": 0,
            "template": {
                "metadata": {"labels": labels},
                "spec": {
                    "restartPolicy": "Never",
                    "automountServiceAccountToken": False,
                    "enableServiceLinks": False,
                    "terminationGracePeriodSeconds": 5,
                    "containers": [container],
                    "volumes": [v.to_json() for v in volumes.volumes],
                },
            },
        },
    }


class KubernetesProvisioner(KernelProvisionerBase):
    """Starts a kernel as the pod of a Job (its settings come from the kernelspec's
    `metadata.kernel_provisioner.config`, written by the server from c.KubernetesExecutor)."""

    image = Unicode("", config=True, help="The kernel pod's image.")
    environment = Unicode("", config=True, help="The environment's uuid (a label).")
    namespace = Unicode("", config=True)
    kubeconfig = Unicode("", config=True)
    context = Unicode("", config=True)
    instance = Unicode("", config=True, help="The server's label (orchest-lab/instance).")
    image_pull_policy = Unicode("IfNotPresent", config=True)
    volumes = Dict(config=True, help="Volume settings by name, as project_volume.")
    resources = Dict(config=True, help="The kernel container's requests and limits.")
    start_timeout = Float(600, config=True, help="Seconds the pod may take to start.")
    api_timeout = Float(30, config=True)

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._api: KubeApi | None = None
        self._job = ""
        self._exit_code: int | None = None
        self._ports: dict[str, int] = {}

    @property
    def has_process(self) -> bool:
        return bool(self._job)

    # --- launching --------------------------------------------------------------------------

    async def pre_launch(self, **kwargs: Any) -> dict[str, Any]:
        km: Any = self.parent
        if km.transport != "tcp":
            raise RuntimeError("a kernel in the cluster needs the tcp transport")
        kwargs.pop("extra_arguments", None)
        kwargs["cmd"] = list(self.kernel_spec.argv)  # run by the pod, not here
        return await super().pre_launch(**kwargs)

    async def launch_kernel(self, cmd: list[str], **kwargs: Any) -> KernelConnectionInfo:
        if not self.image:
            raise RuntimeError(f"environment {self.environment} has no image to run a kernel in")
        km: Any = self.parent
        # Ports free here: the same in the pod (its own network), and on a test's fake
        # cluster whose pods are processes of this machine. Kept across restarts, as the
        # local provisioner keeps them: the server's channels stay the same.
        if not self._ports:
            cache = LocalPortCache.instance()
            self._ports = {name: cache.find_available_port("127.0.0.1") for name in PORTS}
        base: dict[str, Any] = {
            **self._ports,
            "transport": "tcp",
            "signature_scheme": km.session.signature_scheme,
            "key": km.session.key.decode(),
            "kernel_name": self.kernel_spec.display_name,
        }
        self._api = await asyncio.to_thread(KubeApi, self._connection())
        volumes = Volumes(
            v
            for v in (volume_setting(f"volumes.{n}", n, s) for n, s in self.volumes.items())
            if v is not None
        )
        cwd = kwargs.get("cwd")
        name = f"ol-kernel-{self.kernel_id[:8]}-{int(time.time()) % 100000}"
        labels = kernel_labels(name, self.instance, self.environment)
        namespace = self._api.namespace
        secret = kernel_secret(
            name, namespace=namespace, labels=labels, connection={**base, "ip": "0.0.0.0"}
        )
        manifest = kernel_job(
            name,
            image=self.image,
            namespace=namespace,
            labels=labels,
            ports=self._ports,
            env=self._pod_env(kwargs.get("env") or {}, volumes),
            working_dir=volumes.in_pod(Path(cwd)) if cwd else None,
            volumes=volumes,
            image_pull_policy=self.image_pull_policy,
            resources=self.resources,
        )
        self._job = name  # deleted, with its Secret, should anything below fail
        try:
            await self._create_secret(secret)
            job = await asyncio.to_thread(self._api.create_job, manifest)
            await asyncio.to_thread(self._api.own_secret, name, job)
            ip = await self._pod_ip()
        except BaseException:
            await self._delete()
            raise
        info: Any = {**base, "ip": ip, "key": km.session.key}
        self.connection_info = info
        log.info(
            "orchest-lab: kernel %s runs in pod of Job %s at %s", self.kernel_id, self._job, ip
        )
        return self.connection_info

    async def _create_secret(self, secret: dict[str, Any]) -> None:
        assert self._api is not None
        try:
            await asyncio.to_thread(self._api.create_secret, secret)
        except Exception as err:
            # A Role from before kernels had Secrets lacks the right: say which one.
            raise RuntimeError(
                f"cannot create the kernel's Secret: {describe(err, self._api)} (the server's "
                "Role needs secrets: create, patch, delete; see deploy/role.yaml)"
            ) from err

    def _connection(self) -> Connection:
        return Connection(
            kubeconfig=self.kubeconfig,
            context=self.context,
            namespace=self.namespace,
            timeout=self.api_timeout,
            max_connections=4,
        )

    def _pod_env(self, env: dict[str, str], volumes: Volumes) -> dict[str, str]:
        """The kernelspec's ORCHEST_* variables, their paths as the pod sees them; data
        passes on disk (no memory store is shared with a pod)."""
        own = {k: v for k, v in env.items() if k.startswith("ORCHEST_")}
        own.pop("ORCHEST_MEMORY_DIR", None)
        for key in PATH_VARIABLES:
            if own.get(key):
                in_pod = volumes.in_pod(Path(own[key]))
                if in_pod is None:
                    del own[key]
                else:
                    own[key] = in_pod
        return {**own, "ORCHEST_DATA_TRANSPORT": "disk", "PYTHONUNBUFFERED": "1"}

    async def _pod_ip(self) -> str:
        """The IP of the Job's pod once its kernel runs; fails (saying why) when the pod ends
        or does not start in time."""
        assert self._api is not None
        deadline = time.monotonic() + self.start_timeout
        why = "no pod yet"
        while time.monotonic() < deadline:
            pod = await self._pod()
            status = (pod or {}).get("status") or {}
            state = _state(pod)
            if "terminated" in state:
                ended = state["terminated"]
                raise RuntimeError(
                    f"the kernel's pod ended at once ({ended.get('reason')}, exit code "
                    f"{ended.get('exitCode')})"
                )
            waiting = state.get("waiting") or {}
            if waiting.get("reason") in ("ErrImagePull", "ImagePullBackOff", "InvalidImageName"):
                raise RuntimeError(f"cannot pull image {self.image}: {waiting.get('message', '')}")
            if "running" in state and status.get("podIP"):
                return str(status["podIP"])
            why = waiting.get("reason") or status.get("phase") or why
            await asyncio.sleep(POLL_SECONDS)
        raise RuntimeError(f"the kernel's pod did not start in {self.start_timeout:g} s ({why})")

    async def _pod(self) -> dict[str, Any] | None:
        assert self._api is not None
        items, _ = await asyncio.to_thread(self._api.list, "pods", f"job-name={self._job}")
        return items[0] if items else None

    # --- the running kernel -----------------------------------------------------------------

    async def poll(self) -> int | None:
        """None while the kernel's container runs, else its exit code (-1: its pod is gone)."""
        if not self._job or self._api is None:
            return self._exit_code if self._exit_code is not None else 0
        try:
            pod = await self._pod()
        except Exception as err:  # the API unreachable for a moment: not a dead kernel
            log.warning("orchest-lab: cannot read kernel pod of %s: %s", self._job, describe(err))
            return None
        if pod is None:
            return -1
        ended = _state(pod).get("terminated")
        return None if ended is None else int(ended.get("exitCode") or 0)

    async def wait(self) -> int | None:
        while self._job:
            code = await self.poll()
            if code is not None:
                self._exit_code = code
                break
            await asyncio.sleep(POLL_SECONDS)
        return self._exit_code

    async def send_signal(self, signum: int) -> None:
        """No signal reaches a pod: interrupts go as messages (the kernelspec says so), and a
        kill deletes the pod."""
        if signum == 0:
            return
        log.warning("orchest-lab: signal %d not sent to the kernel pod of %s", signum, self._job)

    async def kill(self, restart: bool = False) -> None:
        await self._delete()

    async def terminate(self, restart: bool = False) -> None:
        await self._delete()

    async def cleanup(self, restart: bool = False) -> None:
        await self._delete()
        if self._api is not None:
            self._api.close()
            self._api = None
        if not restart and self._ports:
            for port in self._ports.values():
                LocalPortCache.instance().return_port(port)
            self._ports = {}

    async def _delete(self) -> None:
        """Delete the Job and its pod (at once), and wait until the pod is gone; then the
        kernel's Secret, which the cluster deletes with the Job only once the Job owns it."""
        if not self._job or self._api is None:
            return
        api, name = self._api, self._job
        try:
            await asyncio.to_thread(api.delete_job, name, "Foreground")
            deadline = time.monotonic() + 2 * self.api_timeout
            while await self._pod() is not None and time.monotonic() < deadline:
                await asyncio.sleep(POLL_SECONDS)
        except Exception as err:
            log.warning("orchest-lab: cannot delete kernel Job %s: %s", name, describe(err))
        try:
            await asyncio.to_thread(api.delete_secret, name)
        except Exception as err:
            log.warning("orchest-lab: cannot delete kernel Secret %s: %s", name, describe(err))
        self._exit_code = -1 if self._exit_code is None else self._exit_code
        self._job = ""

    # --- persistence (a server restart finds its kernels' Jobs) -----------------------------

    async def get_provisioner_info(self) -> dict[str, Any]:
        info: dict[str, Any] = await super().get_provisioner_info()
        info["job"] = self._job
        return info

    async def load_provisioner_info(self, provisioner_info: dict[str, Any]) -> None:
        await super().load_provisioner_info(provisioner_info)
        self._job = str(provisioner_info.get("job") or "")
        if self._job:
            self._api = await asyncio.to_thread(KubeApi, self._connection())

    def get_shutdown_wait_time(self, recommended: float = 5.0) -> float:
        return max(recommended, 10.0)  # a pod's kernel takes the API's time to be seen ended


def _state(pod: dict[str, Any] | None) -> dict[str, Any]:
    statuses = ((pod or {}).get("status") or {}).get("containerStatuses") or []
    return dict((statuses[0].get("state") or {}) if statuses else {})


def write_cluster_kernelspecs(
    folder: Path, images: dict[str, str], settings: dict[str, Any]
) -> dict[str, str]:
    """A kernelspec folder per environment with an image (Orchest's kernel name for it,
    `orchest-kernel-<environment uuid>`), in `folder`; {environment uuid: its folder}.
    Blocking (writes files)."""
    from ...fs import atomic_write_text

    written: dict[str, str] = {}
    for env_uuid, image in sorted(images.items()):
        spec_dir = folder / f"orchest-kernel-{env_uuid.lower()}"
        spec_dir.mkdir(parents=True, exist_ok=True)
        spec = cluster_kernelspec(env_uuid, image, f"{image} (Kubernetes)", settings)
        atomic_write_text(spec_dir / "kernel.json", json.dumps(spec, indent=2) + "\n")
        written[env_uuid.lower()] = str(spec_dir)
    return written
