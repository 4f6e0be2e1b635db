"""Rate-limiting live events without delaying the first one or losing the last."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)

# Live output: at most one event per cell or stream per 25 ms, the first at once. Output that
# floods goes in fewer, larger events: after an event that carried n characters the next waits
# n / OUTPUT_PACE seconds (at most MAX_OUTPUT_INTERVAL), as each event costs the server's event
# loop a fixed price on top of its size.
OUTPUT_INTERVAL = 0.025
OUTPUT_PACE = 256 << 10  # characters per second
MAX_OUTPUT_INTERVAL = 0.25


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


class OutputThrottle(Throttle[K]):
    """A Throttle for live output: `send(key)` publishes what waits and returns how many
    characters it carried, which sets how long the key waits before its next event."""

    def __init__(self, send: Callable[[K], int]) -> None:
        super().__init__(OUTPUT_INTERVAL, self._send, self._interval)
        self._sender = send
        self._intervals: dict[K, float] = {}

    def _send(self, key: K) -> None:
        carried = self._sender(key)
        self._intervals[key] = min(MAX_OUTPUT_INTERVAL, max(OUTPUT_INTERVAL, carried / OUTPUT_PACE))

    def _interval(self, key: K) -> float:
        return self._intervals.get(key, OUTPUT_INTERVAL)
