"""Where outputs live: the memory store (a folder on tmpfs per pipeline) and the disk store
(Orchest's `.orchest/pipelines/<pipeline>/data/<step>/`), how they are written, found and read.

Memory store, `<memory root>/<project uuid>/<pipeline uuid>/` (a pipeline's outputs belong to
its project: two copies of a project never read each other's):
  <step>.arrow        the step's output: one Arrow IPC file holding one record batch; its schema
                      metadata (key `orchest_lab`) says what it is, when it was written, by which
                      run, with which fingerprint
  .tmp.<step>.<pid>.<bytes>.<token>   an output being written (reserving its size)
  .reads/<step>/<consumer>            who read the output (eviction in job runs)
  .pipeline.json      which pipeline file the store belongs to (stale stores are removed)
  .lock               taken while deciding whether an output fits the budget

Disk store: see _disk.py.

Writes are atomic (temporary file, then rename): a reader sees the old output or the new one.
"""

from __future__ import annotations

import contextlib
import datetime
import errno
import json
import mmap
import os
import pickle
import secrets
import shutil
import stat
import tempfile
import threading
import uuid as uuid_lib
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from typing import Any

import pyarrow as pa
import pyarrow.ipc as ipc

from . import _serialize
from .error import Error, InvalidMetaDataError

MEMORY_SUFFIX = ".arrow"
TMP_PREFIX = ".tmp."
LOCK_FILE = ".lock"
READS_DIR = ".reads"
PIPELINE_MARKER = ".pipeline.json"
UNNAMED = "unnamed"
SERIALIZATIONS = ("ARROW_TABLE", "ARROW_BATCH", "PICKLE")
ARROW_FILE_MAGIC = b"ARROW1"
MEMORY, DISK = "memory", "disk"


class NoRoom(Exception):
    """An output does not fit in the memory store; the message says why."""


@dataclass
class StoredOutput:
    """One stored output, as its metadata describes it (the data itself is read on demand)."""

    step_uuid: str
    transport: str  # "memory" or "disk"
    path: str
    serialization: str  # ARROW_TABLE, ARROW_BATCH or PICKLE
    kind: str | None  # DataFrame, Table, RecordBatch, pickle; None: written by Orchest
    name: str | None  # None: unnamed
    timestamp: str  # UTC, ISO 8601, no offset (as Orchest wrote it)
    fingerprint: str | None
    run_uuid: str | None
    nbytes: int
    # What the object is, as the writer saw it (`_serialize.summary`); None when written by
    # Orchest or an older orchest-lab.
    summary: dict[str, Any] | None = None

    @property
    def time(self) -> datetime.datetime:
        return datetime.datetime.fromisoformat(self.timestamp)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def utc_timestamp() -> str:
    now = datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)
    return now.isoformat(timespec="microseconds")


# --- memory --------------------------------------------------------------------------------------


def default_memory_root() -> str:
    """Shared memory (tmpfs) on Linux, one folder per user; elsewhere the temporary folder."""
    base = "/dev/shm" if os.path.isdir("/dev/shm") else tempfile.gettempdir()
    user = os.getuid() if hasattr(os, "getuid") else os.getlogin()
    return os.path.join(base, f"orchest-lab-{user}")


def memory_root() -> str:
    return os.environ.get("ORCHEST_MEMORY_DIR") or default_memory_root()


def memory_shared() -> bool:
    """Whether the steps after this one can read its memory store. Not when each step runs in
    a pod of its own (the Kubernetes executor sets ORCHEST_DATA_TRANSPORT=disk): outputs then
    go to the disk store, on the volume the pods share."""
    return os.environ.get("ORCHEST_DATA_TRANSPORT", "").strip().lower() != DISK


def project_uuid(project_dir: str) -> str:
    """A project's uuid on this machine, as the server computes it (from its real path)."""
    return str(uuid_lib.uuid5(uuid_lib.NAMESPACE_URL, "file://" + os.path.realpath(project_dir)))


def store_path(root: str, project: str, pipeline_uuid: str) -> str:
    """The memory store of a pipeline of a project (`project`: the project's uuid)."""
    return os.path.join(root, project, pipeline_uuid)


class NotPrivate(Error, PermissionError):
    """A store folder that someone else could have written: nothing in it is read or trusted
    (a pickle planted there would run as this user)."""


def private_folder_problem(path: str) -> str | None:
    """Why `path` is not a folder private to this user (None: it is): it must be a real folder
    (not a symlink), owned by this user, and writable by nobody else."""
    try:
        info = os.lstat(path)
    except FileNotFoundError:
        return "it does not exist"
    if not stat.S_ISDIR(info.st_mode):
        return "it is a symlink, not a folder" if stat.S_ISLNK(info.st_mode) else "not a folder"
    if hasattr(os, "getuid") and info.st_uid != os.getuid():
        return f"it belongs to another user (uid {info.st_uid})"
    if info.st_mode & 0o022:
        return f"others may write in it (mode {stat.S_IMODE(info.st_mode):o})"
    return None


def check_private(store: str) -> None:
    """Raise NotPrivate unless the store and the folders holding it (the project's and the
    memory root) are private to this user. Checked before every read and write: the folders
    are looked at anew each time."""
    project = os.path.dirname(store)
    for folder in (os.path.dirname(project), project, store):
        problem = private_folder_problem(folder)
        if problem is not None and problem != "it does not exist":
            raise NotPrivate(
                f"orchest-lab will not use the memory store folder {folder}: {problem}. "
                "Remove it, or set ORCHEST_MEMORY_DIR (c.OrchestLab.memory_dir) to a folder "
                "of your own."
            )


def ensure_store(store: str, pipeline_file: str | None = None) -> None:
    """Create the store (private to this user) and record which pipeline it belongs to."""
    os.makedirs(os.path.dirname(store), mode=0o700, exist_ok=True)  # the root and the project
    os.makedirs(store, mode=0o700, exist_ok=True)
    check_private(store)
    if pipeline_file:
        marker = os.path.join(store, PIPELINE_MARKER)
        content = json.dumps({"pipeline_file": os.path.abspath(pipeline_file)})
        try:
            with open(marker, encoding="utf-8") as f:
                if f.read() == content:
                    return
        except OSError:
            pass
        atomic_write(marker, content.encode())


def memory_path(store: str, step_uuid: str) -> str:
    return os.path.join(store, step_uuid + MEMORY_SUFFIX)


def ipc_file_size(batch: Any) -> int:
    """How many bytes the IPC file of `batch` takes (computed, nothing is copied)."""
    sink = pa.MockOutputStream()
    with ipc.new_file(sink, batch.schema) as writer:
        writer.write_batch(batch)
    return int(sink.size())


def write_memory(
    store: str, step_uuid: str, encoded: _serialize.Encoded, meta: dict[str, Any], budget: int
) -> StoredOutput:
    """Write an output to the memory store; raises NoRoom when it does not fit the budget or
    the file system."""
    meta = {**meta, "serialization": encoded.serialization}
    batch = _serialize.with_metadata(encoded, meta)
    size = ipc_file_size(batch)
    if not os.path.isdir(store):
        ensure_store(store)
    with _locked(store):
        used = memory_usage(store, exclude_step=step_uuid)
        if used + size > budget:
            raise NoRoom(
                f"it takes {format_bytes(size)} and the pipeline's data_passing_memory_size is "
                f"{format_bytes(budget)}, of which other outputs use {format_bytes(used)}"
            )
        free = _free_bytes(store)
        if free is not None and size > free:
            raise NoRoom(
                f"it takes {format_bytes(size)} and the memory store {store} has only "
                f"{format_bytes(free)} free ({_filesystem_note(store)}); give it more room or "
                "set c.OrchestLab.memory_dir (ORCHEST_MEMORY_DIR) to a larger tmpfs"
            )
        tmp = os.path.join(
            store, f"{TMP_PREFIX}{step_uuid}.{os.getpid()}.{size}.{secrets.token_hex(4)}"
        )
        os.close(os.open(tmp, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
    path = memory_path(store, step_uuid)
    previous = None
    try:
        with pa.OSFile(tmp, "wb") as sink, ipc.new_file(sink, batch.schema) as writer:
            writer.write_batch(batch)
        previous = _keep_aside(store, step_uuid, path)
        os.replace(tmp, path)
    except BaseException as err:
        for leftover in (tmp, previous):
            if leftover is not None:
                _unlink_quietly(leftover)
        if isinstance(err, OSError) and err.errno in (errno.ENOSPC, errno.ENOMEM):
            raise NoRoom(f"the memory store {store} ran out of space ({err.strerror})") from err
        raise
    if previous is not None:
        _discard(previous)
    shutil.rmtree(os.path.join(store, READS_DIR, step_uuid), ignore_errors=True)
    return stored_output(step_uuid, MEMORY, path, meta, encoded.serialization, encoded.kind, size)


def _keep_aside(store: str, step_uuid: str, path: str) -> str | None:
    """A second name for the output about to be replaced, so that the rename does not free it
    (freeing a large tmpfs file takes a few tenths of a second per GB)."""
    aside = os.path.join(store, f"{TMP_PREFIX}{step_uuid}.{os.getpid()}.0.{secrets.token_hex(4)}")
    try:
        os.link(path, aside)
    except OSError:  # no previous output, or no hard links here
        return None
    return aside


def _discard(path: str) -> None:
    """Free a replaced output: large ones in the background (the thread is not a daemon, so the
    process finishes it before it exits; if it is killed first, the server removes the file)."""
    try:
        large = os.path.getsize(path) > 1024 * 1024
    except OSError:
        return
    if large:
        threading.Thread(target=_unlink_quietly, args=(path,), name="orchest-discard").start()
    else:
        _unlink_quietly(path)


def _unlink_quietly(path: str) -> None:
    with contextlib.suppress(OSError):
        os.unlink(path)


def read_memory_meta(store: str, step_uuid: str) -> StoredOutput | None:
    check_private(store)
    path = memory_path(store, step_uuid)
    try:
        with pa.memory_map(path) as source:
            schema = ipc.open_file(source).schema
            size = source.size()
    except FileNotFoundError:
        return None
    except (OSError, pa.ArrowInvalid):
        return None  # being replaced, or not ours
    meta = _serialize.read_metadata(schema)
    if meta is None or "timestamp" not in meta:
        return None
    kind = meta.get("kind")
    serialization = meta.get("serialization") or _serialize.Encoded(None, str(kind)).serialization
    return stored_output(step_uuid, MEMORY, path, meta, serialization, kind, int(size))


def memory_usage(store: str, exclude_step: str | None = None) -> int:
    """Bytes the store's outputs take, with the room reserved by outputs being written."""
    total = 0
    try:
        entries = list(os.scandir(store))
    except FileNotFoundError:
        return 0
    for entry in entries:
        name = entry.name
        if name.endswith(MEMORY_SUFFIX) and not name.startswith("."):
            if name[: -len(MEMORY_SUFFIX)] != exclude_step:
                with contextlib.suppress(OSError):
                    total += entry.stat().st_size
        elif name.startswith(TMP_PREFIX):
            parsed = parse_tmp_name(name)
            if parsed is not None and pid_alive(parsed[1]):
                with contextlib.suppress(OSError):
                    total += max(parsed[2], entry.stat().st_size)
    return total


def parse_tmp_name(name: str) -> tuple[str, int, int] | None:
    """(step, pid, reserved bytes) of a temporary file's name."""
    parts = name[len(TMP_PREFIX) :].split(".")
    if len(parts) != 4:
        return None
    try:
        return parts[0], int(parts[1]), int(parts[2])
    except ValueError:
        return None


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def remove_memory(store: str, step_uuid: str) -> bool:
    shutil.rmtree(os.path.join(store, READS_DIR, step_uuid), ignore_errors=True)
    try:
        os.unlink(memory_path(store, step_uuid))
    except FileNotFoundError:
        return False
    return True


def mark_read(store: str, producer: str, consumer: str, consumers: list[str]) -> bool:
    """Record that `consumer` read `producer`'s output; free the output once every one of
    `consumers` did. True when it was freed."""
    folder = os.path.join(store, READS_DIR, producer)
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, consumer), "w"):
        pass
    done = set(os.listdir(folder))
    if all(c in done for c in consumers):
        return remove_memory(store, producer)
    return False


@contextlib.contextmanager
def _locked(store: str) -> Iterator[None]:
    try:
        import fcntl
    except ImportError:  # not POSIX: no lock (budget checks may race)
        yield
        return
    fd = os.open(os.path.join(store, LOCK_FILE), os.O_CREAT | os.O_RDWR, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


def _free_bytes(path: str) -> int | None:
    try:
        stat = os.statvfs(path)
    except (AttributeError, OSError):
        return None
    return stat.f_bavail * stat.f_frsize


def _filesystem_note(path: str) -> str:
    try:
        stat = os.statvfs(path)
    except (AttributeError, OSError):
        return "size unknown"
    return f"{format_bytes(stat.f_blocks * stat.f_frsize)} in all"


# --- reading -------------------------------------------------------------------------------------


def newest(*candidates: StoredOutput | None) -> StoredOutput | None:
    """The most recent write; on a tie the first given (memory before disk)."""
    best: StoredOutput | None = None
    for candidate in candidates:
        if candidate is not None and (best is None or candidate.time > best.time):
            best = candidate
    return best


def load(output: StoredOutput) -> Any:
    """The object an output holds, read in place: the file is mapped copy-on-write, so numeric
    data is not copied and stays writable for the reader."""
    if output.transport == MEMORY:
        check_private(os.path.dirname(output.path))  # once more, right before reading
    with open(output.path, "rb") as f:
        memory = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_COPY)
    if output.serialization == "PICKLE" and output.transport == DISK:
        return pickle.loads(memory)
    source = pa.BufferReader(pa.py_buffer(memory))
    if memory[: len(ARROW_FILE_MAGIC)] == ARROW_FILE_MAGIC:
        reader = ipc.open_file(source)
        batches = [reader.get_batch(i) for i in range(reader.num_record_batches)]
        schema = reader.schema
    else:
        stream = ipc.open_stream(source)
        batches = list(stream)
        schema = stream.schema
    meta = _serialize.read_metadata(schema)
    kind = meta.get("kind") if meta else None
    if kind is None:  # written by Orchest: a table or a batch, as its HEAD says
        if output.serialization == "ARROW_BATCH":
            return batches[0]
        return pa.Table.from_batches(batches, schema=schema)
    if len(batches) != 1:
        raise InvalidMetaDataError(f"{output.path} holds {len(batches)} record batches, not 1.")
    return _serialize.decode(batches[0], kind, memory)


# --- helpers -------------------------------------------------------------------------------------


def stored_output(
    step_uuid: str,
    transport: str,
    path: str,
    meta: dict[str, Any],
    serialization: str,
    kind: str | None,
    size: int,
) -> StoredOutput:
    return StoredOutput(
        step_uuid=step_uuid,
        transport=transport,
        path=path,
        serialization=serialization,
        kind=kind,
        name=meta.get("name"),
        timestamp=str(meta["timestamp"]),
        fingerprint=meta.get("fingerprint"),
        run_uuid=meta.get("run_uuid"),
        nbytes=size,
        summary=meta["summary"] if isinstance(meta.get("summary"), dict) else None,
    )


def atomic_write(path: str, data: bytes) -> None:
    tmp = f"{path}.{os.getpid()}.{secrets.token_hex(4)}.tmp"
    try:
        with open(tmp, "wb") as f:
            f.write(data)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def format_bytes(size: float) -> str:
    for unit in ("bytes", "KB", "MB", "GB"):
        if abs(size) < 1000 or unit == "GB":
            return f"{size:.0f} {unit}" if unit == "bytes" else f"{size:.1f} {unit}"
        size /= 1000
    return f"{size:.1f} TB"  # unreachable


def parse_memory_size(text: Any, default: int = 10**9) -> int:
    """Orchest's `data_passing_memory_size` ("1GB", "500 MB", "1.5GB"; decimal units)."""
    if isinstance(text, (int, float)) and not isinstance(text, bool):
        return int(text)
    if not isinstance(text, str):
        return default
    value = text.strip().upper()
    for unit, factor in (("KB", 10**3), ("MB", 10**6), ("GB", 10**9), ("B", 1)):
        if value.endswith(unit):
            try:
                return int(float(value[: -len(unit)].strip()) * factor)
            except ValueError:
                return default
    try:
        return int(float(value))
    except ValueError:
        return default
