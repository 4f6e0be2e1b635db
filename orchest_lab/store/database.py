"""The SQLite database of a server, used from one dedicated thread so that the event loop never
waits on it: writes are queued without waiting and written together (one transaction for all
that queued up), in the order they were asked for; reads await the thread's answer and see
every write queued before them."""

from __future__ import annotations

import asyncio
import logging
import sqlite3
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

from .migrations import migrate

log = logging.getLogger(__name__)
T = TypeVar("T")
Write = Callable[[sqlite3.Connection], object]


class Database:
    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="orchest-lab-store")
        self._local = threading.local()
        self._writes: list[Write] = []
        self._writes_lock = threading.Lock()
        self._drain_queued = False
        try:
            self.submit(lambda: migrate(self.connection())).result()
        except BaseException:
            self.close()
            raise

    def connection(self) -> sqlite3.Connection:
        """The thread's connection (only ever used on the database's thread)."""
        connection = getattr(self._local, "connection", None)
        if connection is None:
            connection = sqlite3.connect(self.path)
            connection.execute("PRAGMA journal_mode=WAL")
            connection.execute("PRAGMA synchronous=NORMAL")  # WAL keeps it consistent
            connection.execute("PRAGMA foreign_keys=ON")
            self._local.connection = connection
        return connection

    def queue(self, write: Write) -> None:
        """Write soon, without waiting."""
        with self._writes_lock:
            self._writes.append(write)
            if self._drain_queued:
                return  # the drain already asked for takes this write too
            self._drain_queued = True
        self.submit(self._drain)

    async def read(self, fn: Callable[..., T], *args: Any) -> T:
        """Run `fn(*args)` on the database's thread (after the writes queued before) and await
        its answer."""
        return await asyncio.wrap_future(self.submit(fn, *args))

    def submit(self, fn: Callable[..., T], *args: Any) -> Future[T]:
        return self._thread.submit(fn, *args)

    async def flush(self) -> None:
        """Wait until every write asked for so far is written."""
        await self.read(lambda: None)

    def close(self) -> None:
        self._thread.shutdown(wait=True)

    def _drain(self) -> None:
        with self._writes_lock:
            writes, self._writes = self._writes, []
            self._drain_queued = False
        try:
            with self.connection() as db:
                for write in writes:
                    write(db)
        except sqlite3.Error:  # nobody waits for a write: say it failed rather than lose it quietly
            log.error("orchest-lab: %d change(s) could not be saved", len(writes), exc_info=True)
