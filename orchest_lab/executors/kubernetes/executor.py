"""The Kubernetes executor: each step a Job running its environment's image
(`c.OrchestLab.executor_class = "orchest_lab.executors.kubernetes.KubernetesExecutor"`, its
settings `c.KubernetesExecutor.*`). The `kubernetes` client is imported when the executor
first talks to the cluster: without it installed, everything else runs as before."""

from __future__ import annotations

import asyncio
import hashlib
import logging
import os
import socket
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from traitlets import Bool, Dict, Float, Int, List, Unicode

from ...records import StepFailure
from ..base import Executor, StepFailed, StepOutput, StepTask, confine_step_files
from ..live_file import LiveNotebookFile
from ..log import StepLog
from ..notebook import LiveNotebook
from .api import Connection, KubeApi, KubernetesUnavailable, describe, in_cluster
from .live import PodReports
from .manifest import RUN, JobSettings, label_value, selector, step_job, step_resources
from .manifest import step_timeout as timeout_of
from .step import Cluster, StepJob, Timeouts
from .volumes import Volume, VolumeError, Volumes, volume_setting, volumes_of_pod
from .watch import ClusterState, Watcher

log = logging.getLogger(__name__)


class KubernetesExecutor(Executor):
    """Runs each step as a Kubernetes Job (`c.KubernetesExecutor.*`)."""

    namespace = Unicode(
        "",
        help="Where step Jobs run. Empty: the server's own namespace in the cluster, else the "
        "kubeconfig context's (default: 'default').",
    ).tag(config=True)
    kubeconfig = Unicode(
        "",
        help="The kubeconfig file to use. Empty: the service account when the server runs in "
        "a pod, else $KUBECONFIG or ~/.kube/config.",
    ).tag(config=True)
    context = Unicode("", help="The kubeconfig context (empty: the current one).").tag(config=True)
    images = Dict(
        key_trait=Unicode(),
        value_trait=Unicode(),
        help="The image of each environment, by environment uuid: what a step in that "
        "environment runs (it needs Python with orchest-lab, nbclient and ipykernel).",
    ).tag(config=True)
    default_image = Unicode(
        "", help="The image of steps whose environment has none in `images` (empty: they fail)."
    ).tag(config=True)
    image_pull_policy = Unicode("IfNotPresent", help="The step containers' imagePullPolicy.").tag(
        config=True
    )
    project_volume = Dict(
        help="The claim that holds the projects: {'claim_name', 'mount_path', 'sub_path', "
        "'local_path'} (local_path: the same folder on this machine; default mount_path). "
        "Empty in a pod: the server pod's own claims, mounted at the same paths."
    ).tag(config=True)
    data_volume = Dict(
        help="The claim that holds the shared data folder (ORCHEST_DATA_DIR), as project_volume."
    ).tag(config=True)
    volumes_from_pod = Bool(
        True,
        help="In a pod, mount the server pod's own claims in step pods at the same paths (read "
        "from the API, the pod named by $HOSTNAME) unless the volumes are configured.",
    ).tag(config=True)
    same_node_as_server = Bool(
        False,
        help="In a pod, run steps on the server pod's node: needed when its claims are "
        "ReadWriteOnce (a claim of one node cannot be mounted on another).",
    ).tag(config=True)
    resources = Dict(
        help="Requests and limits of every step ({'requests': {'cpu': '500m'}, 'limits': "
        "{'memory': '2Gi'}}), under the pipeline's step_resources and the step's resources."
    ).tag(config=True)
    step_timeout = Float(
        0,
        help="Seconds a step may run (activeDeadlineSeconds) unless its pipeline or the step "
        "sets a timeout (0: no limit).",
    ).tag(config=True)
    service_account = Unicode(
        "", help="The service account of step pods (empty: the namespace's default)."
    ).tag(config=True)
    mount_service_account_token = Bool(
        False, help="Give step pods their service account's token (steps need no API access)."
    ).tag(config=True)
    ttl_seconds_after_finished = Int(
        3600,
        help="Seconds a finished Job and its pod are kept before the cluster deletes them "
        "(-1: kept until deleted). Long enough to read the log after the step ended.",
    ).tag(config=True)
    pod_spec = Dict(
        help="Fields added to every step pod's spec (nodeSelector, tolerations, "
        "securityContext, imagePullSecrets...)."
    ).tag(config=True)
    container_spec = Dict(
        help="Fields added to every step container (envFrom, securityContext...)."
    ).tag(config=True)
    runner_command = List(
        Unicode(),
        default_value=["python", "-m", "orchest_lab.runner"],
        help="The command that runs a step in its image.",
    ).tag(config=True)
    instance = Unicode(
        "",
        help="Labels this server's Jobs (orchest-lab/instance), so that servers sharing a "
        "namespace leave each other's Jobs alone. Empty: from the host name and server root.",
    ).tag(config=True)
    kernels_in_cluster = Bool(
        False,
        help="Start JupyterLab's kernels of environments with an image as pods of that image "
        "too (a kernel provisioner), so that notebooks run where their steps run.",
    ).tag(config=True)
    api_timeout = Float(
        30, help="Seconds to connect to the API, and to wait for an answer to a call."
    ).tag(config=True)
    watch_timeout = Int(
        300, help="Seconds one watch request lasts before it is renewed (timeoutSeconds)."
    ).tag(config=True)
    watch_failure_timeout = Float(
        120, help="Seconds the watch may fail before the steps waiting on it fail."
    ).tag(config=True)
    pod_start_timeout = Float(
        600, help="Seconds a step's pod may take to start (scheduling, image pull, volumes)."
    ).tag(config=True)
    cancel_timeout = Float(
        60, help="Seconds a cancelled step waits for its pods to be gone before it ends."
    ).tag(config=True)
    api_threads = Int(8, help="Threads that make API calls (watches and logs have their own).").tag(
        config=True
    )
    api_connections = Int(
        128,
        help="Connections to the API kept open: one per step pod followed at once, plus the "
        "two watches and the calls (more are opened when needed, and closed after use).",
    ).tag(config=True)

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._pool = ThreadPoolExecutor(self.api_threads, thread_name_prefix="orchest-lab-k8s")
        self._connecting: asyncio.Future[Cluster] | None = None
        self._connected: Cluster | None = None
        self._watchers: list[Watcher] = []
        self._volumes = Volumes([])
        self._server_node = ""  # the server pod's node (same_node_as_server)
        if not self.instance:
            self.instance = default_instance(self.workdir)

    # --- the Executor interface -------------------------------------------------------------

    async def warm_up(self) -> None:
        """Connect, and delete the Jobs that steps of runs no longer running left (a server
        that stopped without cancelling them): nothing runs unseen."""
        try:
            cluster = await self._cluster()
        except StepFailed as err:
            log.warning("orchest-lab: Kubernetes is not reachable yet: %s", err.failure.message)
            return
        await self.remove_left_jobs(cluster)

    async def run(self, task: StepTask, output: StepOutput) -> None:
        task = await asyncio.to_thread(confine_step_files, task)
        image = self.image_of(task)
        cluster = await self._cluster()
        settings = self.job_settings(cluster.api.namespace)
        manifest = step_job(task, image, self._volumes, settings)
        with await StepLog.open(task.log_files) as step_log:
            live = None
            if task.kind == "notebook":
                file = await LiveNotebookFile.load(task.output_file)
                live = LiveNotebook(task, file, output, step_log)
            reports = PodReports(task, output, step_log, live)
            job = StepJob(
                cluster,
                manifest,
                reports,
                image=image,
                timeout=timeout_of(task, settings),
                memory_limit=step_resources(task, settings).get("limits", {}).get("memory"),
            )
            try:
                await job.run()
            finally:
                await reports.finish()

    async def close(self) -> None:
        for watcher in self._watchers:
            watcher.stop()
        await asyncio.to_thread(_join, self._watchers)
        self._watchers = []
        if self._connected is not None:
            self._connected.api.close()
        self._connecting = self._connected = None
        self._pool.shutdown(wait=False)

    # --- settings ---------------------------------------------------------------------------

    def image_of(self, task: StepTask) -> str:
        image = self.images.get(task.environment) or self.default_image
        if image:
            return str(image)
        what = f"environment {task.environment}" if task.environment else "no environment"
        raise StepFailed(
            StepFailure(
                "NoImage",
                f"step '{task.title}' has {what} and no image to run in: set "
                f"c.KubernetesExecutor.images['{task.environment or '<environment uuid>'}'] "
                "or c.KubernetesExecutor.default_image",
            )
        )

    def job_settings(self, namespace: str) -> JobSettings:
        ttl = self.ttl_seconds_after_finished
        return JobSettings(
            namespace=namespace,
            instance=self.instance,
            runner_command=tuple(self.runner_command),
            image_pull_policy=self.image_pull_policy,
            service_account=self.service_account,
            mount_service_account_token=self.mount_service_account_token,
            ttl_seconds_after_finished=ttl if ttl >= 0 else None,
            step_timeout=self.step_timeout,
            resources=self.resources,
            pod_spec=self._pod_spec(),
            container_spec=self.container_spec,
        )

    def _pod_spec(self) -> dict[str, Any]:
        spec = dict(self.pod_spec)
        if self.same_node_as_server and self._server_node:
            # Required, and by the node's name: the scheduler still checks that steps fit.
            term = {"key": "metadata.name", "operator": "In", "values": [self._server_node]}
            spec["affinity"] = {
                "nodeAffinity": {
                    "requiredDuringSchedulingIgnoredDuringExecution": {
                        "nodeSelectorTerms": [{"matchFields": [term]}]
                    }
                }
            }
        return spec

    def kernel_settings(self) -> dict[str, Any]:
        """What a kernel provisioner needs of these settings (KubernetesProvisioner's traits);
        the volumes are those steps mount (found in the server's pod once connected)."""
        found = self._volumes.volumes
        if not found:  # not connected (yet): the configured ones
            try:
                found = [
                    v
                    for name, setting in (
                        ("project", self.project_volume),
                        ("data", self.data_volume),
                    )
                    if (v := volume_setting(f"c.KubernetesExecutor.{name}_volume", name, setting))
                ]
            except VolumeError as err:
                log.warning("orchest-lab: kernels in the cluster mount no volume: %s", err)
        volumes = {
            v.name: {
                "claim_name": v.claim,
                "sub_path": v.sub_path,
                "mount_path": str(v.mount_path),
                "local_path": str(v.local_path),
            }
            for v in found
        }
        return {
            "namespace": self.namespace,
            "kubeconfig": self.kubeconfig,
            "context": self.context,
            "instance": self.instance,
            "image_pull_policy": self.image_pull_policy,
            "volumes": volumes,
            "resources": dict(self.resources),
            "start_timeout": self.pod_start_timeout,
            "api_timeout": self.api_timeout,
        }

    # --- the connection ---------------------------------------------------------------------

    async def _cluster(self) -> Cluster:
        """The connection, made once (again after a failure, by the next step)."""
        if self._connecting is None:
            self._connecting = asyncio.ensure_future(self._connect())
        try:
            return await asyncio.shield(self._connecting)
        except (KubernetesUnavailable, VolumeError) as err:
            self._connecting = None
            raise StepFailed(StepFailure("KubernetesUnavailable", str(err))) from err

    async def _connect(self) -> Cluster:
        connection = Connection(
            kubeconfig=self.kubeconfig,
            context=self.context,
            namespace=self.namespace,
            timeout=self.api_timeout,
            max_connections=self.api_connections,
        )
        loop = asyncio.get_running_loop()
        api = await loop.run_in_executor(self._pool, KubeApi, connection)
        timeouts = Timeouts(
            pod_start=self.pod_start_timeout,
            watch_failure=self.watch_failure_timeout,
            cancel=self.cancel_timeout,
            log_end=2 * self.api_timeout,
        )
        cluster = Cluster(api, ClusterState(), self._pool, timeouts)
        self._volumes = await self._find_volumes(cluster, connection)
        watchers = [
            Watcher(api, kind, selector(self.instance), cluster.state, loop, self.watch_timeout)
            for kind in ("jobs", "pods")
        ]
        for watcher in watchers:
            watcher.start()
        try:
            await asyncio.wait_for(cluster.state.ready.wait(), 2 * self.api_timeout)
        except asyncio.TimeoutError:
            for watcher in watchers:
                watcher.stop()
            problem = cluster.state.problem
            raise KubernetesUnavailable(
                f"cannot list Jobs and pods in namespace {api.namespace}: "
                + (problem[1] if problem else "no answer")
            ) from None
        self._watchers, self._connected = watchers, cluster
        log.info("orchest-lab: steps run as Jobs in namespace %s of %s", api.namespace, api.host)
        return cluster

    async def _find_volumes(self, cluster: Cluster, connection: Connection) -> Volumes:
        configured = [
            volume_setting(f"c.KubernetesExecutor.{name}_volume", name, setting)
            for name, setting in (("project", self.project_volume), ("data", self.data_volume))
        ]
        found: list[Volume] = [v for v in configured if v is not None]
        wanted = (len(found) < 2 and self.volumes_from_pod) or self.same_node_as_server
        pod_name = os.environ.get("HOSTNAME", "")
        if not (wanted and in_cluster(connection) and pod_name):
            if self.same_node_as_server:
                log.warning("orchest-lab: same_node_as_server applies only in a pod")
            return Volumes(found)
        try:
            pod = await cluster.call(cluster.api.read_pod, pod_name)
        except Exception as err:
            raise KubernetesUnavailable(
                f"cannot read the server's own pod {pod_name} to find its volumes and node "
                f"({describe(err)}): set c.KubernetesExecutor.project_volume"
            ) from err
        self._server_node = str((pod.get("spec") or {}).get("nodeName") or "")
        if len(found) < 2 and self.volumes_from_pod:
            names = {v.name for v in found}
            found += [v for v in volumes_of_pod(pod) if v.name not in names]
        return Volumes(found)

    async def remove_left_jobs(self, cluster: Cluster) -> list[str]:
        """Delete this server's Jobs whose runs are not in progress; their names."""
        try:
            items, _ = await cluster.call(cluster.api.list, "jobs", selector(self.instance))
        except Exception as err:
            log.warning("orchest-lab: cannot list Jobs left running: %s", describe(err))
            return []
        running = {label_value(run) for run in self.runs_in_progress()}
        left = [
            job["metadata"]["name"]
            for job in items
            if (job["metadata"].get("labels") or {}).get(RUN) not in running
        ]
        for name in left:
            try:
                await cluster.call(cluster.api.delete_job, name, "Background")
            except Exception as err:
                log.warning("orchest-lab: cannot delete Job %s: %s", name, describe(err))
        if left:
            log.warning("orchest-lab: deleted %d Job(s) of runs no longer running", len(left))
        return left


def default_instance(workdir: str) -> str:
    """This server's name among those sharing a namespace: its pod's name in a cluster (kept
    across restarts), else this machine's, with the folder it serves."""
    host = os.environ.get("HOSTNAME") or socket.gethostname()
    digest = hashlib.sha256(f"{host}:{os.path.realpath(workdir)}".encode()).hexdigest()[:8]
    return label_value(f"{host[:40]}-{digest}")


def _join(watchers: list[Watcher]) -> None:
    for watcher in watchers:
        watcher.join(5.0)
