"""Jobs of a server whose executor is the Kubernetes one: each run's steps are Kubernetes Jobs,
labelled with the job, the run, the step, the pipeline and the project (fake API server, or a
real cluster when KUBECONFIG is set)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from kube_backend import Backend
from kube_fixtures import (  # noqa: F401  (fixtures)
    backend,
    data_dir,
    jp_root_dir,
    jp_server_config,
)
from test_jobs_api import create, notebook_of, param_pipeline, printed, runs_of, wait_job

from orchest_lab.pipeline import PipelineDocument

LABEL = "orchest-lab/"


async def test_a_jobs_runs_are_kubernetes_jobs_with_the_jobs_labels(
    jp_fetch: Any, jp_root_dir: Path, backend: Backend
) -> None:
    param_pipeline(jp_root_dir)
    document = PipelineDocument.from_file(jp_root_dir / "p.orchest")
    (step_uuid,) = document.steps
    job = await create(
        jp_fetch,
        {
            "name": "rows",
            "pipeline_path": "p.orchest",
            "parameters": {"pipeline": {"rows": [1, 2]}},
        },
    )
    job = await wait_job(
        jp_fetch, job["id"], lambda j: j["status"] in ("SUCCESS", "FAILURE"), timeout=240
    )
    assert job["status"] == "SUCCESS", job
    runs = await runs_of(jp_fetch, job["id"])
    assert len(runs) == 2
    # Each run printed its own value, in its own copy of the notebook.
    for run in runs:
        notebook = await notebook_of(jp_fetch, job["id"], run["id"])
        assert printed(notebook) == f"rows {run['parameters']['pipeline']['rows']}\n"
    kube_jobs = backend.jobs()
    labels = [kube_job["metadata"]["labels"] for kube_job in kube_jobs]
    assert sorted(label[LABEL + "run"] for label in labels) == sorted(run["id"] for run in runs)
    for label in labels:
        assert label[LABEL + "orchest-job"] == job["id"]
        assert label[LABEL + "step"] == step_uuid
        assert label[LABEL + "pipeline"] == document.uuid
