"""Injected time.

Everything that reads the clock takes a `Clock`, so the same code runs live (wall clock), in
the demo (a scaled clock: a trading hour in a minute) and in replay and tests (a virtual clock
that only moves when told to, so nothing sleeps and every run is deterministic).
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
import time
from datetime import datetime, timedelta, timezone
from collections.abc import Awaitable
from typing import Protocol, TypeVar

T = TypeVar("T")


class Clock(Protocol):
    def now(self) -> datetime:
        """The current time, timezone-aware (UTC)."""

    def monotonic(self) -> float:
        """Seconds on a clock that never goes backwards; only differences mean anything."""

    async def sleep(self, seconds: float) -> None:
        """Wait `seconds` of this clock's time."""


def epoch_ns(moment: datetime) -> int:
    """Nanoseconds since the Unix epoch, the unit of Polygon's `sip_timestamp`."""
    return int(moment.timestamp() * 1_000_000) * 1000


def from_epoch_ns(ns: int) -> datetime:
    return datetime.fromtimestamp(ns / 1e9, tz=timezone.utc)


class WallClock:
    def now(self) -> datetime:
        return datetime.now(timezone.utc)

    def monotonic(self) -> float:
        return time.monotonic()

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(max(0.0, seconds))


class ScaledClock:
    """Market time that runs `speed` times faster than the wall, from `start`."""

    def __init__(self, start: datetime, speed: float = 1.0) -> None:
        if speed <= 0:
            raise ValueError(f"speed must be positive, got {speed}")
        if start.tzinfo is None:
            raise ValueError("start must be timezone-aware")
        self._start = start
        self.speed = speed
        self._wall_start = time.monotonic()

    def restart(self) -> None:
        """Start market time at `start` again from this wall moment (after slow set-up)."""
        self._wall_start = time.monotonic()

    def monotonic(self) -> float:
        return (time.monotonic() - self._wall_start) * self.speed

    def now(self) -> datetime:
        return self._start + timedelta(seconds=self.monotonic())

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(max(0.0, seconds) / self.speed)


class VirtualClock:
    """A clock that moves only through `advance`.

    Sleepers wake in deadline order, ties in the order they began to sleep, so code that
    waits on this clock is deterministic.
    """

    def __init__(self, start: datetime) -> None:
        if start.tzinfo is None:
            raise ValueError("start must be timezone-aware")
        self._start = start
        self._elapsed = 0.0
        self._sleepers: list[tuple[float, int, asyncio.Future[None]]] = []
        self._order = itertools.count()

    def now(self) -> datetime:
        return self._start + timedelta(seconds=self._elapsed)

    def monotonic(self) -> float:
        return self._elapsed

    async def sleep(self, seconds: float) -> None:
        if seconds <= 0:
            await asyncio.sleep(0)
            return
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        heapq.heappush(self._sleepers, (self._elapsed + seconds, next(self._order), future))
        await future

    def next_deadline(self) -> float | None:
        """Seconds until the earliest sleeper wakes, or None when nobody sleeps."""
        while self._sleepers and self._sleepers[0][2].done():
            heapq.heappop(self._sleepers)  # cancelled sleepers
        return self._sleepers[0][0] - self._elapsed if self._sleepers else None

    def advance(self, seconds: float) -> None:
        if seconds < 0:
            raise ValueError("a clock does not go backwards")
        self._elapsed += seconds
        while self._sleepers and self._sleepers[0][0] <= self._elapsed:
            _, _, future = heapq.heappop(self._sleepers)
            if not future.done():
                future.set_result(None)

    def set(self, moment: datetime) -> None:
        """Advance to `moment` (not before now)."""
        self.advance((moment - self.now()).total_seconds())

    async def run(self, awaitable: Awaitable[T], *, idle_poll: float = 0.0005) -> T:
        """Run `awaitable`, jumping the clock to the next deadline whenever it sleeps.

        While nobody sleeps on this clock, only real I/O (a loopback HTTP call, say) can make
        progress, so it is given wall time in `idle_poll` slices; as soon as something sleeps,
        the clock jumps to it. A test or a replay sees retries, back-offs and rate limits
        play out in order without waiting for them.
        """
        task = asyncio.ensure_future(awaitable)
        try:
            while not task.done():
                await asyncio.sleep(0)
                gap = self.next_deadline()
                if gap is None:
                    await asyncio.sleep(idle_poll)
                elif not task.done():
                    self.advance(gap)
            return task.result()
        finally:
            task.cancel()
