"""The server-wide cap on running steps: interactive steps go before job steps."""

from __future__ import annotations

import asyncio

from orchest_lab.runs.slots import INTERACTIVE, JOB, StepSlots


async def test_interactive_steps_overtake_waiting_job_steps() -> None:
    slots = StepSlots(1)
    order: list[str] = []
    release = asyncio.Event()

    async def step(name: str, priority: int) -> None:
        async with slots.slot(priority):
            order.append(name)
            if name == "running":
                await release.wait()

    running = asyncio.ensure_future(step("running", JOB))
    await asyncio.sleep(0)
    waiting = [asyncio.ensure_future(step(n, p)) for n, p in [("job-1", JOB), ("job-2", JOB)]]
    await asyncio.sleep(0)
    waiting.append(asyncio.ensure_future(step("interactive", INTERACTIVE)))
    await asyncio.sleep(0)
    assert slots.waiting == 3
    release.set()
    await asyncio.gather(running, *waiting)
    assert order == ["running", "interactive", "job-1", "job-2"]


async def test_a_cancelled_waiter_gives_its_turn_away() -> None:
    slots = StepSlots(1)
    hold = asyncio.Event()
    got: list[str] = []

    async def holder() -> None:
        async with slots.slot(JOB):
            await hold.wait()

    async def take(name: str) -> None:
        async with slots.slot(INTERACTIVE):
            got.append(name)

    first = asyncio.ensure_future(holder())
    await asyncio.sleep(0)
    cancelled, later = (
        asyncio.ensure_future(take("cancelled")),
        asyncio.ensure_future(take("later")),
    )
    await asyncio.sleep(0)
    cancelled.cancel()
    hold.set()
    await asyncio.gather(first, later)
    assert got == ["later"]
    # Nothing leaked: the one slot is free again, and only one.
    async with slots.slot(JOB):
        second = asyncio.ensure_future(take("second"))
        await asyncio.sleep(0)
        assert slots.waiting == 1 and got == ["later"]
    await second
    assert got == ["later", "second"]


async def test_no_limit_means_no_waiting() -> None:
    slots = StepSlots(0)
    async with slots.slot(JOB), slots.slot(JOB), slots.slot(INTERACTIVE):
        assert slots.waiting == 0
