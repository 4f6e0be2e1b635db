"""`orchest-lab run` on Kubernetes: the executor and its settings from the Jupyter
configuration files, or from --executor and --set; a real subprocess against the fake."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from kube_backend import FakeBackend, make_backend
from project_factory import stdout_of, write_pipeline

COMMAND = [sys.executable, "-m", "orchest_lab.cli", "run"]


@pytest.fixture
def backend(tmp_path: Path) -> Iterator[FakeBackend]:
    yield from make_backend("fake", tmp_path)  # type: ignore[misc]


def cli(*args: str, cwd: Path, config: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "JUPYTER_CONFIG_DIR": str(config)}
    return subprocess.run(
        [*COMMAND, *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=300
    )


def test_a_run_takes_its_executor_from_the_configuration_files(
    backend: FakeBackend, tmp_path: Path
) -> None:
    root = backend.folder / "root"
    root.mkdir()
    steps = {"Load": ("load.ipynb", []), "Report": ("report.py", ["Load"])}
    files = {
        "load.ipynb": ["import orchest\norchest.output(41, name='n')\nprint('loaded')"],
        "report.py": "import orchest\nprint(orchest.get_inputs()['n'] + 1)\n",
    }
    write_pipeline(root, steps, files)
    config = tmp_path / "config"
    config.mkdir()
    settings = backend.settings()
    image = settings.pop("default_image")
    (config / "jupyter_server_config.json").write_text(
        json.dumps(
            {
                "OrchestLab": {
                    "executor_class": "orchest_lab.executors.kubernetes.KubernetesExecutor"
                },
                "KubernetesExecutor": settings,
            }
        )
    )
    done = cli(
        "p.orchest",
        "--data-dir",
        str(backend.data),
        "--set",
        f"KubernetesExecutor.default_image={image}",
        "--output",
        cwd=root,
        config=config,
    )
    assert done.returncode == 0, done.stderr
    assert "42\n" in done.stderr  # what the script printed, read from the disk store
    assert stdout_of(root / "load.ipynb") == "loaded\n"
    jobs = backend.jobs()
    assert len(jobs) == 2
    # The command labels its Jobs as its own: a server's start-up leaves them alone.
    instances = {job["metadata"]["labels"]["orchest-lab/instance"] for job in jobs}
    assert len(instances) == 1 and instances.pop().startswith("cli-")


def test_an_unknown_executor_is_refused_before_anything_runs(tmp_path: Path) -> None:
    write_pipeline(tmp_path, {"A": ("a.py", [])}, {"a.py": ""})
    done = cli("p.orchest", "--executor", "nope", cwd=tmp_path, config=tmp_path)
    assert done.returncode == 2
    assert done.stderr.startswith("orchest-lab: error: --executor nope: no such executor")
    assert not (tmp_path / ".orchest" / "pipelines").exists()
    done = cli("p.orchest", "--set", "namespace=x", cwd=tmp_path, config=tmp_path)
    assert (done.returncode, done.stderr.strip()) == (
        2,
        "orchest-lab: error: --set namespace=x: write CLASS.NAME=VALUE",
    )


def test_a_job_runs_its_grid_as_kubernetes_jobs_with_executor_and_set(
    backend: FakeBackend, tmp_path: Path
) -> None:
    root = backend.folder / "root"
    root.mkdir()
    script = "import orchest\nprint('rate', orchest.get_pipeline_param('rate'))\n"
    document, _, path = write_pipeline(root, {"Fit": ("fit.py", [])}, {"fit.py": script})
    document.data["parameters"] = {"rate": 1}
    document.save(path)
    settings = [f"KubernetesExecutor.{k}={json.dumps(v)}" for k, v in backend.settings().items()]
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "orchest_lab.cli",
            "job",
            "run",
            "p.orchest",
            "--grid",
            "rate=[1, 2]",
            "--data-dir",
            str(backend.data),
            "--jobs-dir",
            str(backend.folder / "jobs"),
            "--executor",
            "kubernetes",
            *(arg for setting in settings for arg in ("--set", setting)),
        ],
        cwd=root,
        env={**os.environ, "JUPYTER_CONFIG_DIR": str(tmp_path)},  # no configuration files
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    assert "Job SUCCEEDED: 2 success" in done.stdout
    jobs = backend.jobs()
    assert len(jobs) == 2
    (job_id,) = {job["metadata"]["labels"]["orchest-lab/orchest-job"] for job in jobs}
    logs = sorted(
        (backend.folder / "jobs" / job_id / "runs").glob("*/.orchest/pipelines/*/logs/*.log")
    )
    printed = sorted(
        line for log in logs for line in log.read_text().splitlines() if "rate" in line
    )
    assert printed == ["rate 1", "rate 2"]


def test_a_job_with_an_unknown_executor_takes_no_snapshot(tmp_path: Path) -> None:
    write_pipeline(tmp_path, {"A": ("a.py", [])}, {"a.py": ""})
    command = [sys.executable, "-m", "orchest_lab.cli", "job", "run", "p.orchest"]
    done = subprocess.run(
        [*command, "--executor", "nope", "--jobs-dir", str(tmp_path / "jobs")],
        cwd=tmp_path,
        env={**os.environ, "JUPYTER_CONFIG_DIR": str(tmp_path)},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 2
    assert done.stderr.startswith("orchest-lab: error: --executor nope: no such executor")
    assert not (tmp_path / "jobs").exists()
