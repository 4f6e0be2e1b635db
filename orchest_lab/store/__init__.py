"""Durable state in SQLite, written from one background thread so the event loop never waits."""

from .runs import RunStore

__all__ = ["RunStore"]
