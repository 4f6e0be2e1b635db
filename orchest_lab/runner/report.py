"""Writing reports (protocol.py) to stdout, from any thread."""

from __future__ import annotations

import threading
from typing import Any, TextIO

from .protocol import VERSION, encode


class Reporter:
    def __init__(self, out: TextIO) -> None:
        self._out = out
        self._lock = threading.Lock()  # a script's stdout and stderr are read by two threads

    def report(self, t: str, **fields: Any) -> None:
        line = encode({"t": t, **fields})
        with self._lock:
            self._out.write(line + "\n")
            self._out.flush()  # the log is the live view: no buffering

    def start(self, kind: str, **fields: Any) -> None:
        self.report("start", v=VERSION, kind=kind, **fields)

    def end(self, status: str, **fields: Any) -> None:
        self.report("end", status=status, **fields)
