"""A job's folder, as Orchest laid it out: `snapshot/` (the project when the job was made) and
`runs/<run id>/` (each run's own copy of it, where its notebooks and logs are written)."""

from __future__ import annotations

from pathlib import Path

from ..records import JobRecord


def snapshot_dir(job: JobRecord) -> Path:
    return Path(job.folder) / "snapshot"


def run_dir(job: JobRecord, run_id: str) -> Path:
    return Path(job.folder) / "runs" / run_id


def folder_size(folder: Path) -> int:
    """Bytes of the files under `folder` (links not followed). Blocking."""
    total = 0
    for path in folder.rglob("*"):
        try:
            if path.is_file() and not path.is_symlink():
                total += path.stat().st_size
        except OSError:
            continue
    return total
