"""Durable state in SQLite, written from one background thread so the event loop never waits."""

from .database import Database
from .runs import RunStore

__all__ = ["Database", "RunStore"]
