"""A notebook file that a run keeps writing while it executes: throttled, atomic writes, and a
refusal to overwrite changes someone else made to the file meanwhile."""

from __future__ import annotations

import asyncio
import json
import os
import re
import stat
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import nbformat
from nbformat import NotebookNode
from nbformat.v4.rwbase import strip_transient

from ..fs import atomic_write_text
from ..fs.atomic import TMP_SUFFIX

WRITE_INTERVAL = 0.2  # seconds between two writes of the same notebook while it runs
# Serialising a notebook holds the GIL: a notebook that takes long to serialise is written less
# often, so that its writes take at most 1/WRITE_SPACING of the time and the event loop is not
# kept waiting for the GIL.
WRITE_SPACING = 10


class ChangedOnDisk(Exception):
    pass


def _signature(path: Path) -> tuple[int, int, int]:
    return _of(os.stat(path))


def _of(st: os.stat_result) -> tuple[int, int, int]:
    return (st.st_ino, st.st_mtime_ns, st.st_size)


class LiveNotebookFile:
    def __init__(self, path: Path, notebook: NotebookNode, signature: tuple[int, int, int]) -> None:
        self.path = path
        self.notebook = notebook
        self._signature = signature
        # As if just written: a step that ends within WRITE_INTERVAL writes its file once.
        self._last_write = time.monotonic()
        self._interval = WRITE_INTERVAL
        self._pending: asyncio.Task[None] | None = None  # a write waiting for its turn
        self._lock = asyncio.Lock()  # one write at a time, so each sees the previous signature
        self._error: BaseException | None = None
        self.before_write: Callable[[], None] | None = None  # makes the notebook whole to write

    @classmethod
    def open(cls, path: Path) -> LiveNotebookFile:
        """Blocking (reads and validates the file): see `load`."""
        signature = _signature(path)
        notebook = nbformat.read(path, as_version=4)
        return cls(path, notebook, signature)

    @classmethod
    async def load(cls, path: Path) -> LiveNotebookFile:
        """`open`, in a worker thread."""
        return await asyncio.to_thread(cls.open, path)

    def changed(self) -> None:
        """The notebook changed in memory: write it soon (at most every WRITE_INTERVAL, or
        less often for a notebook whose last write cost much; see WRITE_SPACING)."""
        if self._pending is not None or self._error is not None:
            return
        delay = max(0.0, self._last_write + self._interval - time.monotonic())
        self._pending = asyncio.ensure_future(self._write_later(delay))

    def check(self) -> None:
        """Raise ChangedOnDisk if a write found the file changed by someone else."""
        if self._error is not None:
            raise self._error

    async def flush(self) -> None:
        """Write the notebook now (after any write in flight), as Jupyter writes notebooks, and
        raise if that was refused."""
        if self._pending is not None:
            self._pending.cancel()  # it is still waiting: a write that started clears _pending
            self._pending = None
        self.check()
        await self._write(final=True)
        self.check()

    async def _write_later(self, delay: float) -> None:
        try:
            await asyncio.sleep(delay)
        finally:
            self._pending = None
        await self._write()

    async def _write(self, final: bool = False) -> None:
        async with self._lock:
            if self._error is not None:
                return
            # Copied now, as the run keeps changing the notebook; serialised and written in a
            # worker thread: for a notebook of a few MiB that is 100 ms.
            if self.before_write is not None:
                self.before_write()
            notebook = _snapshot(self.notebook)
            self._last_write = time.monotonic()
            try:
                self._signature = await asyncio.get_running_loop().run_in_executor(
                    None, self._replace, notebook, final
                )
            except ChangedOnDisk as err:
                self._error = err

    def _replace(self, notebook: NotebookNode, final: bool) -> tuple[int, int, int]:
        cost = time.thread_time()
        try:
            return self._serialise_and_replace(notebook, final)
        finally:
            cost = time.thread_time() - cost
            self._interval = max(WRITE_INTERVAL, cost * WRITE_SPACING)

    def _serialise_and_replace(self, notebook: NotebookNode, final: bool) -> tuple[int, int, int]:
        text = _serialise(notebook, final)

        def unchanged() -> None:
            # Checked after the slow part of the write, right before the rename.
            try:
                current = _signature(self.path)
            except FileNotFoundError:
                current = None
            if current != self._signature:
                raise ChangedOnDisk(
                    f"{self.path.name} was changed on disk by someone else while the run was "
                    "writing its outputs; the run stopped so as not to overwrite those changes"
                )

        # The signature of what we wrote, not of the path afterwards: a change made right after
        # our write must still be seen as someone else's.
        return _of(atomic_write_text(self.path, text, before_replace=unchanged))


def _serialise(notebook: NotebookNode, final: bool) -> str:
    """The notebook as JSON. Without nbformat's validation (which only logs): the notebook was
    valid when read, and what a run adds are nbclient's outputs."""
    if final:  # as Jupyter writes it: indented, texts split into lines
        return str(nbformat.versions[notebook.nbformat].writes_json(notebook))
    # While the run goes on: compact, each text one string (as valid, and read as well), which
    # the C encoder writes about 10 times faster than the pure-Python indented encoder; `notebook`
    # is a snapshot of the run's, so removing its transient fields changes nothing else.
    return json.dumps(strip_transient(notebook), ensure_ascii=False, sort_keys=True)


def _snapshot(value: Any) -> Any:
    """A copy of the notebook's dicts and lists that shares its strings and numbers (immutable):
    its cost is the number of outputs, not their size."""
    if isinstance(value, list):
        return [_snapshot(v) for v in value]
    if isinstance(value, dict):
        copy = NotebookNode() if isinstance(value, NotebookNode) else {}
        for key, item in value.items():
            dict.__setitem__(copy, key, _snapshot(item))  # as it is (no conversion to a node)
        return copy
    return value


# fs/atomic.py writes `.<name>.<8 random characters><TMP_SUFFIX>` beside the file (mkstemp).
_TMP_RANDOM = r"[a-z0-9_]{8}"


def remove_interrupted_writes(notebooks: Iterable[Path]) -> list[Path]:
    """Remove the temporary files that writes of these notebooks left beside them when the server
    died in the middle of one; the files removed. Only regular files named exactly as the atomic
    writes name them are removed, never a link or a folder. Blocking: for start-up."""
    removed = []
    for notebook in dict.fromkeys(Path(n) for n in notebooks):
        pattern = re.compile(re.escape(f".{notebook.name}.") + _TMP_RANDOM + re.escape(TMP_SUFFIX))
        try:
            entries = list(os.scandir(notebook.parent))
        except OSError:  # the folder is gone or unreadable: nothing of ours to remove
            continue
        for entry in entries:
            if pattern.fullmatch(entry.name) is None:
                continue
            try:
                if stat.S_ISREG(entry.stat(follow_symlinks=False).st_mode):
                    os.unlink(entry.path)
                    removed.append(Path(entry.path))
            except FileNotFoundError:
                pass
    return removed
