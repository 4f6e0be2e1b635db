"""Which update a running cell sends: only what is new since its last update when it can,
its whole outputs when it must.

A cell printing fast sends an update every few tens of milliseconds. Were each to carry the
cell's whole text, a cell that printed megabytes would have the server serialise and send
megabytes many times a second. An update carries instead the text its last stream output grew
by and the outputs that came after it. A whole update goes out when the outputs changed
otherwise (cleared, a display updated in place), when the cell is done, and now and then
meanwhile, so that a notebook opened in the middle of a long cell catches up.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from nbformat import NotebookNode

from ..records import CellAppend, CellUpdate
from .streams import StreamMerger

# A whole update at least this often while a cell runs, less often as its text grows: at about
# this many characters per second, and at least every WHOLE_MAX_INTERVAL.
WHOLE_MIN_INTERVAL = 2.0
WHOLE_CHARS_PER_SECOND = 256 << 10
WHOLE_MAX_INTERVAL = 30.0


@dataclass
class _Shown:
    """What a cell's updates have shown so far."""

    seq: int
    count: int  # outputs
    last: NotebookNode | None  # the last output then
    length: int  # the length of its text then (a stream's)
    whole_at: float  # when the last whole update went


class CellUpdates:
    def __init__(self, streams: StreamMerger) -> None:
        self._streams = streams
        self._shown: dict[int, _Shown] = {}
        self._reshaped: set[int] = set()

    def forget(self, index: int) -> None:
        """Cell `index`'s outputs were replaced: its next update is whole."""
        self._shown.pop(index, None)
        self._reshaped.discard(index)

    def reshaped(self, index: int) -> None:
        """Cell `index`'s outputs changed otherwise than by a stream growing or outputs added:
        its next update is whole."""
        self._reshaped.add(index)

    def next(self, index: int, cell: NotebookNode, state: str) -> CellUpdate:
        """The update that shows cell `index` as it is now."""
        outputs: list[NotebookNode] = cell.outputs
        shown = self._shown.get(index)
        seq = shown.seq + 1 if shown is not None else 1
        now = time.monotonic()
        append = None
        if shown is not None and state == "running" and index not in self._reshaped:
            append = self._append(index, shown, outputs, now)
        self._reshaped.discard(index)
        if append is None:
            self._streams.join(index)
            last = outputs[-1] if outputs else None
            length = len(last["text"]) if last is not None and _is_stream(last) else 0
            self._shown[index] = _Shown(seq, len(outputs), last, length, now)
            return self._update(index, cell, state, seq, outputs)
        assert shown is not None
        added = outputs[shown.count :]  # new since the last update, so joining them is cheap
        if any(output is self._streams.receiver(index) for output in added):
            self._streams.join(index)
        shown.seq, shown.count, shown.last = seq, len(outputs), outputs[-1]
        shown.length = self._length(index, shown.last)
        return self._update(index, cell, state, seq, added, append)

    def _append(
        self, index: int, shown: _Shown, outputs: list[NotebookNode], now: float
    ) -> CellAppend | None:
        """What cell `index` grew by since `shown`, or None when a whole update is due."""
        if shown.count == 0 or shown.last is None:
            return None
        if len(outputs) < shown.count or outputs[shown.count - 1] is not shown.last:
            return None  # cleared and refilled
        if now - shown.whole_at >= self._whole_interval(index, outputs):
            return None
        if not _is_stream(shown.last):
            return CellAppend(shown.count - 1, "")
        if self._length(index, shown.last) < shown.length:
            return None
        return CellAppend(shown.count - 1, self._streams.text_from(index, shown.last, shown.length))

    def _whole_interval(self, index: int, outputs: list[NotebookNode]) -> float:
        size = sum(self._length(index, output) for output in outputs if _is_stream(output))
        return min(WHOLE_MAX_INTERVAL, max(WHOLE_MIN_INTERVAL, size / WHOLE_CHARS_PER_SECOND))

    def _length(self, index: int, output: NotebookNode) -> int:
        return self._streams.length(index, output) if _is_stream(output) else 0

    @staticmethod
    def _update(
        index: int,
        cell: NotebookNode,
        state: str,
        seq: int,
        outputs: list[NotebookNode],
        append: CellAppend | None = None,
    ) -> CellUpdate:
        return CellUpdate(
            index=index,
            cell_id=cell.get("id"),
            state=state,
            execution_count=cell.get("execution_count"),
            seq=seq,
            # Copies: listeners may serialise the update after the cell's outputs changed.
            outputs=[NotebookNode(output) for output in outputs],
            append=append,
        )


def _is_stream(output: NotebookNode) -> bool:
    return output.get("output_type") == "stream"
