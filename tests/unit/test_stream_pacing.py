"""The pacer of client streams, on a simulated clock: the rate holds after the burst."""

from __future__ import annotations

import asyncio

import pytest

from singleview.api.stream_limits import Pacer


class SimulatedClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.now += seconds


@pytest.mark.parametrize(
    ("per_second", "burst", "messages", "elapsed"),
    [
        (100.0, 1.0, 1, 0.0),  # the first message goes at once
        (100.0, 1.0, 101, 1.0),  # then one every 10 ms
        (100.0, 10.0, 10, 0.0),  # a burst passes unpaced
        (100.0, 10.0, 110, 1.0),  # and the rate holds after it
        (20_000.0, None, 40_000, 1.9),  # the default burst is a tenth of a second
    ],
)
def test_messages_are_paced_to_the_rate(
    per_second: float, burst: float | None, messages: int, elapsed: float
) -> None:
    clock = SimulatedClock()
    pacer = Pacer(per_second, burst, clock=clock, sleep=clock.sleep)

    async def take_all() -> None:
        for _ in range(messages):
            await pacer.take()

    asyncio.run(take_all())
    assert clock.now == pytest.approx(elapsed, abs=1e-6)
