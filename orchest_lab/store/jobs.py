"""Jobs in SQLite: their records, the occurrences of their schedules that fired, and the
deliveries of their failure webhooks."""

from __future__ import annotations

import json
import sqlite3
from typing import Any

from ..records import JobRecord, now
from .database import Database


class JobStore:
    def __init__(self, db: Database) -> None:
        self.db = db

    def save(self, job: JobRecord) -> None:
        """The job as it is now (written soon, without waiting)."""
        row = (job.id, job.created_at, job.status.value, json.dumps(job.to_json()))
        self.db.queue(
            lambda db: db.execute(
                "INSERT INTO jobs VALUES (?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET "
                "status = excluded.status, record = excluded.record",
                row,
            )
        )

    async def all(self) -> list[JobRecord]:
        jobs: list[JobRecord] = await self.db.read(self._all)
        return jobs

    async def claim(self, job_id: str, occurrence: str) -> bool:
        """Record that `occurrence` of the job fires; False when it fired already (by another
        request, or before a restart)."""
        claimed: bool = await self.db.read(self._claim, job_id, occurrence)
        return claimed

    async def delete(self, job_id: str) -> None:
        """The job, its occurrences, deliveries and runs (their steps go with them)."""
        await self.db.read(self._delete, job_id)

    def add_delivery(self, job_id: str, delivery: dict[str, Any]) -> None:
        row = (job_id, delivery.get("at") or now(), json.dumps(delivery))
        self.db.queue(lambda db: db.execute("INSERT INTO webhook_deliveries VALUES (?, ?, ?)", row))

    async def deliveries(self, job_id: str, limit: int = 20) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = await self.db.read(self._deliveries, job_id, limit)
        return found

    async def run_rows(self, job_id: str) -> list[tuple[str, str, str]]:
        """(id, status, created_at) of the job's runs, oldest first."""
        rows: list[tuple[str, str, str]] = await self.db.read(self._run_rows, job_id)
        return rows

    # --- on the database's thread --------------------------------------------------------------

    def _all(self) -> list[JobRecord]:
        rows = self.db.connection().execute("SELECT record FROM jobs ORDER BY created_at DESC")
        return [JobRecord.from_json(json.loads(text)) for (text,) in rows]

    def _claim(self, job_id: str, occurrence: str) -> bool:
        with self.db.connection() as db:
            try:
                db.execute(
                    "INSERT INTO job_occurrences VALUES (?, ?, ?)", (job_id, occurrence, now())
                )
            except sqlite3.IntegrityError:
                return False
        return True

    def _delete(self, job_id: str) -> None:
        with self.db.connection() as db:
            db.execute("DELETE FROM runs WHERE job_id = ?", (job_id,))
            db.execute("DELETE FROM jobs WHERE id = ?", (job_id,))

    def _deliveries(self, job_id: str, limit: int) -> list[dict[str, Any]]:
        rows = self.db.connection().execute(
            "SELECT record FROM webhook_deliveries WHERE job_id = ? ORDER BY at DESC LIMIT ?",
            (job_id, limit),
        )
        return [json.loads(text) for (text,) in rows]

    def _run_rows(self, job_id: str) -> list[tuple[str, str, str]]:
        rows = self.db.connection().execute(
            "SELECT id, status, created_at FROM runs WHERE job_id = ? ORDER BY created_at",
            (job_id,),
        )
        return [(str(a), str(b), str(c)) for a, b, c in rows]
