"""Jobs through the REST API, on a real server with real kernels and files: a grid's
combinations run on a snapshot of the project, bad input makes nothing, racing triggers run
once, retention deletes old runs, cancelling stops every process."""

from __future__ import annotations

import asyncio
import json
import os
import time
from pathlib import Path
from typing import Any

import pytest
from api_client import call, payload
from project_factory import read_outputs, write_pipeline

FAR_CRON = {"cron": "0 3 1 1 *", "timezone": "UTC"}  # once a year: runs only when triggered


@pytest.fixture
def jobs_dir(tmp_path: Path) -> Path:
    return tmp_path / "jobs"


@pytest.fixture
def jp_server_config(jp_server_config: dict[str, Any], jobs_dir: Path) -> dict[str, Any]:
    jp_server_config["OrchestLab"]["jobs_dir"] = str(jobs_dir)
    return jp_server_config


def param_pipeline(root: Path, cells: list[str] | None = None) -> None:
    document, _, path = write_pipeline(
        root,
        {"Report": ("report.ipynb", [])},
        {
            "report.ipynb": cells
            or ["import orchest\nprint('rows', orchest.get_pipeline_param('rows'))"]
        },
    )
    document.data["parameters"] = {"rows": 1}
    document.save(path)


async def create(jp_fetch: Any, body: dict[str, Any]) -> dict[str, Any]:
    response = await call(jp_fetch, "POST", "jobs", body)
    assert response.code == 201, payload(response)
    job: dict[str, Any] = payload(response)
    return job


async def wait_job(jp_fetch: Any, job_id: str, done: Any, timeout: float = 90.0) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while True:
        job: dict[str, Any] = payload(await call(jp_fetch, "GET", f"jobs/{job_id}"))
        if done(job):
            return job
        assert time.monotonic() < deadline, f"job still {job['status']}: {job['runs']}"
        await asyncio.sleep(0.05)


def ended(count: int) -> Any:
    def check(job: dict[str, Any]) -> bool:
        runs = job["runs"]
        finished = sum(runs.get(s, 0) for s in ("SUCCESS", "FAILURE", "ABORTED"))
        return finished >= count and not runs.get("queued") and not runs.get("STARTED")

    return check


async def runs_of(jp_fetch: Any, job_id: str) -> list[dict[str, Any]]:
    runs: list[dict[str, Any]] = payload(await call(jp_fetch, "GET", f"jobs/{job_id}/runs"))["runs"]
    return runs


async def notebook_of(jp_fetch: Any, job_id: str, run_id: str) -> dict[str, Any]:
    response = await call(jp_fetch, "GET", f"jobs/{job_id}/runs/{run_id}/files/report.ipynb")
    assert response.code == 200
    notebook: dict[str, Any] = json.loads(response.body)
    return notebook


def printed(notebook: dict[str, Any]) -> str:
    return "".join(
        "".join(o.get("text", "")) for c in notebook["cells"] for o in c.get("outputs", [])
    )


async def test_a_grid_runs_each_combination_on_a_snapshot_of_the_project(
    jp_fetch: Any, jp_root_dir: Path, jobs_dir: Path
) -> None:
    param_pipeline(jp_root_dir)
    job = await create(
        jp_fetch,
        {
            "name": "rows",
            "pipeline_path": "p.orchest",
            "parameters": {"pipeline": {"rows": [1, 2, 3]}},
        },
    )
    assert len(job["combinations"]) == 3 and job["schedule"] is None
    # Edited right after the job was made: its runs do not see it.
    (jp_root_dir / "report.ipynb").write_text(
        (jp_root_dir / "report.ipynb").read_text().replace("'rows'", "'edited'")
    )
    job = await wait_job(jp_fetch, job["id"], lambda j: j["status"] in ("SUCCESS", "FAILURE"))
    assert job["status"] == "SUCCESS" and job["runs"]["SUCCESS"] == 3
    runs = await runs_of(jp_fetch, job["id"])
    seen = set()
    for run in runs:
        assert run["kind"] == "job" and run["job_id"] == job["id"]
        notebook = await notebook_of(jp_fetch, job["id"], run["id"])
        rows = run["parameters"]["pipeline"]["rows"]
        assert printed(notebook) == f"rows {rows}\n"
        seen.add(rows)
        assert Path(run["folder"]).is_relative_to(jobs_dir / job["id"] / "runs")
    assert seen == {1, 2, 3}
    # The project's own notebook got no outputs: the runs wrote into their copies.
    assert read_outputs(jp_root_dir / "report.ipynb") == [(None, [])]
    assert job["disk_bytes"] > 0
    assert job["last_run"]["status"] == "SUCCESS"
    assert job["last_run"]["id"] in {run["id"] for run in runs}
    # A deleted run is no longer counted, nor listed.
    deleted = await call(jp_fetch, "DELETE", f"jobs/{job['id']}/runs/{runs[0]['id']}")
    assert deleted.code == 204
    job = payload(await call(jp_fetch, "GET", f"jobs/{job['id']}"))
    assert job["runs"]["total"] == 2 and job["runs"]["SUCCESS"] == 2
    page = payload(await call(jp_fetch, "GET", f"jobs/{job['id']}/runs"))
    assert page["total"] == 2 and len(page["runs"]) == 2


@pytest.mark.parametrize(
    ("body", "pointer"),
    [
        ({"pipeline_path": "p.orchest"}, "/name"),
        ({"name": "j"}, "/pipeline_path"),
        ({"name": "j", "pipeline_path": "nowhere.orchest"}, "/pipeline_path"),
        (
            {"name": "j", "pipeline_path": "p.orchest", "schedule": {"cron": "99 * * * *"}},
            "/schedule/cron",
        ),
        (
            {
                "name": "j",
                "pipeline_path": "p.orchest",
                "schedule": {"cron": "0 3 * * *", "timezone": "Nowhere/City"},
            },
            "/schedule/timezone",
        ),
        (
            {"name": "j", "pipeline_path": "p.orchest", "schedule": {"at": "2020-01-01T00:00:00Z"}},
            "/schedule/at",
        ),
        (
            {"name": "j", "pipeline_path": "p.orchest", "parameters": {"pipeline": {"depth": [1]}}},
            "/parameters/pipeline/depth",
        ),
        (
            {"name": "j", "pipeline_path": "p.orchest", "parameters": {"pipeline": {"rows": []}}},
            "/parameters/pipeline/rows",
        ),
        (
            {
                "name": "j",
                "pipeline_path": "p.orchest",
                "parameters": {"pipeline": {"rows": list(range(1001))}},
            },
            "/parameters",
        ),
        ({"name": "j", "pipeline_path": "p.orchest", "combinations": []}, "/combinations"),
        ({"name": "j", "pipeline_path": "p.orchest", "max_retained_runs": 0}, "/max_retained_runs"),
        (
            {"name": "j", "pipeline_path": "p.orchest", "webhook": {"url": "ftp://x"}},
            "/webhook/url",
        ),
        (
            {"name": "j", "pipeline_path": "p.orchest", "env_variables": {"A=B": "x"}},
            "/env_variables/A=B",
        ),
        ({"name": "j", "pipeline_path": "cyclic.orchest"}, None),
    ],
)
async def test_bad_job_requests_make_nothing(
    jp_fetch: Any, jp_root_dir: Path, jobs_dir: Path, body: dict[str, Any], pointer: str | None
) -> None:
    param_pipeline(jp_root_dir)
    write_pipeline(
        jp_root_dir,
        {"A": ("a.py", ["B"]), "B": ("b.py", ["A"])},
        {"a.py": "", "b.py": ""},
        name="cyclic",
    )
    response = await call(jp_fetch, "POST", "jobs", body)
    assert response.code == 400, payload(response)
    answer = payload(response)
    assert answer["message"]
    if pointer is not None:
        assert answer["issues"][0]["pointer"] == pointer
    assert payload(await call(jp_fetch, "GET", "jobs"))["jobs"] == []
    assert not jobs_dir.exists() or os.listdir(jobs_dir) == []


async def test_a_snapshot_over_the_size_limit_is_refused(
    jp_fetch: Any, jp_root_dir: Path, jobs_dir: Path, jp_serverapp: Any
) -> None:
    (app,) = jp_serverapp.extension_manager.extension_apps["orchest_lab"]
    param_pipeline(jp_root_dir)
    (jp_root_dir / "big.bin").write_bytes(b"x" * 4096)
    app.jobs.settings = type(app.jobs.settings)(
        app.jobs.settings.jobs_dir, app.jobs.settings.data_dir, 1000, max_snapshot_size=2048
    )
    response = await call(jp_fetch, "POST", "jobs", {"name": "j", "pipeline_path": "p.orchest"})
    assert response.code == 400
    assert payload(response)["issues"][0]["code"] == "snapshot-too-large"
    assert not jobs_dir.exists() or os.listdir(jobs_dir) == []


async def test_racing_triggers_run_the_job_once(jp_fetch: Any, jp_root_dir: Path) -> None:
    param_pipeline(jp_root_dir)
    job = await create(
        jp_fetch, {"name": "once", "pipeline_path": "p.orchest", "schedule": FAR_CRON}
    )
    assert job["status"] == "STARTED" and job["runs"]["total"] == 0
    answers = await asyncio.gather(
        *(call(jp_fetch, "POST", f"jobs/{job['id']}/trigger") for _ in range(2))
    )
    assert sorted(a.code for a in answers) == [200, 409]
    job = await wait_job(jp_fetch, job["id"], ended(1))
    assert job["runs"]["total"] == 1 and job["status"] == "STARTED"


async def test_retention_keeps_the_newest_runs_and_deletes_the_rest(
    jp_fetch: Any, jp_root_dir: Path, jobs_dir: Path
) -> None:
    param_pipeline(jp_root_dir)
    job = await create(
        jp_fetch,
        {
            "name": "kept",
            "pipeline_path": "p.orchest",
            "schedule": FAR_CRON,
            "max_retained_runs": 1,
        },
    )
    assert (await call(jp_fetch, "POST", f"jobs/{job['id']}/trigger")).code == 200
    await wait_job(jp_fetch, job["id"], ended(1))
    (first,) = await runs_of(jp_fetch, job["id"])
    assert (await call(jp_fetch, "POST", f"jobs/{job['id']}/trigger")).code == 200
    deadline = time.monotonic() + 60
    while [r["id"] for r in await runs_of(jp_fetch, job["id"])] in ([first["id"]], [], None) or (
        jobs_dir / job["id"] / "runs" / first["id"]
    ).exists():
        assert time.monotonic() < deadline, "the older run was not deleted"
        await asyncio.sleep(0.05)
    (kept,) = await runs_of(jp_fetch, job["id"])
    assert kept["id"] != first["id"]
    assert [p.name for p in (jobs_dir / job["id"] / "runs").iterdir()] == [kept["id"]]


async def test_cancelling_a_job_stops_every_process_of_its_runs(
    jp_fetch: Any, jp_root_dir: Path
) -> None:
    marker = f"orchest-lab-job-test-{os.getpid()}"
    write_pipeline(
        jp_root_dir,
        {"Sleep": ("sleep.sh", [])},
        {"sleep.sh": f"sleep 300 & ORCHEST_MARK={marker} sleep 301\n"},
    )
    job = await create(jp_fetch, {"name": "long", "pipeline_path": "p.orchest"})
    await wait_job(jp_fetch, job["id"], lambda j: j["runs"].get("STARTED", 0) == 1)
    run_id = (await runs_of(jp_fetch, job["id"]))[0]["id"]
    while (await call(jp_fetch, "GET", f"jobs/{job['id']}/runs/{run_id}")).code == 200 and payload(
        await call(jp_fetch, "GET", f"jobs/{job['id']}/runs/{run_id}")
    )["steps"][0]["status"] != "STARTED":
        await asyncio.sleep(0.05)
    cancelled = payload(await call(jp_fetch, "POST", f"jobs/{job['id']}/cancel"))
    assert cancelled["status"] == "ABORTED"
    run = payload(await call(jp_fetch, "GET", f"jobs/{job['id']}/runs/{run_id}"))
    assert run["status"] == "ABORTED"
    assert not [p for p in Path("/proc").iterdir() if p.name.isdigit() and _marked(p, marker)]


def _marked(proc: Path, marker: str) -> bool:
    try:
        return marker.encode() in (proc / "environ").read_bytes()
    except OSError:
        return False


async def test_schedules_are_previewed_paused_and_resumed(jp_fetch: Any, jp_root_dir: Path) -> None:
    preview = payload(
        await call(
            jp_fetch,
            "POST",
            "jobs/schedule-preview",
            {"cron": "0 3 * * *", "timezone": "Asia/Tokyo"},
        )
    )
    assert len(preview["next"]) == 5 and all(t.endswith("T03:00:00+09:00") for t in preview["next"])
    bad = await call(jp_fetch, "POST", "jobs/schedule-preview", {"cron": "nope"})
    assert bad.code == 400 and payload(bad)["issues"][0]["pointer"] == "/cron"
    param_pipeline(jp_root_dir)
    job = await create(jp_fetch, {"name": "n", "pipeline_path": "p.orchest", "schedule": FAR_CRON})
    assert job["next_run_at"] is not None
    paused = payload(await call(jp_fetch, "POST", f"jobs/{job['id']}/pause"))
    assert paused["status"] == "PAUSED" and paused["next_run_at"] is None
    assert (await call(jp_fetch, "POST", f"jobs/{job['id']}/pause")).code == 409
    resumed = payload(await call(jp_fetch, "POST", f"jobs/{job['id']}/resume"))
    assert resumed["status"] == "STARTED" and resumed["next_run_at"] == job["next_run_at"]
    changed = payload(await call(jp_fetch, "PUT", f"jobs/{job['id']}", {"name": "renamed"}))
    assert changed["name"] == "renamed"
    assert (await call(jp_fetch, "DELETE", f"jobs/{job['id']}")).code == 204
    assert (await call(jp_fetch, "GET", f"jobs/{job['id']}")).code == 404
