"""Step logs: text written as it comes to the run's copy and to the pipeline's latest log.

A step that prints as fast as it can sends thousands of messages a second: each is kept in
memory and the text is handed, at most every FLUSH_INTERVAL, to one writer thread, so that the
event loop never waits for the disk. Followed logs are read every 0.1 s, so they see text as
promptly as before; `drain` (awaited when a step ends) and `close` make sure that all of it is in
the files before the step counts as ended.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import logging
import os
import re
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import IO, Any

from .threads import own_thread

ANSI_ESCAPES = re.compile(r"\x1b\[[0-9;?]*[ -/]*[@-~]")
log = logging.getLogger(__name__)

FLUSH_INTERVAL = 0.03  # seconds text may wait in memory before it is handed to the writer


def _writer_thread() -> ThreadPoolExecutor:
    """One thread for all logs: writes of one log happen in the order they were handed over."""
    return own_thread("orchest-lab-logs")


class StepLog:
    def __init__(
        self, paths: tuple[Path, ...], loop: asyncio.AbstractEventLoop | None = None
    ) -> None:
        """Blocking (opens the files): see `open`. Without an event loop (neither given nor
        running), every write goes to the files at once."""
        # Opened here: a log that cannot be written fails the step before it runs.
        self._files: list[IO[str]] = []
        for path in paths:
            path.parent.mkdir(parents=True, exist_ok=True)
            self._files.append(_open_log(path))
        self._pending: list[str] = []
        self._timer: asyncio.TimerHandle | None = None
        self._last: Future[None] | None = None  # the newest write handed to the writer
        if loop is None:
            with contextlib.suppress(RuntimeError):
                loop = asyncio.get_running_loop()
        self._loop = loop

    @classmethod
    async def open(cls, paths: tuple[Path, ...]) -> StepLog:
        """A log whose files are opened in a worker thread, written for the running loop."""
        return await asyncio.to_thread(cls, paths, asyncio.get_running_loop())

    def write(self, text: str) -> None:
        """Append text (terminal colour codes removed); it reaches the files within
        FLUSH_INTERVAL."""
        self._raise_failure()
        self._pending.append(text)
        if self._loop is None:
            self._hand_over()
        elif self._timer is None:
            self._timer = self._loop.call_later(FLUSH_INTERVAL, self._hand_over)

    async def drain(self) -> None:
        """Wait until all text written so far is in the files (a failure: see `write`)."""
        self._hand_over()
        last = self._last
        if last is not None:
            with contextlib.suppress(Exception):
                await asyncio.wrap_future(last)

    def close(self) -> None:
        """Write what is left and close the files. Waits only when text did not reach the files
        yet (the step did not `drain`)."""
        self._hand_over()
        last, self._last = self._last, None
        if last is not None:
            with contextlib.suppress(Exception):
                last.result()
            if last.exception() is not None:
                log.warning("could not write a step's log", exc_info=last.exception())
        files, self._files = self._files, []
        if files:
            _writer_thread().submit(_close, files)

    def __enter__(self) -> StepLog:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _hand_over(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        if not self._pending or not self._files:
            return
        text = "".join(self._pending)
        self._pending = []
        if self._loop is None:
            _write(self._files, text)
        else:
            self._last = _writer_thread().submit(_write, self._files, text)

    def _raise_failure(self) -> None:
        """A failed write fails the step at its next write, as a write on the loop did."""
        last = self._last
        if last is not None and last.done() and last.exception() is not None:
            raise OSError("could not write the step's log") from last.exception()


def _write(files: list[IO[str]], text: str) -> None:
    text = ANSI_ESCAPES.sub("", text)
    for f in files:
        f.write(text)
        f.flush()  # to the operating system: a follower of the log reads it from there


def _close(files: list[IO[Any]]) -> None:
    for f in files:
        f.close()


def _open_log(path: Path) -> IO[str]:
    """A new, empty log at `path`, never through a symlink: a link planted where a log goes
    (a cloned repository may hold one) is replaced by the log, not followed."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW
    try:
        fd = os.open(path, flags, 0o644)
    except OSError as err:
        if err.errno != errno.ELOOP:
            raise
        os.unlink(path)
        fd = os.open(path, flags | os.O_EXCL, 0o644)
    return os.fdopen(fd, "w", encoding="utf-8")
