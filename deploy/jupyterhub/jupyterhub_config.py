# The same with KubeSpawner configured directly (jupyterhub_config.py of a hub that is not
# installed with the Helm chart). Namespace: where the Role of deploy/ is.
c = get_config()  # noqa: F821

c.JupyterHub.spawner_class = "kubespawner.KubeSpawner"
c.KubeSpawner.namespace = "orchest-lab"
c.KubeSpawner.image = "registry.example.org/orchest-lab-singleuser:dev"
# The single-user server may create Jobs (deploy/role.yaml), so it gets a token for it.
c.KubeSpawner.service_account = "orchest-lab"
c.KubeSpawner.automount_service_account_token = True
c.KubeSpawner.storage_pvc_ensure = True
c.KubeSpawner.pvc_name_template = "claim-{username}"
c.KubeSpawner.volumes = [
    {"name": "home", "persistentVolumeClaim": {"claimName": "claim-{username}"}}
]
c.KubeSpawner.volume_mounts = [{"name": "home", "mountPath": "/home/jovyan"}]
# The orchest-lab server's settings, as command-line options of the single-user server (or
# in a configuration file of its image).
c.KubeSpawner.args = [
    "--OrchestLab.executor_class=orchest_lab.executors.kubernetes.KubernetesExecutor",
    "--OrchestLab.data_dir=/home/jovyan/.orchest-lab-data",
    "--KubernetesExecutor.default_image=registry.example.org/orchest-lab-step:dev",
    "--KubernetesExecutor.service_account=orchest-lab-step",
    "--KubernetesExecutor.same_node_as_server=True",
]
