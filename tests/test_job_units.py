"""The pure parts of jobs: schedules (cron in a time zone, across daylight saving changes, and
catching up after downtime once), parameter grids and their combinations, and snapshots."""

from __future__ import annotations

import datetime
import os
import zoneinfo
from pathlib import Path

import pytest
from pipeline_factory import make_pipeline

from orchest_lab.jobs.grid import GridError, expand, parse_combinations, parse_grid
from orchest_lab.jobs.schedule import Schedule, ScheduleError, parse_schedule
from orchest_lab.jobs.snapshot import SnapshotError, take_snapshot

AMSTERDAM = zoneinfo.ZoneInfo("Europe/Amsterdam")
UTC = datetime.timezone.utc
NOW = datetime.datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def at(*args: int, tz: datetime.tzinfo = AMSTERDAM) -> datetime.datetime:
    return datetime.datetime(*args, tzinfo=tz)


# --- schedules -----------------------------------------------------------------------------------


def test_cron_times_keep_the_local_hour_across_daylight_saving_changes() -> None:
    nightly = parse_schedule({"cron": "30 2 * * *", "timezone": "Europe/Amsterdam"}, NOW)
    # 2026-03-29 02:30 does not exist in Amsterdam (clocks go 02:00 -> 03:00): it runs at 03:00.
    times = nightly.upcoming(at(2026, 3, 27, 12), 4)
    assert [t.isoformat() for t in times] == [
        "2026-03-28T02:30:00+01:00",
        "2026-03-29T03:00:00+02:00",
        "2026-03-30T02:30:00+02:00",
        "2026-03-31T02:30:00+02:00",
    ]
    # 2026-10-25 02:00-03:00 happens twice (03:00 -> 02:00): an hourly job runs in both.
    hourly = parse_schedule({"cron": "0 * * * *", "timezone": "Europe/Amsterdam"}, NOW)
    utc_hours = [t.astimezone(UTC).hour for t in hourly.upcoming(at(2026, 10, 25, 1), 3)]
    assert utc_hours == [0, 1, 2]  # 02:00 CEST, 02:00 CET, 03:00 CET: an hour apart each


def test_after_downtime_a_missed_schedule_runs_once() -> None:
    hourly = Schedule(cron="0 * * * *", timezone="UTC")
    last = datetime.datetime(2026, 3, 1, 8, 0, tzinfo=UTC)
    assert hourly.due(last, datetime.datetime(2026, 3, 1, 8, 59, tzinfo=UTC)) is None
    # Down from 08:30 to 12:10: the 09:00, 10:00, 11:00 and 12:00 runs were missed; one runs,
    # as the latest of them.
    due = hourly.due(last, datetime.datetime(2026, 3, 1, 12, 10, tzinfo=UTC))
    assert due == datetime.datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
    assert hourly.due(due, datetime.datetime(2026, 3, 1, 12, 30, tzinfo=UTC)) is None


def test_a_job_at_a_time_runs_once_at_that_time() -> None:
    once = parse_schedule({"at": "2026-03-02T09:00:00+01:00"}, NOW)
    assert once.due(None, at(2026, 3, 2, 8, 59)) is None
    fired = once.due(None, at(2026, 3, 2, 9, 30))
    assert fired == at(2026, 3, 2, 9, 0)
    assert once.due(fired, at(2026, 3, 9, 9, 0)) is None
    assert not once.recurring and parse_schedule(None, NOW).to_json() is None


@pytest.mark.parametrize(
    ("raw", "pointer", "message"),
    [
        ({"cron": "61 * * * *"}, "/schedule/cron", "is not a cron expression"),
        ({"cron": "* * *"}, "/schedule/cron", "five fields"),
        ({"cron": "0 3 * * *", "timezone": "Mars/Olympus"}, "/schedule/timezone", "time zone"),
        ({"at": "2026-02-01T00:00:00Z"}, "/schedule/at", "is in the past"),
        ({"at": "2026-04-01T00:00:00"}, "/schedule/at", "says no time zone"),
        ({"at": "tomorrow"}, "/schedule/at", "is not a date and time"),
        ({"at": "2026-04-01T00:00:00Z", "cron": "0 3 * * *"}, "/schedule", "not both"),
        ({"every": "day"}, "/schedule/every", "unknown field"),
        ("daily", "/schedule", "must be null"),
    ],
)
def test_bad_schedules_name_the_field(raw: object, pointer: str, message: str) -> None:
    with pytest.raises(ScheduleError) as caught:
        parse_schedule(raw, NOW)
    assert caught.value.issue.pointer == pointer
    assert message in caught.value.issue.message


# --- grids ---------------------------------------------------------------------------------------


def grid_document() -> tuple[object, dict[str, str]]:
    document, uuids = make_pipeline({"Train": ("train.py", [])})
    document.data["parameters"] = {"rows": 10, "source": "a"}
    document.data["steps"][uuids["Train"]]["parameters"] = {"rate": 0.1}
    return document, uuids


def test_a_grid_runs_every_combination_or_those_kept() -> None:
    document, uuids = grid_document()
    grid = parse_grid(
        document,  # type: ignore[arg-type]
        {"pipeline": {"rows": [10, 20]}, "steps": {"Train": {"rate": [0.1, 0.2, 0.3]}}},
    )
    train = uuids["Train"]
    combinations = expand(grid)
    assert len(combinations) == 6
    assert combinations[0] == {"pipeline": {"rows": 10}, "steps": {train: {"rate": 0.1}}}
    assert combinations[-1] == {"pipeline": {"rows": 20}, "steps": {train: {"rate": 0.3}}}
    kept = [combinations[1], combinations[4]]
    assert parse_combinations(grid, kept, limit=100) == kept
    with pytest.raises(GridError, match="one of the grid's"):
        parse_combinations(grid, [{"pipeline": {"rows": 30}, "steps": {train: {"rate": 0.1}}}], 100)
    with pytest.raises(GridError, match="listed twice"):
        parse_combinations(grid, [combinations[0], combinations[0]], 100)
    with pytest.raises(GridError, match="more than the 5 a job may have"):
        parse_combinations(grid, None, limit=5)
    assert parse_combinations(parse_grid(document, None), None, 5) == [  # type: ignore[arg-type]
        {"pipeline": {}, "steps": {}}
    ]


@pytest.mark.parametrize(
    ("raw", "pointer", "code"),
    [
        ({"pipeline": {"depth": [1, 2]}}, "/parameters/pipeline/depth", "unknown-parameter"),
        ({"steps": {"Train": {"epochs": [1]}}}, None, "unknown-parameter"),
        ({"pipeline": {"rows": []}}, "/parameters/pipeline/rows", "empty-values"),
        ({"steps": {"Ghost": {"rate": [1]}}}, "/parameters/steps/Ghost", "unknown-step"),
    ],
)
def test_parameters_the_pipeline_lacks_are_refused(
    raw: object, pointer: str | None, code: str
) -> None:
    document, _ = grid_document()
    with pytest.raises(GridError) as caught:
        parse_grid(document, raw)  # type: ignore[arg-type]
    assert caught.value.issue.code == code
    if pointer is not None:
        assert caught.value.issue.pointer == pointer


# --- snapshots -----------------------------------------------------------------------------------


def files_of(folder: Path) -> list[str]:
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*"))


def test_a_snapshot_keeps_what_git_keeps_and_nothing_runs_made(tmp_path: Path) -> None:
    project = tmp_path / "project"
    (project / ".orchest" / "pipelines" / "p1" / "logs").mkdir(parents=True)
    (project / ".orchest" / "pipelines" / "p1" / "logs" / "s.log").write_text("log")
    (project / ".orchest" / "environments" / "e1").mkdir(parents=True)
    (project / ".orchest" / "environments" / "e1" / "properties.json").write_text("{}")
    (project / ".gitignore").write_text("*.csv\nbig/\n")
    (project / "sub").mkdir()
    (project / "sub" / ".gitignore").write_text("!keep.csv\n")
    for name in (
        "a.csv",
        "sub/b.csv",
        "sub/keep.csv",
        "big/huge.bin",
        "nb.ipynb",
        "env/pyvenv.cfg",
    ):
        (project / name).parent.mkdir(parents=True, exist_ok=True)
        (project / name).write_text(name)
    (project / ".ipynb_checkpoints").mkdir()
    (project / ".ipynb_checkpoints" / "nb-checkpoint.ipynb").write_text("{}")
    (project / "data").mkdir()
    (project / "data" / "shared.bin").write_text("x")
    (project / "link.ipynb").symlink_to("nb.ipynb")
    take_snapshot(project, tmp_path / "snap", 0, leave_out=[project / "data"])
    assert files_of(tmp_path / "snap") == [
        ".gitignore",
        ".orchest",
        ".orchest/environments",
        ".orchest/environments/e1",
        ".orchest/environments/e1/properties.json",
        ".orchest/pipelines",
        ".orchest/pipelines/p1",
        "link.ipynb",
        "nb.ipynb",
        "sub",
        "sub/.gitignore",
        "sub/keep.csv",
    ]
    assert os.readlink(tmp_path / "snap" / "link.ipynb") == "nb.ipynb"


def test_later_edits_of_the_project_do_not_reach_the_snapshot(tmp_path: Path) -> None:
    project = tmp_path / "project"
    project.mkdir()
    (project / "train.py").write_text("rate = 1\n")
    take_snapshot(project, tmp_path / "snap", 0)
    with open(project / "train.py", "r+") as f:  # in place: a hard link would share this
        f.write("rate = 2\n")
    (project / "new.py").write_text("")
    assert (tmp_path / "snap" / "train.py").read_text() == "rate = 1\n"
    assert not (tmp_path / "snap" / "new.py").exists()
    assert os.stat(project / "train.py").st_ino != os.stat(tmp_path / "snap" / "train.py").st_ino


def test_a_project_over_the_size_limit_is_refused_leaving_nothing(tmp_path: Path) -> None:
    project = tmp_path / "project"
    project.mkdir()
    (project / "big.bin").write_bytes(b"x" * 5000)
    with pytest.raises(SnapshotError) as caught:
        take_snapshot(project, tmp_path / "snap", max_size=4096)
    assert caught.value.issue.code == "snapshot-too-large"
    assert "max_snapshot_size" in caught.value.issue.message
    assert not (tmp_path / "snap").exists()
