"""Where the Kubernetes executor's tests run their steps: the fake API server in this process
(always), or a real cluster when KUBECONFIG is set (with the variables below; skipped else).

For a real cluster (kind, minikube...), steps must see this machine's test folders at the same
paths: ORCHEST_LAB_TEST_CLAIM is a PersistentVolumeClaim whose volume is the local folder
ORCHEST_LAB_TEST_FOLDER (on kind: an extraMount and a hostPath PersistentVolume), and
ORCHEST_LAB_TEST_IMAGE an image with this checkout of orchest-lab installed (its Python, nbclient
and ipykernel), loaded into the cluster. ORCHEST_LAB_TEST_NAMESPACE (default orchest-lab-test)
must exist, and the kubeconfig's user may create Jobs there.
"""

from __future__ import annotations

import json
import os
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fakekube import FakeKube

IMAGE = "orchest-lab/step:test"  # the fake runs it with this test's Python
SELECTOR = "app.kubernetes.io/managed-by=orchest-lab"
REAL = ("ORCHEST_LAB_TEST_IMAGE", "ORCHEST_LAB_TEST_CLAIM", "ORCHEST_LAB_TEST_FOLDER")


class Backend:
    name: str
    folder: Path  # a fresh folder of this test that step pods see at the same path
    image: str
    namespace: str

    def settings(self, **extra: Any) -> dict[str, Any]:
        """c.KubernetesExecutor.* for this backend."""
        raise NotImplementedError

    def jobs(self) -> list[dict[str, Any]]:
        raise NotImplementedError

    def pods(self) -> list[dict[str, Any]]:
        raise NotImplementedError

    def processes(self) -> list[int]:
        """Processes of step containers still alive (only the fake can tell: [] else)."""
        return []


class FakeBackend(Backend):
    name = "fake"

    def __init__(self, tmp_path: Path) -> None:
        self.folder = tmp_path / "shared"
        self.folder.mkdir()
        self.data = self.folder / "data"
        self.image = IMAGE
        # The project claim is mounted with a subPath, the data one whole (both kinds tested).
        self.kube = FakeKube(
            tmp_path / "kube",
            images={IMAGE: Path(sys.executable).parent},
            claims={"work": tmp_path, "data": self.data},
        )
        self.namespace = self.kube.namespace
        self.kubeconfig = self.kube.kubeconfig(tmp_path / "kubeconfig")

    def settings(self, **extra: Any) -> dict[str, Any]:
        return {
            "kubeconfig": str(self.kubeconfig),
            "default_image": self.image,
            "project_volume": {
                "claim_name": "work",
                "sub_path": "shared",
                "mount_path": str(self.folder),
            },
            "data_volume": {"claim_name": "data", "mount_path": str(self.data)},
            "instance": "tests",
            **extra,
        }

    def jobs(self) -> list[dict[str, Any]]:
        return self.kube.jobs()

    def pods(self) -> list[dict[str, Any]]:
        return self.kube.pods()

    def processes(self) -> list[int]:
        return self.kube.processes()


class RealBackend(Backend):
    name = "real"

    def __init__(self) -> None:
        from kubernetes import client, config

        self.folder = Path(os.environ["ORCHEST_LAB_TEST_FOLDER"]) / f"test-{uuid.uuid4().hex[:8]}"
        self.folder.mkdir(parents=True)
        self.data = self.folder / "data"
        self.image = os.environ["ORCHEST_LAB_TEST_IMAGE"]
        self.namespace = os.environ.get("ORCHEST_LAB_TEST_NAMESPACE", "orchest-lab-test")
        self.instance = f"tests-{uuid.uuid4().hex[:8]}"
        api = config.new_client_from_config(os.environ["KUBECONFIG"])
        self.batch, self.core = client.BatchV1Api(api), client.CoreV1Api(api)

    def settings(self, **extra: Any) -> dict[str, Any]:
        root = os.environ["ORCHEST_LAB_TEST_FOLDER"]
        return {
            "kubeconfig": os.environ["KUBECONFIG"],
            "namespace": self.namespace,
            "default_image": self.image,
            "project_volume": {
                "claim_name": os.environ["ORCHEST_LAB_TEST_CLAIM"],
                "mount_path": root,
            },
            "instance": self.instance,
            **extra,
        }

    def _list(self, kind: str) -> list[dict[str, Any]]:
        lister = self.batch.list_namespaced_job if kind == "jobs" else self.core.list_namespaced_pod
        selector = f"{SELECTOR},orchest-lab/instance={self.instance}"
        answer = lister(self.namespace, label_selector=selector, _preload_content=False)
        return list(json.loads(answer.data)["items"])

    def jobs(self) -> list[dict[str, Any]]:
        return self._list("jobs")

    def pods(self) -> list[dict[str, Any]]:
        return self._list("pods")


def backend_params() -> list[Any]:
    real = pytest.param(
        "real",
        marks=pytest.mark.skipif(not os.environ.get("KUBECONFIG"), reason="KUBECONFIG is not set"),
    )
    return ["fake", real]


def make_backend(name: str, tmp_path: Path) -> Iterator[Backend]:
    if name == "fake":
        backend = FakeBackend(tmp_path)
        try:
            yield backend
        finally:
            backend.kube.close()
        return
    missing = [v for v in REAL if not os.environ.get(v)]
    if missing:
        pytest.skip(f"a real cluster needs {', '.join(missing)} (see tests/kube_backend.py)")
    yield RealBackend()
