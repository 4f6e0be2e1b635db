"""File-system safety: paths confined to a root, and atomic writes."""

from .atomic import atomic_write_bytes, atomic_write_text
from .paths import PathOutsideRoot, is_within, resolve_within

__all__ = [
    "PathOutsideRoot",
    "atomic_write_bytes",
    "atomic_write_text",
    "is_within",
    "resolve_within",
]
