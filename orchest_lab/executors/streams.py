"""Merging a cell's consecutive stream outputs as JupyterLab shows them, at a cost per message
that does not grow with what the cell printed before.

A cell printing megabytes in small pieces would copy its whole text at every message if each
piece were appended to the output's string at once. The pieces wait in a list instead and are
joined into the output when it is read whole: before the notebook is written, when an update
carries the cell's whole outputs, at the end of the step. An update that carries only what is
new reads the tail it needs without joining (`text_from`).
"""

from __future__ import annotations

from nbformat import NotebookNode


class _Pending:
    """The stream output that receives a cell's pieces, and the pieces not joined yet."""

    def __init__(self, output: NotebookNode) -> None:
        self.output = output
        self.pieces: list[str] = []
        self.size = 0  # characters in `pieces`


class StreamMerger:
    def __init__(self) -> None:
        self._pending: dict[int, _Pending] = {}  # by cell index

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
        if pending is None or pending.output is not before:
            self.join(index)
            pending = self._pending[index] = _Pending(before)
        pending.pieces.append(last["text"])
        pending.size += len(last["text"])

    def pending_size(self, index: int) -> int:
        """Characters of cell `index` not joined yet."""
        pending = self._pending.get(index)
        return pending.size if pending is not None else 0

    def receiver(self, index: int) -> NotebookNode | None:
        """The stream output of cell `index` whose pieces wait to be joined, if any."""
        pending = self._pending.get(index)
        return pending.output if pending is not None and pending.pieces else None

    def length(self, index: int, output: NotebookNode) -> int:
        """The length of stream output `output` of cell `index`, pieces not joined included."""
        pending = self._pending.get(index)
        extra = pending.size if pending is not None and pending.output is output else 0
        return len(output["text"]) + extra

    def text_from(self, index: int, output: NotebookNode, start: int) -> str:
        """The text of stream output `output` of cell `index` from character `start` on,
        copying only that part (not joining what waits)."""
        text: str = output["text"]
        pending = self._pending.get(index)
        if pending is None or pending.output is not output or not pending.pieces:
            return text[start:]
        pieces = pending.pieces
        if start <= len(text):
            return text[start:] + "".join(pieces)
        wanted = len(text) + pending.size - start  # the pieces' last characters
        if wanted <= 0:
            return ""
        first, taken = len(pieces), 0
        while first > 0 and taken < wanted:
            first -= 1
            taken += len(pieces[first])
        if taken <= wanted:
            return "".join(pieces[first:])
        return pieces[first][taken - wanted :] + "".join(pieces[first + 1 :])

    def join(self, index: int) -> None:
        """Make cell `index`'s outputs whole."""
        pending = self._pending.get(index)
        if pending is not None and pending.pieces:
            pending.output["text"] = pending.output["text"] + "".join(pending.pieces)
            pending.pieces.clear()
            pending.size = 0

    def join_all(self) -> None:
        for index in self._pending:
            self.join(index)

    def forget(self, index: int) -> None:
        """Cell `index`'s outputs were replaced: what waits belongs to outputs no longer there."""
        self._pending.pop(index, None)
