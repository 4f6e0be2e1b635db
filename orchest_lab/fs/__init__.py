"""File-system safety: paths confined to a root, atomic writes, logs read as they grow."""

from .atomic import atomic_write_bytes, atomic_write_text
from .logs import read_from
from .paths import InvalidPath, PathOutsideRoot, is_within, real_within, resolve_within

__all__ = [
    "InvalidPath",
    "PathOutsideRoot",
    "atomic_write_bytes",
    "atomic_write_text",
    "is_within",
    "read_from",
    "real_within",
    "resolve_within",
]
