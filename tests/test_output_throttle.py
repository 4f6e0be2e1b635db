"""Live output that floods goes out in fewer, larger events; a little output goes at once."""

from __future__ import annotations

import pytest

from orchest_lab.executors import throttle
from orchest_lab.executors.throttle import MAX_OUTPUT_INTERVAL, OUTPUT_INTERVAL, OutputThrottle


async def test_a_stream_waits_longer_after_an_event_that_carried_much(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    clock = [100.0]
    monkeypatch.setattr(throttle.time, "monotonic", lambda: clock[0])
    waiting = {"quiet": "a line\n", "loud": "x" * (1 << 20)}
    sent: list[str] = []

    def send(key: str) -> int:
        sent.append(key)
        return len(waiting[key])

    events = OutputThrottle(send)
    events.touch("quiet")
    events.touch("loud")
    assert sent == ["quiet", "loud"]  # the first of each at once
    clock[0] += OUTPUT_INTERVAL * 1.5
    events.touch("quiet")
    events.touch("loud")
    assert sent == ["quiet", "loud", "quiet"]  # the loud one waits
    clock[0] += MAX_OUTPUT_INTERVAL
    events.flush_all()  # what waited goes out when asked, as at the end of a step
    assert sent == ["quiet", "loud", "quiet", "loud"]
    clock[0] += MAX_OUTPUT_INTERVAL
    events.touch("loud")
    assert sent[-1] == "loud" and len(sent) == 5  # never longer than the longest interval
