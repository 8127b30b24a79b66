"""Single-flight and the TTL cache on a virtual clock."""

from __future__ import annotations

import asyncio
from datetime import datetime, timezone

import pytest

from bot.market.clock import VirtualClock
from bot.polygon.cache import ResponseCache


@pytest.fixture
def clock() -> VirtualClock:
    return VirtualClock(datetime(2024, 3, 5, 15, 0, tzinfo=timezone.utc))


class Source:
    def __init__(self) -> None:
        self.calls = 0
        self.release = asyncio.Event()
        self.fail_with: Exception | None = None

    async def fetch(self) -> dict[str, int]:
        self.calls += 1
        await self.release.wait()
        if self.fail_with is not None:
            raise self.fail_with
        return {"call": self.calls}


async def test_concurrent_identical_requests_share_one_call(clock: VirtualClock) -> None:
    cache = ResponseCache(clock=clock)
    source = Source()
    waiting = [asyncio.ensure_future(cache.get("k", 2.0, source.fetch)) for _ in range(20)]
    await asyncio.sleep(0)
    source.release.set()
    results = await asyncio.gather(*waiting)
    assert source.calls == 1
    assert all(result is results[0] for result in results)
    assert (cache.misses, cache.collapsed, cache.hits) == (1, 19, 0)


async def test_all_joiners_get_the_error_and_it_is_not_cached(clock: VirtualClock) -> None:
    cache = ResponseCache(clock=clock)
    source = Source()
    source.fail_with = LookupError("boom")
    waiting = [asyncio.ensure_future(cache.get("k", 60.0, source.fetch)) for _ in range(5)]
    await asyncio.sleep(0)
    source.release.set()
    outcomes = await asyncio.gather(*waiting, return_exceptions=True)
    assert all(isinstance(o, LookupError) for o in outcomes) and source.calls == 1
    source.fail_with = None
    assert await cache.get("k", 60.0, source.fetch) == {"call": 2}


async def test_fresh_results_are_hits_until_the_ttl_passes(clock: VirtualClock) -> None:
    cache = ResponseCache(clock=clock)
    source = Source()
    source.release.set()
    first = await cache.get("k", 2.0, source.fetch)
    clock.advance(1.999)
    assert await cache.get("k", 2.0, source.fetch) is first
    assert (source.calls, cache.hits) == (1, 1)
    clock.advance(0.001)
    assert await cache.get("k", 2.0, source.fetch) == {"call": 2}
    assert (source.calls, cache.misses) == (2, 2)


async def test_zero_ttl_is_single_flight_only(clock: VirtualClock) -> None:
    cache = ResponseCache(clock=clock)
    source = Source()
    source.release.set()
    await cache.get("k", 0.0, source.fetch)
    await cache.get("k", 0.0, source.fetch)
    assert source.calls == 2 and len(cache) == 0


async def test_size_is_bounded_and_the_oldest_goes_first(clock: VirtualClock) -> None:
    cache = ResponseCache(clock=clock, max_entries=3)
    source = Source()
    source.release.set()
    for key in "abcd":
        await cache.get(key, 60.0, source.fetch)
    assert len(cache) == 3 and cache.evictions == 1
    await cache.get("b", 60.0, source.fetch)  # still cached
    assert source.calls == 4
    await cache.get("a", 60.0, source.fetch)  # evicted: fetched again
    assert source.calls == 5


async def test_a_cancelled_caller_does_not_cancel_the_shared_fetch(clock: VirtualClock) -> None:
    cache = ResponseCache(clock=clock)
    source = Source()
    leader = asyncio.ensure_future(cache.get("k", 1.0, source.fetch))
    joiner = asyncio.ensure_future(cache.get("k", 1.0, source.fetch))
    await asyncio.sleep(0)
    leader.cancel()
    await asyncio.sleep(0)
    source.release.set()
    assert await joiner == {"call": 1}
    assert leader.cancelled() and source.calls == 1


async def test_expired_results_do_not_stay_in_memory() -> None:
    clock = VirtualClock(datetime(2024, 3, 5, 15, 0, tzinfo=timezone.utc))
    cache = ResponseCache(clock=clock, max_entries=1024)

    async def fetch() -> bytes:
        return b"x" * 1000

    for key in range(100):  # a new key per refresh, as a moving strike window would make
        await cache.get(("options_chain", key), 2.0, fetch)
        clock.advance(15)
    assert len(cache) == 1
