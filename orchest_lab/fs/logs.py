"""Reading a log that is still being written, from where the last read stopped."""

from __future__ import annotations

import codecs
from pathlib import Path


def read_from(path: Path | None, offset: int) -> tuple[str, int]:
    """The text from byte `offset` on, and the offset to read on from next time. An incomplete
    UTF-8 character at the end is left for the next read rather than split."""
    if path is None:
        return "", offset
    try:
        with open(path, "rb") as f:
            f.seek(offset)
            data = f.read()
    except FileNotFoundError:
        return "", offset
    decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
    text = decoder.decode(data, final=False)
    return text, offset + len(data) - len(decoder.getstate()[0])
