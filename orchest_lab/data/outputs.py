"""The server's view of the stored outputs of a pipeline: listing them, their memory use,
removing those a run must not leave behind, and removing stale stores.

The formats belong to the SDK (`orchest_lab/sdk/orchest/_store.py` and `_disk.py`), which this
module reads through. Importing the SDK loads pyarrow, so the few facts of the layout that runs
need when nothing was output (the store's place and names) are repeated here, and a test keeps
them equal to the SDK's: a run, or `orchest-lab run`, whose steps pass no data never loads pyarrow.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..fs import atomic_write_text
from ..fs.private import private_folder_problem
from ..pipeline.project import STATE_DIR, project_uuid

if TYPE_CHECKING:
    from ..sdk.orchest._store import StoredOutput

log = logging.getLogger(__name__)

# As in the SDK's _store.py (tests/test_sdk_transports.py checks it).
MEMORY_SUFFIX = ".arrow"
TMP_PREFIX = ".tmp."
PIPELINE_MARKER = ".pipeline.json"
# Job runs keep their outputs apart, in <memory root>/job-runs/<run id>/<pipeline uuid>/, which
# goes when the run ends; `.owner` there holds the pid of the process that runs the job.
JOB_RUNS_DIR = "job-runs"
OWNER_FILE = ".owner"


def _store_module() -> Any:
    # pyarrow loads on first use, not with the server.
    from ..sdk.orchest import _store

    return _store


def preload() -> None:
    """Import the SDK's store (and pyarrow) now rather than when a run first needs it."""
    _store_module()


def _disk_module() -> Any:
    from ..sdk.orchest import _disk

    return _disk


def default_memory_root() -> Path:
    """Shared memory on Linux (/dev/shm/orchest-lab-<user id>), else a temporary folder."""
    base = "/dev/shm" if os.path.isdir("/dev/shm") else tempfile.gettempdir()
    user = os.getuid() if hasattr(os, "getuid") else os.getlogin()
    return Path(base) / f"orchest-lab-{user}"


def private_memory_root(preferred: Path) -> tuple[Path, str | None]:
    """`preferred` when it is (or can be made) a folder private to this user; else a new private
    folder beside it, with why `preferred` was not used. Another local user may have created
    `preferred` first (it is a predictable name in a world-writable place): their folder is
    never used, since outputs read from it could run their code."""
    with contextlib.suppress(FileExistsError):
        preferred.mkdir(mode=0o700, parents=True)
    problem = private_folder_problem(str(preferred))
    if problem is None:
        return preferred, None
    fallback = Path(tempfile.mkdtemp(prefix=f"{preferred.name}-", dir=_writable_parent(preferred)))
    return fallback, f"{preferred} cannot be used: {problem}; using {fallback} instead"


def _writable_parent(preferred: Path) -> str:
    parent = preferred.parent
    return str(parent) if os.access(parent, os.W_OK | os.X_OK) else tempfile.gettempdir()


def memory_root_from_env() -> Path:
    """ORCHEST_MEMORY_DIR when set (as kernels and steps see it), else the default."""
    configured = os.environ.get("ORCHEST_MEMORY_DIR")
    return Path(configured) if configured else default_memory_root()


def job_run_memory_root(memory_root: Path, run_id: str) -> Path:
    """The memory root of a job run (created, with its owner)."""
    root = memory_root / JOB_RUNS_DIR / run_id
    root.mkdir(mode=0o700, parents=True, exist_ok=True)
    (root / OWNER_FILE).write_text(str(os.getpid()))
    return root


def remove_job_run_root(memory_root: Path) -> None:
    """Remove a job run's memory root (nothing else)."""
    if memory_root.parent.name == JOB_RUNS_DIR:
        shutil.rmtree(memory_root, ignore_errors=True)


def data_dir(project: Path, pipeline_uuid: str) -> Path:
    """Orchest's disk store of a pipeline: `.orchest/pipelines/<uuid>/data/`."""
    return project / STATE_DIR / "pipelines" / pipeline_uuid / "data"


def store_dir(memory_root: Path, project: Path, pipeline_uuid: str) -> Path:
    """The memory store of a pipeline of `project`: `<root>/<project uuid>/<pipeline uuid>/`,
    as the SDK has it. Keyed by project too: two copies of a project never share outputs."""
    return memory_root / project_uuid(project) / pipeline_uuid


def ensure_store(memory_root: Path, project: Path, pipeline_uuid: str, pipeline_file: Path) -> Path:
    """Create the pipeline's store (private to the user), saying which pipeline file it is for."""
    store = store_dir(memory_root, project, pipeline_uuid)
    memory_root.mkdir(mode=0o700, parents=True, exist_ok=True)
    store.parent.mkdir(mode=0o700, exist_ok=True)
    store.mkdir(mode=0o700, exist_ok=True)
    marker = store / PIPELINE_MARKER
    content = json.dumps({"pipeline_file": os.path.abspath(pipeline_file)})
    try:
        current = marker.read_text(encoding="utf-8")
    except OSError:
        current = None
    if current != content:
        atomic_write_text(marker, content)
    return store


@dataclass
class StepOutputs:
    memory: StoredOutput | None
    disk: StoredOutput | None

    @property
    def current(self) -> StoredOutput | None:
        """What get_inputs reads: the newest write."""
        result: StoredOutput | None = _store_module().newest(self.memory, self.disk)
        return result


def step_outputs(
    memory_root: Path, project: Path, pipeline_uuid: str, step_uuids: list[str]
) -> dict[str, StepOutputs]:
    """The stored outputs of the given steps (only steps that have one)."""
    memory = str(store_dir(memory_root, project, pipeline_uuid))
    disk = str(data_dir(project, pipeline_uuid))
    in_memory, on_disk = _names(memory), _names(disk)  # look only at what exists
    found: dict[str, StepOutputs] = {}
    wanted = [u for u in step_uuids if u + MEMORY_SUFFIX in in_memory or u in on_disk]
    if not wanted:
        return found
    store = _store_module()
    for uuid in wanted:
        outputs = StepOutputs(
            _readable(store.read_memory_meta, memory, uuid)
            if uuid + MEMORY_SUFFIX in in_memory
            else None,
            _readable(_disk_module().read_disk_meta, os.path.join(disk, uuid), uuid)
            if uuid in on_disk
            else None,
        )
        if outputs.memory is not None or outputs.disk is not None:
            found[uuid] = outputs
    return found


def _readable(
    read: Callable[[str, str], StoredOutput | None], where: str, uuid: str
) -> StoredOutput | None:
    """An output's description, None when it cannot be read (a symlink loop, a HEAD file that
    is not Orchest's): no step can read it either, so it counts as not stored."""
    from ..sdk.orchest.error import InvalidMetaDataError

    try:
        return read(where, uuid)
    except (OSError, ValueError, InvalidMetaDataError):
        return None


def _names(folder: str) -> set[str]:
    try:
        return set(os.listdir(folder))
    except OSError:
        return set()


def memory_used(memory_root: Path, project: Path, pipeline_uuid: str) -> int:
    try:
        store = store_dir(memory_root, project, pipeline_uuid)
        return int(_store_module().memory_usage(str(store)))
    except OSError:  # a store that cannot be listed holds nothing any step can read
        return 0


def remove_outputs(
    memory_root: Path,
    project: Path,
    pipeline_uuid: str,
    run_id: str,
    steps: list[str],
    disk: bool,
) -> list[str]:
    """Remove what run `run_id` wrote for `steps` (in memory, and on disk too when `disk`),
    with the unfinished writes of those steps. Returns the steps whose outputs were removed."""
    memory = store_dir(memory_root, project, pipeline_uuid)
    removed = []
    for uuid, written in step_outputs(memory_root, project, pipeline_uuid, steps).items():
        store = _store_module()
        if written.memory is not None and written.memory.run_uuid == run_id:
            store.remove_memory(str(memory), uuid)
            removed.append(uuid)
        if disk and written.disk is not None and written.disk.run_uuid == run_id:
            _disk_module().remove_disk(str(data_dir(project, pipeline_uuid) / uuid), uuid)
            if uuid not in removed:
                removed.append(uuid)
    remove_partial_writes(memory, set(steps))
    return removed


def remove_partial_writes(store: Path, steps: set[str] | None = None) -> int:
    """Remove files of writes whose writer is gone (of `steps` only, when given)."""
    count = 0
    try:
        entries = list(os.scandir(store))
    except OSError:
        return 0
    for entry in entries:
        if not entry.name.startswith(TMP_PREFIX):
            continue
        parsed = _parse_tmp_name(entry.name)
        if parsed is None or (steps is not None and parsed[0] not in steps):
            continue
        if not _pid_alive(parsed[1]):
            with contextlib.suppress(OSError):
                os.unlink(entry.path)
                count += 1
    return count


def remove_stale_stores(memory_root: Path) -> list[str]:
    """At server start: remove the stores of pipelines that no longer exist (their pipeline file
    is gone or has another uuid now), stores of the layout before stores were kept by project,
    and everywhere the files of interrupted writes. A store that does not say which pipeline it
    belongs to is left alone. Returns the removed stores."""
    removed = []
    for project in _folders(memory_root):
        if project.name == JOB_RUNS_DIR:
            continue
        if os.path.isfile(os.path.join(project.path, PIPELINE_MARKER)):
            # A pipeline's store straight in the root: no run or kernel reads it any more.
            shutil.rmtree(project.path, ignore_errors=True)
            removed.append(project.name)
            continue
        for entry in _folders(Path(project.path)):
            try:
                with open(os.path.join(entry.path, PIPELINE_MARKER), encoding="utf-8") as f:
                    pipeline_file = json.load(f).get("pipeline_file")
            except (OSError, ValueError, AttributeError):
                pipeline_file = None
            if isinstance(pipeline_file, str) and not _pipeline_has_uuid(pipeline_file, entry.name):
                shutil.rmtree(entry.path, ignore_errors=True)
                removed.append(f"{project.name}/{entry.name}")
                continue
            remove_partial_writes(Path(entry.path))
        with contextlib.suppress(OSError):
            os.rmdir(project.path)  # when no store is left in it
    removed += _remove_orphaned_job_runs(memory_root)
    return removed


def _folders(folder: Path) -> list[os.DirEntry[str]]:
    try:
        return [e for e in os.scandir(folder) if e.is_dir(follow_symlinks=False)]
    except OSError:
        return []


def _remove_orphaned_job_runs(memory_root: Path) -> list[str]:
    """Memory roots of job runs whose process is gone (a server that stopped mid-run)."""
    removed = []
    try:
        runs = list(os.scandir(memory_root / JOB_RUNS_DIR))
    except OSError:
        return []
    for entry in runs:
        try:
            owner = int(Path(entry.path, OWNER_FILE).read_text())
        except (OSError, ValueError):
            owner = None
        if owner is None or not _pid_alive(owner):
            shutil.rmtree(entry.path, ignore_errors=True)
            removed.append(f"{JOB_RUNS_DIR}/{entry.name}")
    return removed


def _pipeline_has_uuid(path: str, uuid: str) -> bool:
    try:
        with open(path, encoding="utf-8") as f:
            data = json.load(f)
    except FileNotFoundError:
        return False
    except (OSError, ValueError):
        return True  # unreadable for now (being written?): not proof that it is gone
    return isinstance(data, dict) and data.get("uuid") == uuid


def _parse_tmp_name(name: str) -> tuple[str, int] | None:
    """(step, writer's pid) of a write in progress: `.tmp.<step>.<pid>.<bytes>.<token>`."""
    parts = name[len(TMP_PREFIX) :].split(".")
    if len(parts) != 4:
        return None
    try:
        return parts[0], int(parts[1])
    except ValueError:
        return None


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
