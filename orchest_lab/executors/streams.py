"""Merging a cell's consecutive stream outputs as JupyterLab shows them, at a cost per message
that does not grow with what the cell printed before.

A cell printing megabytes in small pieces would copy its whole text at every message if each
piece were appended to the output's string at once. The pieces wait in a list instead and are
joined into the output when it is read: when an event publishes the cell, before the notebook is
written, at the end of the step.
"""

from __future__ import annotations

from nbformat import NotebookNode


class StreamMerger:
    def __init__(self) -> None:
        # cell index -> (the stream output that receives the pieces, the pieces not joined yet)
        self._pending: dict[int, tuple[NotebookNode, list[str]]] = {}

    def merge(self, index: int, outputs: list[NotebookNode]) -> None:
        """Merge the newest output of cell `index` into the one before when both are the same
        stream (the newest is removed; its text waits to be joined)."""
        if len(outputs) < 2:
            return
        last, before = outputs[-1], outputs[-2]
        if before.get("output_type") != "stream" or before.get("name") != last.get("name"):
            return
        outputs.pop()
        pending = self._pending.get(index)
        if pending is None or pending[0] is not before:
            self.join(index)
            pending = self._pending[index] = (before, [])
        pending[1].append(last["text"])

    def pending_size(self, index: int) -> int:
        """Characters of cell `index` not joined yet."""
        pending = self._pending.get(index)
        return sum(map(len, pending[1])) if pending is not None else 0

    def join(self, index: int) -> None:
        """Make cell `index`'s outputs whole."""
        pending = self._pending.get(index)
        if pending is not None and pending[1]:
            output, pieces = pending
            output["text"] = output["text"] + "".join(pieces)
            pieces.clear()

    def join_all(self) -> None:
        for index in self._pending:
            self.join(index)

    def forget(self, index: int) -> None:
        """Cell `index`'s outputs were replaced: what waits belongs to outputs no longer there."""
        self._pending.pop(index, None)
