"""Rate-limiting live events without delaying the first one or losing the last."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)


class Throttle(Generic[K]):
    """Calls `action(key)` at most once per `interval` per key: at once when the key has been
    quiet that long, else when the interval is over, so the latest change always goes out.
    `interval_of(key)`, when given, sets a key's interval anew at each call."""

    def __init__(
        self,
        interval: float,
        action: Callable[[K], None],
        interval_of: Callable[[K], float] | None = None,
    ) -> None:
        self.interval = interval
        self.action = action
        self.interval_of = interval_of
        self._last: dict[K, float] = {}
        self._timers: dict[K, asyncio.TimerHandle] = {}

    def touch(self, key: K) -> None:
        if key in self._timers:
            return
        interval = self.interval_of(key) if self.interval_of is not None else self.interval
        last = self._last.get(key)
        wait = -1.0 if last is None else last + interval - time.monotonic()
        if wait <= 0:
            self._fire(key)
        else:
            self._timers[key] = asyncio.get_running_loop().call_later(wait, self._fire, key)

    def flush(self, key: K) -> None:
        """Call the action now if a call for `key` is waiting."""
        timer = self._timers.pop(key, None)
        if timer is not None:
            timer.cancel()
            self._fire(key)

    def flush_all(self) -> None:
        for key in list(self._timers):
            self.flush(key)

    def _fire(self, key: K) -> None:
        self._timers.pop(key, None)
        self._last[key] = time.monotonic()
        self.action(key)
