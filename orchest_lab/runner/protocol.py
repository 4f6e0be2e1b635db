"""What the step runner in a pod says on its stdout, and what the server reads back.

Each report is one line: PREFIX, then one JSON object. A pod's log mixes stdout and stderr, so
anything else in it (a traceback of the runner itself, a kernel's warnings) is plain text that
the server keeps in the step log. Reports, by their "t":

- `start`: {"v": VERSION, "kind": "notebook"|"script", "cells": number of cells,
  "language_info": {...}} (the last two for notebooks)
- `cell`: {"i": cell index, "state": "running"|"done"}
- `msg`: {"i": cell index, "msg_type": ..., "content": {...}}: a kernel message for that cell,
  as nbclient hands it over (outputs, execute_input, clear_output, display updates, comms)
- `stream`: {"name": "stdout"|"stderr", "text": ...}: what a script wrote
- `end`: {"status": "ok"} | {"status": "error", "ename", "evalue", "i"} (an exception in a
  cell) | {"status": "failed", "name", "message"} (the step could not run, or was stopped) |
  {"status": "exited", "code": N} (a script's exit status)

This module is imported in step images: it needs only the standard library.
"""

from __future__ import annotations

import json
from typing import Any

PREFIX = "@orchest-lab "
VERSION = 1

SKIP_TAG = "skip"  # cells tagged so do not run, locally or in a pod
# Kernel messages that change a cell's outputs (nbclient turns them into outputs).
OUTPUT_MESSAGES = frozenset(
    {"stream", "display_data", "execute_result", "error", "clear_output", "update_display_data"}
)
# How each kind of script runs; Python runs with the interpreter of the step's environment.
INTERPRETERS = {".sh": "bash", ".r": "Rscript", ".jl": "julia", ".js": "node"}


def encode(report: dict[str, Any]) -> str:
    """The line for a report (no newline). JSON escapes newlines, so a report is one line;
    default=str: kernel messages are JSON already, but for the odd datetime."""
    return PREFIX + json.dumps(report, separators=(",", ":"), default=str)


def decode(line: str) -> dict[str, Any] | None:
    """The report a line holds, or None for plain text."""
    if not line.startswith(PREFIX):
        return None
    try:
        report = json.loads(line[len(PREFIX) :])
    except ValueError:
        return None
    return report if isinstance(report, dict) and isinstance(report.get("t"), str) else None
