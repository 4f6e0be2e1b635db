"""Run records in SQLite (see database.py for how the event loop never waits on it): a run's
own fields in one row, each step in a row of its own, so that a step's change writes one small
row."""

from __future__ import annotations

import json
import sqlite3
from typing import Any

from ..records import RunRecord, Status, StepRecord, now
from .database import Database

IN_FLIGHT = (Status.PENDING.value, Status.STARTED.value)


class RunStore:
    def __init__(self, db: Database) -> None:
        self.db = db

    # --- writes (from the event loop: they never wait) -----------------------------------------

    def add(self, run: RunRecord) -> None:
        """A new run with all its steps. Serialised on the store's thread, not by the caller."""

        def write(db: sqlite3.Connection) -> None:
            _write_header(db, run.header_json())
            db.execute("DELETE FROM steps WHERE run_id = ?", (run.id,))
            db.executemany(
                "INSERT INTO steps VALUES (?, ?, ?, ?, ?)",
                [
                    (run.id, position, step.uuid, step.status.value, json.dumps(step.to_json()))
                    for position, step in enumerate(list(run.steps.values()))
                ],
            )

        self.db.queue(write)

    def save_run(self, run: RunRecord) -> None:
        """The run's own fields as they are now (not its steps)."""
        header = run.header_json()
        self.db.queue(lambda db: _write_header(db, header))

    def save_step(self, run: RunRecord, step: StepRecord) -> None:
        """One step as it is now."""
        row = (step.status.value, json.dumps(step.to_json()), run.id, step.uuid)
        self.db.queue(lambda db: _write_step(db, row))

    # --- reads ---------------------------------------------------------------------------------

    async def get(self, run_id: str) -> RunRecord | None:
        run: RunRecord | None = await self.db.read(self._get, run_id)
        return run

    async def summaries(
        self,
        pipeline_path: str | None = None,
        job_id: str | None = None,
        limit: int = 100,
        offset: int = 0,
    ) -> list[dict[str, Any]]:
        """The newest runs as listings show them (see RunRecord.summary_json), from the
        `offset`-th newest on."""
        summaries: list[dict[str, Any]] = await self.db.read(
            self._summaries, pipeline_path, job_id, limit, offset
        )
        return summaries

    async def delete(self, run_ids: list[str]) -> None:
        """Runs' records, their steps with them."""
        await self.db.read(self._delete, run_ids)

    async def job_counts(self) -> dict[str, dict[str, int]]:
        """How many runs of each job have each status."""
        counts: dict[str, dict[str, int]] = await self.db.read(self._job_counts)
        return counts

    async def job_last_runs(self) -> dict[str, dict[str, Any]]:
        """The newest ended run of each job: {id, status, finished_at}."""
        last: dict[str, dict[str, Any]] = await self.db.read(self._job_last_runs)
        return last

    def abort_in_flight(self, reason: str) -> list[RunRecord]:
        """Mark runs left PENDING or STARTED by a server that stopped as ABORTED, and return
        them. Called once at start-up, before any run can begin, so it may wait."""
        aborted: list[RunRecord] = self.db.submit(self._abort_in_flight, reason).result()
        return aborted

    # --- on the database's thread --------------------------------------------------------------

    def _get(self, run_id: str) -> RunRecord | None:
        db = self.db.connection()
        row = db.execute("SELECT record FROM runs WHERE id = ?", (run_id,)).fetchone()
        if row is None:
            return None
        steps = db.execute(
            "SELECT record FROM steps WHERE run_id = ? ORDER BY position", (run_id,)
        ).fetchall()
        data = json.loads(row[0])
        data["steps"] = [json.loads(text) for (text,) in steps]
        return RunRecord.from_json(data)

    def _delete(self, run_ids: list[str]) -> None:
        with self.db.connection() as db:
            db.executemany("DELETE FROM runs WHERE id = ?", [(i,) for i in run_ids])

    def _summaries(
        self, pipeline_path: str | None, job_id: str | None, limit: int, offset: int
    ) -> list[dict[str, Any]]:
        query, args = "SELECT id, record FROM runs", []
        conditions = []
        if pipeline_path is not None:
            conditions.append("pipeline_path = ?")
            args.append(pipeline_path)
        if job_id is not None:
            conditions.append("job_id = ?")
            args.append(job_id)
        if conditions:
            query += " WHERE " + " AND ".join(conditions)
        query += " ORDER BY created_at DESC LIMIT ? OFFSET ?"
        db = self.db.connection()
        rows = db.execute(query, (*args, limit, offset)).fetchall()
        counts: dict[str, dict[str, int]] = {run_id: {} for run_id, _ in rows}
        if rows:
            marks = ",".join("?" * len(rows))
            for run_id, status, count in db.execute(
                "SELECT run_id, status, COUNT(*) FROM steps "
                f"WHERE run_id IN ({marks}) GROUP BY run_id, status",
                [run_id for run_id, _ in rows],
            ):
                counts[run_id][status] = count
        summaries = []
        for run_id, text in rows:
            data = json.loads(text)
            steps = counts[run_id]
            ended = sum(n for status, n in steps.items() if Status(status).ended)
            data["steps"] = steps
            data["progress"] = {"done": ended, "total": sum(steps.values())}
            summaries.append(data)
        return summaries

    def _job_counts(self) -> dict[str, dict[str, int]]:
        counts: dict[str, dict[str, int]] = {}
        rows = self.db.connection().execute(
            "SELECT job_id, status, COUNT(*) FROM runs WHERE job_id IS NOT NULL "
            "GROUP BY job_id, status"
        )
        for job_id, status, count in rows:
            counts.setdefault(job_id, {})[status] = count
        return counts

    def _job_last_runs(self) -> dict[str, dict[str, Any]]:
        # SQLite takes the bare columns of an aggregate query from the row of the MAX. The newest
        # is the one that ended last, ties broken by id, as JobManager keeps it while it runs.
        rows = self.db.connection().execute(
            "SELECT job_id, id, status, json_extract(record, '$.finished_at'), "
            "MAX(COALESCE(json_extract(record, '$.finished_at'), '') || ' ' || id) "
            f"FROM runs WHERE job_id IS NOT NULL AND status NOT IN ({','.join('?' * 2)}) "
            "GROUP BY job_id",
            IN_FLIGHT,
        )
        return {
            job_id: {"id": run_id, "status": status, "finished_at": finished}
            for job_id, run_id, status, finished, _ in rows
        }

    def _abort_in_flight(self, reason: str) -> list[RunRecord]:
        db = self.db.connection()
        ids = [r[0] for r in db.execute("SELECT id FROM runs WHERE status IN (?, ?)", IN_FLIGHT)]
        aborted = []
        with db:
            for run_id in ids:
                run = self._get(run_id)
                if run is None:
                    continue
                ended = now()
                for step in run.steps.values():
                    if not step.status.ended:
                        step.status, step.reason = Status.ABORTED, reason
                        if step.started_at:
                            step.finished_at = ended
                        row = (step.status.value, json.dumps(step.to_json()), run.id, step.uuid)
                        _write_step(db, row)
                run.status, run.reason, run.finished_at = Status.ABORTED, reason, ended
                _write_header(db, run.header_json())
                aborted.append(run)
        return aborted


def _write_header(db: sqlite3.Connection, header: dict[str, Any]) -> None:
    db.execute(
        "INSERT INTO runs VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET "
        "status = excluded.status, record = excluded.record",
        (
            header["id"],
            header["pipeline_path"],
            header["pipeline_uuid"],
            header["kind"],
            header["job_id"],
            header["status"],
            header["created_at"],
            json.dumps(header),
        ),
    )


def _write_step(db: sqlite3.Connection, row: tuple[str, str, str, str]) -> None:
    """(status, record, run id, step uuid)."""
    db.execute("UPDATE steps SET status = ?, record = ? WHERE run_id = ? AND uuid = ?", row)
