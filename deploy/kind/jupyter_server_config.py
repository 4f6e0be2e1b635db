# A JupyterLab on this machine whose pipeline steps run on the kind cluster of
# deploy/kind/cluster.yaml: jupyter lab --config deploy/kind/jupyter_server_config.py
# (started in /tmp/orchest-lab-kind, which the cluster sees at the same path).
import os

c = get_config()  # noqa: F821

c.ServerApp.root_dir = "/tmp/orchest-lab-kind"
c.OrchestLab.data_dir = "/tmp/orchest-lab-kind/data"
c.OrchestLab.executor_class = "orchest_lab.executors.kubernetes.KubernetesExecutor"
c.KubernetesExecutor.namespace = "orchest-lab"
c.KubernetesExecutor.default_image = "orchest-lab/step:dev"  # kind load docker-image ...
c.KubernetesExecutor.project_volume = {
    "claim_name": "orchest-lab-kind",
    "mount_path": "/tmp/orchest-lab-kind",
}
c.KubernetesExecutor.service_account = "orchest-lab-step"
c.KubernetesExecutor.resources = {"requests": {"cpu": "100m", "memory": "256Mi"}}
# Steps run as the user running this server, so that both own the files they write.
c.KubernetesExecutor.pod_spec = {
    "securityContext": {"runAsUser": os.getuid(), "runAsGroup": os.getgid()}
}
