"""The token bucket on a virtual clock: burst at once, then exactly `rate` a second, in
arrival order, sleeping only until the next token is due."""

from __future__ import annotations

import asyncio
from datetime import datetime, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.market.clock import VirtualClock
from bot.polygon.limiter import TokenBucket

START = datetime(2024, 3, 5, 15, 0, tzinfo=timezone.utc)


class CountingClock(VirtualClock):
    def __init__(self) -> None:
        super().__init__(START)
        self.sleeps: list[float] = []

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        await super().sleep(seconds)


async def _admit_all(bucket: TokenBucket, clock: VirtualClock, callers: int) -> list[tuple[int, float]]:
    admitted: list[tuple[int, float]] = []

    async def caller(index: int) -> None:
        await bucket.acquire()
        admitted.append((index, clock.monotonic()))

    async def everyone() -> None:
        # Tasks start in creation order, so caller i arrives i-th.
        await asyncio.gather(*(caller(i) for i in range(callers)))

    await clock.run(everyone())
    return admitted


def _expected_times(rate: float, burst: int, callers: int) -> list[float]:
    return [0.0 if i < burst else (i - burst + 1) / rate for i in range(callers)]


async def test_burst_at_once_then_rate_per_second_in_arrival_order() -> None:
    clock = CountingClock()
    bucket = TokenBucket(rate=4.0, burst=3, clock=clock)
    admitted = await _admit_all(bucket, clock, 11)
    assert [index for index, _ in admitted] == list(range(11))
    assert [at for _, at in admitted] == pytest.approx(_expected_times(4.0, 3, 11), abs=1e-9)
    # no polling: one sleep per caller that had to wait, each exactly one token's time
    assert clock.sleeps == pytest.approx([0.25] * 8, abs=1e-9)
    assert bucket.admitted == 11
    assert bucket.waited_seconds == pytest.approx(sum(_expected_times(4.0, 3, 11)), abs=1e-6)


@settings(max_examples=40, deadline=None)
@given(
    rate=st.floats(min_value=0.05, max_value=200.0, allow_nan=False),
    burst=st.integers(min_value=1, max_value=12),
    extra=st.integers(min_value=0, max_value=25),
)
def test_admission_schedule_for_any_rate_and_burst(rate: float, burst: int, extra: int) -> None:
    async def scenario() -> list[tuple[int, float]]:
        clock = VirtualClock(START)
        return await _admit_all(TokenBucket(rate=rate, burst=burst, clock=clock), clock, burst + extra)

    admitted = asyncio.run(scenario())
    assert [index for index, _ in admitted] == list(range(burst + extra))
    expected = _expected_times(rate, burst, burst + extra)
    assert [at for _, at in admitted] == pytest.approx(expected, rel=1e-9, abs=1e-9)


async def test_tokens_refill_up_to_the_burst_only() -> None:
    clock = VirtualClock(START)
    bucket = TokenBucket(rate=2.0, burst=2, clock=clock)
    await _admit_all(bucket, clock, 2)
    clock.advance(100.0)  # idle for long: still only `burst` tokens
    base = clock.monotonic()
    admitted = await _admit_all(bucket, clock, 4)
    assert [at - base for _, at in admitted] == pytest.approx([0.0, 0.0, 0.5, 1.0], abs=1e-9)


async def test_a_cancelled_waiter_leaves_the_queue_without_costing_a_token() -> None:
    clock = VirtualClock(START)
    bucket = TokenBucket(rate=1.0, burst=1, clock=clock)
    await bucket.acquire()  # the bucket is now empty
    admitted: list[tuple[str, float]] = []

    async def caller(name: str) -> None:
        await bucket.acquire()
        admitted.append((name, clock.monotonic()))

    async def scenario() -> None:
        first = asyncio.ensure_future(caller("first"))
        second = asyncio.ensure_future(caller("second"))
        third = asyncio.ensure_future(caller("third"))
        await asyncio.sleep(0)
        await asyncio.sleep(0)
        first.cancel()  # the head gives up while sleeping for its token
        await asyncio.gather(second, third)

    await clock.run(scenario())
    assert admitted == [("second", pytest.approx(1.0)), ("third", pytest.approx(2.0))]
    assert bucket.waiting == 0


async def test_requests_in_the_last_minute_is_a_sliding_window() -> None:
    clock = VirtualClock(START)
    bucket = TokenBucket(rate=10.0, burst=10, clock=clock)
    await _admit_all(bucket, clock, 10)
    clock.advance(30.0)
    await _admit_all(bucket, clock, 5)
    assert bucket.requests_last_minute() == 15
    clock.advance(30.0)  # the first ten are now a minute old
    assert bucket.requests_last_minute() == 5
    clock.advance(30.0)
    assert bucket.requests_last_minute() == 0
    assert bucket.admitted == 15


def test_rejects_a_rate_or_burst_that_cannot_admit() -> None:
    with pytest.raises(ValueError):
        TokenBucket(rate=0.0)
    with pytest.raises(ValueError):
        TokenBucket(rate=1.0, burst=0)
    assert TokenBucket(rate=0.2).burst == 1 and TokenBucket(rate=5.0).burst == 5
