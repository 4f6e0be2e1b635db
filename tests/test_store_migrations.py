"""The store's schema changes by numbered migrations: a database of an earlier version (here
the one before migrations existed, which kept each run whole in one row) is brought up to date
with its runs intact, never dropped; a database newer than the code is refused."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from orchest_lab.store import Database, RunStore
from orchest_lab.store.migrations import MIGRATIONS

OLD_SCHEMA = """
CREATE TABLE runs (
    id TEXT PRIMARY KEY, pipeline_path TEXT NOT NULL, pipeline_uuid TEXT NOT NULL,
    kind TEXT NOT NULL, job_id TEXT, status TEXT NOT NULL, created_at TEXT NOT NULL,
    record TEXT NOT NULL
);
"""
RUN_ID = "11111111-2222-4333-8444-555555555555"


def old_record() -> dict[str, object]:
    step = {
        "uuid": "s1",
        "title": "Load",
        "file_path": "load.py",
        "status": "SUCCESS",
        "started_at": "2026-01-01T00:00:00.000+00:00",
        "finished_at": "2026-01-01T00:00:01.000+00:00",
        "failure": None,
        "reason": None,
        "waits_for": [],
        "level": 0,
    }
    failed = {**step, "uuid": "s2", "title": "Train", "status": "FAILURE", "waits_for": ["s1"]}
    failed["failure"] = {"name": "ValueError", "message": "no", "cell_index": 1, "traceback": []}
    return {
        "id": RUN_ID,
        "pipeline_path": "p.orchest",
        "pipeline_uuid": "u",
        "pipeline_name": "p",
        "project": "",
        "mode": "full",
        "selected": [],
        "parameters": {"pipeline": {}, "steps": {}},
        "kind": "interactive",
        "job_id": None,
        "status": "FAILURE",
        "created_at": "2026-01-01T00:00:00.000+00:00",
        "started_at": "2026-01-01T00:00:00.000+00:00",
        "finished_at": "2026-01-01T00:00:02.000+00:00",
        "reason": None,
        "steps": [step, failed],
        "progress": {"done": 2, "total": 2},
    }


async def test_a_database_made_before_migrations_is_brought_up_to_date(tmp_path: Path) -> None:
    path = tmp_path / "state.db"
    with sqlite3.connect(path) as db:
        db.executescript(OLD_SCHEMA)
        record = old_record()
        db.execute(
            "INSERT INTO runs VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (
                RUN_ID,
                "p.orchest",
                "u",
                "interactive",
                None,
                "FAILURE",
                record["created_at"],
                json.dumps(record),
            ),
        )
    database = Database(path)
    try:
        store = RunStore(database)
        run = await store.get(RUN_ID)
        assert run is not None
        assert [(s.title, s.status.value) for s in run.steps.values()] == [
            ("Load", "SUCCESS"),
            ("Train", "FAILURE"),
        ]
        assert run.steps["s2"].failure is not None and run.steps["s2"].failure.cell_index == 1
        assert run.folder is None  # runs of then did not say where they ran
        (summary,) = await store.summaries()
        assert summary["steps"] == {"SUCCESS": 1, "FAILURE": 1}
        assert summary["progress"] == {"done": 2, "total": 2}
    finally:
        database.close()
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)


def test_a_database_newer_than_the_code_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "state.db"
    with sqlite3.connect(path) as db:
        db.execute(f"PRAGMA user_version = {len(MIGRATIONS) + 1}")
    with pytest.raises(RuntimeError, match="newer than this orchest-lab knows"):
        Database(path)
