"""What the Kubernetes executor sends, and what deploy/ holds, against the Kubernetes OpenAPI
schema (kubernetes-validate, strict: unknown fields are errors) of the oldest and newest
versions we target; and the pipeline fields that set a step's timeout and resources."""

from __future__ import annotations

import base64
import json
import re
import shutil
from pathlib import Path
from typing import Any

import kubernetes_validate
import pytest
import yaml
from conftest import QUICKSTART, REPO
from traitlets.config.loader import PyFileConfigLoader

from orchest_lab.executors.base import StepFailed, StepTask
from orchest_lab.executors.kubernetes import KubernetesExecutor
from orchest_lab.executors.kubernetes.kernels import (
    CONNECTION_VARIABLE,
    PORTS,
    kernel_job,
    kernel_labels,
    kernel_secret,
)
from orchest_lab.executors.kubernetes.manifest import (
    JobSettings,
    job_name,
    label_value,
    step_job,
)
from orchest_lab.executors.kubernetes.volumes import Volumes, volume_setting
from orchest_lab.pipeline import PipelineDocument
from orchest_lab.pipeline.validate import validate_document
from orchest_lab.services.pipelines import PipelineService
from orchest_lab.services.planning import RunPlanner, RunRequest

VERSIONS = ("1.29", kubernetes_validate.utils.latest_version())
DEPLOY = REPO / "deploy"
ENV = "0b4cd2f6-9f4e-4bd0-8a0e-3f4c2d1e5a77"


def validate(obj: dict[str, Any]) -> None:
    for version in VERSIONS:
        kubernetes_validate.validate(obj, version, strict=True)


def quickstart_tasks(tmp_path: Path, timeout: float | None = None) -> dict[str, StepTask]:
    """The quickstart's step tasks as a server prepares them (a real run folder and all)."""
    project = tmp_path / "work" / "quickstart"
    shutil.copytree(QUICKSTART, project)
    if timeout is not None:
        path = project / "quickstart.orchest"
        document = PipelineDocument.from_file(path)
        document.settings["step_timeout"] = timeout
        document.settings["step_resources"] = {"requests": {"cpu": "500m"}}
        first = next(iter(document.steps.values()))
        first["resources"] = {"requests": {"cpu": 2, "memory": "1Gi"}, "limits": {"memory": "2Gi"}}
        document.save(path)
    planner = RunPlanner(PipelineService(tmp_path / "work"), tmp_path / "data")
    prepared = planner.prepare(planner.plan(RunRequest({"path": "quickstart/quickstart.orchest"})))
    return {task.title: task for task in prepared.tasks.values()}


def volumes(tmp_path: Path) -> Volumes:
    project = volume_setting(
        "project_volume",
        "project",
        {
            "claim_name": "home",
            "sub_path": "users/me",
            "mount_path": "/home/jovyan",
            "local_path": str(tmp_path / "work"),
        },
    )
    data = volume_setting(
        "data_volume", "data", {"claim_name": "data", "mount_path": str(tmp_path / "data")}
    )
    assert project is not None and data is not None
    return Volumes([project, data])


SETTINGS = [
    JobSettings(namespace="pipelines", instance="tests"),
    JobSettings(
        namespace="pipelines",
        instance="a host name that is not a label value, and is long: " + "x" * 80,
        service_account="orchest-lab-step",
        ttl_seconds_after_finished=None,
        step_timeout=3600,
        resources={"requests": {"cpu": "250m", "memory": "512Mi"}, "limits": {"memory": "4Gi"}},
        pod_spec={
            "securityContext": {"runAsUser": 1000, "runAsGroup": 100, "fsGroup": 100},
            "tolerations": [{"key": "pipelines", "operator": "Exists", "effect": "NoSchedule"}],
            "nodeSelector": {"pool": "pipelines"},
            "imagePullSecrets": [{"name": "registry"}],
        },
        container_spec={
            "envFrom": [{"secretRef": {"name": "database"}}],
            "securityContext": {"allowPrivilegeEscalation": False},
        },
    ),
]


@pytest.mark.parametrize("settings", SETTINGS, ids=["defaults", "everything set"])
def test_every_step_job_is_valid_kubernetes(tmp_path: Path, settings: JobSettings) -> None:
    tasks = quickstart_tasks(tmp_path, timeout=90)
    for title, task in tasks.items():
        job = step_job(task, "registry.example.org/env:1", volumes(tmp_path), settings)
        validate(job)
        spec, pod = job["spec"], job["spec"]["template"]["spec"]
        (container,) = pod["containers"]
        assert (spec["backoffLimit"], pod["restartPolicy"]) == (0, "Never"), title
        assert spec["activeDeadlineSeconds"] == 90  # the pipeline's step_timeout
        assert container["command"][:3] == ["python", "-m", "orchest_lab.runner"]
        # The step's paths, where the pod sees them: the project claim's subPath at the
        # mount path, the data claim whole.
        assert container["command"][-1] == f"/home/jovyan/quickstart/{task.file.name}"
        assert container["workingDir"] == "/home/jovyan/quickstart"
        env = {e["name"]: e["value"] for e in container["env"] if "value" in e}
        assert env["ORCHEST_PIPELINE_PATH"].startswith("/home/jovyan/quickstart/.orchest/")
        assert env["ORCHEST_DATA_DIR"] == str(tmp_path / "data")
        assert env["ORCHEST_DATA_TRANSPORT"] == "disk" and "ORCHEST_MEMORY_DIR" not in env
        assert env["ORCHEST_STEP_UUID"] == task.step_uuid
        mounts = {m["name"]: m for m in container["volumeMounts"]}
        assert mounts["project"] == {
            "name": "project",
            "mountPath": "/home/jovyan",
            "subPath": "users/me",
        }
        labels = job["metadata"]["labels"]
        assert labels["orchest-lab/run"] == task.run_id
        assert labels["orchest-lab/step"] == task.step_uuid
        assert labels["orchest-lab/pipeline"] == task.env["ORCHEST_PIPELINE_UUID"]
        assert labels["orchest-lab/project"] == task.env["ORCHEST_PROJECT_UUID"]
        assert job["spec"]["template"]["metadata"]["labels"]["orchest-lab/job"] == job_name(task)
    first = step_job(tasks["Load data"], "img", volumes(tmp_path), settings)
    resources = first["spec"]["template"]["spec"]["containers"][0]["resources"]
    # The step's own resources over the pipeline's over the executor's, key by key.
    assert resources["requests"] == {"cpu": "2", "memory": "1Gi"}
    assert resources["limits"] == {"memory": "2Gi"}
    other = step_job(tasks["Train"], "img", volumes(tmp_path), settings)
    assert other["spec"]["template"]["spec"]["containers"][0]["resources"]["requests"]["cpu"] == (
        "500m"
    )


def test_the_server_pods_node_and_every_executor_setting_make_valid_jobs(tmp_path: Path) -> None:
    executor = KubernetesExecutor(
        same_node_as_server=True,
        images={ENV: "registry.example.org/env:2"},
        ttl_seconds_after_finished=-1,
        workdir=str(tmp_path),
    )
    executor._server_node = "node-7"
    tasks = quickstart_tasks(tmp_path)
    task = tasks["Clean"]
    job = step_job(task, executor.image_of(task), volumes(tmp_path), executor.job_settings("ns"))
    validate(job)
    affinity = job["spec"]["template"]["spec"]["affinity"]["nodeAffinity"]
    terms = affinity["requiredDuringSchedulingIgnoredDuringExecution"]["nodeSelectorTerms"]
    assert terms == [
        {"matchFields": [{"key": "metadata.name", "operator": "In", "values": ["node-7"]}]}
    ]
    assert "ttlSecondsAfterFinished" not in job["spec"]
    assert job["spec"]["template"]["spec"]["containers"][0]["image"] == "registry.example.org/env:2"


def test_a_step_outside_every_volume_fails_saying_which_setting(tmp_path: Path) -> None:
    task = quickstart_tasks(tmp_path)["Clean"]
    only_data = Volumes([v for v in volumes(tmp_path).volumes if v.name == "data"])
    with pytest.raises(StepFailed) as failed:
        step_job(task, "img", only_data, JobSettings(namespace="ns", instance="x"))
    assert failed.value.failure.name == "PathNotOnVolume"
    assert "c.KubernetesExecutor.project_volume" in failed.value.failure.message


def test_names_and_label_values_are_what_kubernetes_accepts(tmp_path: Path) -> None:
    tasks = quickstart_tasks(tmp_path)
    names = {job_name(task) for task in tasks.values()}
    assert len(names) == len(tasks)
    assert job_name(tasks["Load data"]).startswith("ol-load-data-")
    dns_label = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
    assert all(dns_label.match(name) and len(name) <= 52 for name in names)
    assert label_value("run-1.a_b") == "run-1.a_b"
    for text in ("x" * 64, "-starts with a dash and has spaces", "ünïcode", "a/b"):
        value = label_value(text)
        assert re.match(r"^[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$", value), value
        assert value != label_value(text + "!")


def deploy_documents() -> dict[str, list[dict[str, Any]]]:
    return {
        str(path.relative_to(DEPLOY)): [d for d in yaml.safe_load_all(path.read_text()) if d]
        for path in sorted(DEPLOY.rglob("*.y*ml"))
    }


def test_a_kernels_job_and_secret_are_valid_and_only_the_secret_holds_its_key(
    tmp_path: Path,
) -> None:
    key = "6f1d0c3e-9b2a-4c55-8d7e-secret-hmac-key"
    ports = {port: 50000 + i for i, port in enumerate(PORTS)}
    connection = {
        **ports,
        "ip": "0.0.0.0",
        "transport": "tcp",
        "key": key,
        "signature_scheme": "hmac-sha256",
        "kernel_name": "env",
    }
    labels = kernel_labels("ol-kernel-1a2b3c4d-12345", "tests", ENV)
    secret = kernel_secret(
        "ol-kernel-1a2b3c4d-12345", namespace="orchest", labels=labels, connection=connection
    )
    job = kernel_job(
        "ol-kernel-1a2b3c4d-12345",
        image="orchest/env:1",
        namespace="orchest",
        labels=labels,
        ports=ports,
        env={"ORCHEST_DATA_TRANSPORT": "disk"},
        working_dir="/home/jovyan",
        volumes=volumes(tmp_path),
    )
    validate(secret)
    validate(job)
    assert key not in json.dumps(job)
    (container,) = job["spec"]["template"]["spec"]["containers"]
    (variable,) = [v for v in container["env"] if v["name"] == CONNECTION_VARIABLE]
    ref = variable["valueFrom"]["secretKeyRef"]
    assert ref["name"] == secret["metadata"]["name"]
    assert json.loads(base64.b64decode(secret["data"][ref["key"]])) == connection


def test_every_kubernetes_manifest_of_deploy_is_valid() -> None:
    validated = set()
    for name, documents in deploy_documents().items():
        for document in documents:
            if document.get("apiVersion", "").endswith(".x-k8s.io/v1alpha4"):
                continue  # kind's own configuration
            if "apiVersion" not in document:
                continue  # Helm values
            validate(document)
            validated.add(name)
    assert validated == {
        "namespace.yaml",
        "serviceaccount.yaml",
        "role.yaml",
        "rolebinding.yaml",
        "pvc.yaml",
        "kind/volume.yaml",
    }


def test_the_role_is_the_least_the_executor_needs() -> None:
    (role,) = deploy_documents()["role.yaml"]
    rules = {
        (group, resource): sorted(rule["verbs"])
        for rule in role["rules"]
        for group in rule["apiGroups"]
        for resource in rule["resources"]
    }
    assert rules == {
        ("batch", "jobs"): ["create", "delete", "get", "list", "watch"],
        ("", "pods"): ["get", "list", "watch"],
        ("", "pods/log"): ["get"],
        ("", "secrets"): ["create", "delete", "patch"],
    }
    (binding,) = deploy_documents()["rolebinding.yaml"]
    accounts = {d["metadata"]["name"] for d in deploy_documents()["serviceaccount.yaml"]}
    assert binding["roleRef"]["name"] == role["metadata"]["name"]
    assert {s["name"] for s in binding["subjects"]} == {"orchest-lab"} < accounts


def test_the_example_configurations_set_settings_that_exist() -> None:
    traits = {
        "KubernetesExecutor": set(KubernetesExecutor.class_trait_names()),
        "OrchestLab": {"executor_class", "data_dir"},
    }
    (values,) = deploy_documents()["jupyterhub/values.yaml"]
    files = values["singleuser"]["extraFiles"]["orchest-lab"]["data"]
    for section, settings in files.items():
        assert set(settings) <= traits[section], section
    for path in (DEPLOY / "kind", DEPLOY / "jupyterhub"):
        for config_file in path.glob("*_config.py"):
            config = PyFileConfigLoader(config_file.name, path=str(path)).load_config()
            assert set(config.get("KubernetesExecutor", {})) <= traits["KubernetesExecutor"]
    hub = (DEPLOY / "jupyterhub" / "jupyterhub_config.py").read_text()
    for option in re.findall(r"--KubernetesExecutor\.(\w+)=", hub):
        assert option in traits["KubernetesExecutor"]


def test_step_timeouts_and_resources_are_optional_pipeline_fields(tmp_path: Path) -> None:
    tasks = quickstart_tasks(tmp_path, timeout=90)
    assert tasks["Load data"].timeout == 90
    assert tasks["Load data"].resources == {
        "requests": {"cpu": "2", "memory": "1Gi"},
        "limits": {"memory": "2Gi"},
    }
    assert tasks["Train"].resources == {"requests": {"cpu": "500m"}}
    path = tmp_path / "work" / "quickstart" / "quickstart.orchest"
    document = PipelineDocument.from_file(path)
    assert validate_document(document).errors == []
    saved = json.loads(path.read_text())  # kept in the file as written
    assert saved["settings"]["step_timeout"] == 90
    first = next(iter(document.steps))
    document.step(first)["resources"] = {"requests": {"memory": "lots"}}
    document.step(first)["timeout"] = -1
    messages = [issue.message for issue in validate_document(document).issues]
    assert messages == [
        "step 'Load data', field 'resources.requests.memory' must be a Kubernetes quantity "
        "such as '500m', '2' or '4Gi'",
        "step 'Load data', field 'timeout' must be at least 0 (got -1)",
    ]
    document.step(first)["resources"] = {"limit": {"memory": "1Gi"}}  # a typo of 'limits'
    document.step(first)["timeout"] = 0
    messages = [issue.message for issue in validate_document(document).issues]
    assert messages == [
        "step 'Load data', field 'resources.limit' is not a known field (must be an object "
        "with 'requests' and 'limits', each {name: quantity})"
    ]
    assert tasks["Clean"].env["ORCHEST_DATA_DIR"] == str(tmp_path / "data")
    assert tasks["Clean"].environment == ENV
