"""The store's schema, built by numbered migrations: a database is brought up to date step by
step (its version is SQLite's `user_version`), never dropped. Add a migration to change it."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable

Migration = Callable[[sqlite3.Connection], None]


def _runs_table(db: sqlite3.Connection) -> None:
    """1: one row per run with its whole record (IF NOT EXISTS: databases made before
    migrations existed have this table already, at version 0)."""
    db.executescript(
        """
        CREATE TABLE IF NOT EXISTS runs (
            id TEXT PRIMARY KEY,
            pipeline_path TEXT NOT NULL,
            pipeline_uuid TEXT NOT NULL,
            kind TEXT NOT NULL,
            job_id TEXT,
            status TEXT NOT NULL,
            created_at TEXT NOT NULL,
            record TEXT NOT NULL
        );
        CREATE INDEX IF NOT EXISTS runs_by_pipeline ON runs (pipeline_path, created_at);
        CREATE INDEX IF NOT EXISTS runs_by_status ON runs (status);
        """
    )


def _steps_table(db: sqlite3.Connection) -> None:
    """2: steps in rows of their own, so that a step's change writes one small row rather than
    the whole run again; a run's record keeps only its own fields."""
    db.executescript(
        """
        CREATE TABLE steps (
            run_id TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
            position INTEGER NOT NULL,
            uuid TEXT NOT NULL,
            status TEXT NOT NULL,
            record TEXT NOT NULL,
            PRIMARY KEY (run_id, uuid)
        );
        CREATE INDEX steps_by_run ON steps (run_id, position);
        CREATE INDEX runs_by_job ON runs (job_id, created_at);
        """
    )
    rows = db.execute("SELECT id, record FROM runs").fetchall()
    for run_id, text in rows:
        record = json.loads(text)
        steps = record.pop("steps", [])
        record.pop("progress", None)
        db.executemany(
            "INSERT INTO steps VALUES (?, ?, ?, ?, ?)",
            [
                (run_id, position, step["uuid"], step["status"], json.dumps(step))
                for position, step in enumerate(steps)
            ],
        )
        db.execute("UPDATE runs SET record = ? WHERE id = ?", (json.dumps(record), run_id))


def _jobs_tables(db: sqlite3.Connection) -> None:
    """3: jobs (their definition and state in `record`), the occurrences of their schedules
    that fired (a primary key, so that one never fires twice, even across restarts or racing
    requests) and the deliveries of their failure webhooks."""
    db.executescript(
        """
        CREATE TABLE jobs (
            id TEXT PRIMARY KEY,
            created_at TEXT NOT NULL,
            status TEXT NOT NULL,
            record TEXT NOT NULL
        );
        CREATE TABLE job_occurrences (
            job_id TEXT NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
            occurrence TEXT NOT NULL,
            fired_at TEXT NOT NULL,
            PRIMARY KEY (job_id, occurrence)
        );
        CREATE TABLE webhook_deliveries (
            job_id TEXT NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
            at TEXT NOT NULL,
            record TEXT NOT NULL
        );
        CREATE INDEX webhook_deliveries_by_job ON webhook_deliveries (job_id, at);
        """
    )


MIGRATIONS: list[Migration] = [_runs_table, _steps_table, _jobs_tables]


def migrate(db: sqlite3.Connection) -> int:
    """Apply the migrations the database lacks, each in its own transaction; its version after.
    A database newer than this code is refused rather than misread."""
    version = int(db.execute("PRAGMA user_version").fetchone()[0])
    if version > len(MIGRATIONS):
        raise RuntimeError(
            f"the run database has schema version {version}, newer than this orchest-lab knows "
            f"({len(MIGRATIONS)}); upgrade orchest-lab or set c.OrchestLab.state_dir elsewhere"
        )
    for number, migration in enumerate(MIGRATIONS[version:], start=version + 1):
        with db:
            migration(db)
            db.execute(f"PRAGMA user_version = {number}")
    return len(MIGRATIONS)
