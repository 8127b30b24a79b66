"""One shared async token bucket for every Polygon request.

`rate` tokens a second refill a bucket that holds at most `burst`; each request takes one.
Callers are admitted strictly in the order they arrived: whoever is at the head of the queue
sleeps on the injected clock exactly until the next token is due (no polling), takes it, and
hands the head over to the next caller. A caller that gives up (is cancelled) while waiting
leaves the queue without costing anyone a token.
"""

from __future__ import annotations

import asyncio
from collections import deque

from bot.market.clock import Clock, WallClock

# A refill computed as `elapsed * rate` can land a hair under a whole token after sleeping
# exactly the computed time; such a token is taken rather than slept for again.
_EPSILON = 1e-9
WINDOW_SECONDS = 60.0


class TokenBucket:
    def __init__(self, rate: float, burst: int | None = None, *, clock: Clock | None = None) -> None:
        if rate <= 0:
            raise ValueError(f"rate must be positive, got {rate}")
        burst = max(1, int(rate)) if burst is None else burst
        if burst < 1:
            raise ValueError(f"burst must be at least 1, got {burst}")
        self.rate = float(rate)
        self.burst = burst
        self._clock: Clock = clock or WallClock()
        self._tokens = float(burst)
        self._updated = self._clock.monotonic()
        self._queue: deque[asyncio.Future[None]] = deque()
        self._recent: deque[float] = deque()  # admission times within the last window
        self.admitted = 0
        self.waited_seconds = 0.0
        self.max_wait_seconds = 0.0

    @property
    def waiting(self) -> int:
        """Callers queued for a token right now."""
        return len(self._queue)

    def requests_last_minute(self) -> int:
        self._forget_old(self._clock.monotonic())
        return len(self._recent)

    async def acquire(self) -> None:
        """Wait for a token, in arrival order."""
        arrived = self._clock.monotonic()
        if not self._queue and self._take(arrived):
            self._admit(arrived, arrived)
            return
        turn: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._queue.append(turn)
        try:
            if self._queue[0] is not turn:
                await turn  # set by the caller ahead when it is admitted
            while not self._take(self._clock.monotonic()):
                await self._clock.sleep((1.0 - self._tokens) / self.rate)
        except BaseException:
            was_head = self._queue[0] is turn
            self._queue.remove(turn)
            if was_head:
                self._wake_head()
            raise
        self._queue.popleft()
        self._wake_head()
        self._admit(arrived, self._clock.monotonic())

    async def __aenter__(self) -> None:
        await self.acquire()

    async def __aexit__(self, *_: object) -> None:
        return None

    def _take(self, now: float) -> bool:
        elapsed = now - self._updated
        if elapsed > 0:
            self._tokens = min(float(self.burst), self._tokens + elapsed * self.rate)
            self._updated = now
        if self._tokens >= 1.0 - _EPSILON:
            self._tokens = max(0.0, self._tokens - 1.0)
            return True
        return False

    def _wake_head(self) -> None:
        if self._queue and not self._queue[0].done():
            self._queue[0].set_result(None)

    def _admit(self, arrived: float, now: float) -> None:
        self.admitted += 1
        waited = now - arrived
        self.waited_seconds += waited
        self.max_wait_seconds = max(self.max_wait_seconds, waited)
        self._recent.append(now)
        self._forget_old(now)

    def _forget_old(self, now: float) -> None:
        horizon = now - WINDOW_SECONDS
        while self._recent and self._recent[0] <= horizon:
            self._recent.popleft()
