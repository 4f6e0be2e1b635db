"""What a running notebook cell reports as it runs, to the UI and any other listener."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class CellAppend:
    """The cell's output `output`, a stream, grew by `text` (empty when only outputs after it
    are new)."""

    output: int
    text: str


@dataclass(frozen=True)
class CellUpdate:
    """A cell started, produced output or finished.

    Without `append`, `outputs` is the cell's whole output list, replacing what it showed. With
    it, the update continues the cell's update `seq - 1`: output `append.output` grew by
    `append.text` and the outputs after it are `outputs`. A listener that did not see update
    `seq - 1` waits for the next whole one (a cell sends one at least every few seconds, and
    when it is done).
    """

    index: int
    cell_id: str | None
    state: str  # "running" or "done"
    execution_count: int | None
    seq: int  # the update's number among the cell's updates in this step, from 1
    outputs: list[dict[str, Any]]  # listeners copy what they keep
    append: CellAppend | None = None

    @property
    def text_size(self) -> int:
        """The characters of stream text the update carries."""
        size = len(self.append.text) if self.append is not None else 0
        for output in self.outputs:
            text = output.get("text")
            size += len(text) if isinstance(text, str) else 0
        return size

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "index": self.index,
            "cell_id": self.cell_id,
            "state": self.state,
            "execution_count": self.execution_count,
            "seq": self.seq,
            "outputs": self.outputs,
        }
        if self.append is not None:
            data["append"] = {"output": self.append.output, "text": self.append.text}
        return data
