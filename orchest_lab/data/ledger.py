"""What the last successful run of each step was: its fingerprint and whether it wrote an
output. Kept with the project in `.orchest/pipelines/<pipeline>/fingerprints.json` (ignored by
git with the rest of `pipelines/`), so that `orchest-lab run` and the server share it."""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .fingerprints import Fingerprint

LEDGER_FILE = "fingerprints.json"


@dataclass(frozen=True)
class Recorded:
    fingerprint: Fingerprint
    run_id: str
    finished_at: str
    output: bool  # the run wrote an output of the step

    def to_json(self) -> dict[str, Any]:
        return {
            "fingerprint": self.fingerprint.to_json(),
            "run_id": self.run_id,
            "finished_at": self.finished_at,
            "output": self.output,
        }

    @classmethod
    def from_json(cls, data: Any) -> Recorded | None:
        if not isinstance(data, dict):
            return None
        fingerprint = Fingerprint.from_json(data.get("fingerprint"))
        if fingerprint is None:
            return None
        return cls(
            fingerprint,
            str(data.get("run_id", "")),
            str(data.get("finished_at", "")),
            bool(data.get("output")),
        )


def read_ledger(state_dir: Path) -> dict[str, Recorded]:
    try:
        with open(state_dir / LEDGER_FILE, encoding="utf-8") as f:
            raw = json.load(f)
    except (OSError, ValueError):
        return {}
    steps = raw.get("steps") if isinstance(raw, dict) else None
    recorded = {}
    for uuid, entry in (steps or {}).items():
        parsed = Recorded.from_json(entry)
        if parsed is not None:
            recorded[str(uuid)] = parsed
    return recorded


def record(state_dir: Path, step_uuid: str, entry: Recorded | None) -> None:
    """Record (or with None, forget) a step's last success; safe between processes."""
    state_dir.mkdir(parents=True, exist_ok=True)
    with _locked(state_dir / f".{LEDGER_FILE}.lock"):
        steps = {uuid: r.to_json() for uuid, r in read_ledger(state_dir).items()}
        if entry is None:
            steps.pop(step_uuid, None)
        else:
            steps[step_uuid] = entry.to_json()
        _write(state_dir / LEDGER_FILE, json.dumps({"steps": steps}, indent=1))


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[None]:
    import fcntl

    fd = os.open(path, os.O_CREAT | os.O_RDWR, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


def _write(path: Path, text: str) -> None:
    """Atomic, without fsync: the ledger is derived state, cheap to lose in a crash (steps then
    count as out of date), and runs should not wait for the disk."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)
