"""Run records in SQLite.

All database work happens on one dedicated thread, in the order it was asked for: `save_soon`
snapshots the record at once and returns; readers await the thread's answer.
"""

from __future__ import annotations

import asyncio
import json
import sqlite3
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

from ..runs.models import RunRecord, Status, now

T = TypeVar("T")

SCHEMA = """
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

IN_FLIGHT = (Status.PENDING.value, Status.STARTED.value)


class RunStore:
    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="orchest-lab-store")
        self._local = threading.local()
        self._submit(self._create).result()

    # --- API -----------------------------------------------------------------------------------

    def save_soon(self, run: RunRecord) -> None:
        """Persist the run as it is now, without waiting."""
        data = run.to_json()
        self._submit(self._save, data)

    async def get(self, run_id: str) -> RunRecord | None:
        return await self._call(self._get, run_id)

    async def find(
        self, pipeline_path: str | None = None, job_id: str | None = None, limit: int = 100
    ) -> list[RunRecord]:
        return await self._call(self._list, pipeline_path, job_id, limit)

    def abort_in_flight(self, reason: str) -> int:
        """Mark runs left PENDING or STARTED by a server that stopped as ABORTED; how many.
        Called once at start-up, before any run can begin, so it may wait."""
        return self._submit(self._abort_in_flight, reason).result()

    async def flush(self) -> None:
        await self._call(lambda: None)

    def close(self) -> None:
        self._thread.shutdown(wait=True)

    # --- on the store's thread -----------------------------------------------------------------

    def _connection(self) -> sqlite3.Connection:
        connection = getattr(self._local, "connection", None)
        if connection is None:
            connection = sqlite3.connect(self.path)
            connection.execute("PRAGMA journal_mode=WAL")
            self._local.connection = connection
        return connection

    def _create(self) -> None:
        with self._connection() as db:
            db.executescript(SCHEMA)

    def _save(self, data: dict[str, Any]) -> None:
        with self._connection() as db:
            db.execute(
                "INSERT OR REPLACE INTO runs VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    data["id"],
                    data["pipeline_path"],
                    data["pipeline_uuid"],
                    data["kind"],
                    data["job_id"],
                    data["status"],
                    data["created_at"],
                    json.dumps(data),
                ),
            )

    def _get(self, run_id: str) -> RunRecord | None:
        row = (
            self._connection().execute("SELECT record FROM runs WHERE id = ?", (run_id,)).fetchone()
        )
        return RunRecord.from_json(json.loads(row[0])) if row else None

    def _list(self, pipeline_path: str | None, job_id: str | None, limit: int) -> list[RunRecord]:
        query, args = "SELECT record FROM runs", []
        conditions = []
        if pipeline_path is not None:
            conditions.append("pipeline_path = ?")
            args.append(pipeline_path)
        if job_id is not None:
            conditions.append("job_id = ?")
            args.append(job_id)
        if conditions:
            query += " WHERE " + " AND ".join(conditions)
        query += " ORDER BY created_at DESC LIMIT ?"
        rows = self._connection().execute(query, (*args, limit)).fetchall()
        return [RunRecord.from_json(json.loads(r[0])) for r in rows]

    def _abort_in_flight(self, reason: str) -> int:
        db = self._connection()
        rows = db.execute("SELECT record FROM runs WHERE status IN (?, ?)", IN_FLIGHT).fetchall()
        for (text,) in rows:
            run = RunRecord.from_json(json.loads(text))
            ended = now()
            for step in run.steps.values():
                if not step.status.ended:
                    step.status, step.reason = Status.ABORTED, reason
                    if step.started_at:
                        step.finished_at = ended
            run.status, run.reason, run.finished_at = Status.ABORTED, reason, ended
            self._save(run.to_json())
        return len(rows)

    # --- plumbing ------------------------------------------------------------------------------

    def _submit(self, fn: Callable[..., T], *args: Any) -> Future[T]:
        return self._thread.submit(fn, *args)

    async def _call(self, fn: Callable[..., T], *args: Any) -> T:
        return await asyncio.wrap_future(self._submit(fn, *args))
