"""Single-flight plus a short TTL cache, keyed by the logical request.

- A fresh cached result is served with no call (a *hit*).
- A request identical to one already in flight joins it (*collapsed*): the fetch runs once,
  as its own task, and every caller gets its result or its exception. A caller that is
  cancelled does not cancel the fetch for the others.
- Otherwise the fetch runs (a *miss*); a success is kept for `ttl` seconds of the injected
  clock. Errors are never cached. `ttl <= 0` means single-flight only.
- Expired results are dropped whenever a new one is stored, and at most `max_entries` are
  kept; the oldest stored is evicted first.

Cached values are shared between callers and must be treated as read-only.
"""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Hashable
from typing import Any, TypeVar

from bot.market.clock import Clock, WallClock

T = TypeVar("T")


class ResponseCache:
    def __init__(self, *, clock: Clock | None = None, max_entries: int = 1024) -> None:
        if max_entries < 1:
            raise ValueError(f"max_entries must be at least 1, got {max_entries}")
        self._clock: Clock = clock or WallClock()
        self.max_entries = max_entries
        self._entries: OrderedDict[Hashable, tuple[float, Any]] = OrderedDict()
        self._inflight: dict[Hashable, asyncio.Task[Any]] = {}
        self.hits = 0
        self.misses = 0
        self.collapsed = 0
        self.evictions = 0

    def __len__(self) -> int:
        return len(self._entries)

    def clear(self) -> None:
        self._entries.clear()

    async def get(self, key: Hashable, ttl: float, fetch: Callable[[], Awaitable[T]]) -> T:
        now = self._clock.monotonic()
        entry = self._entries.get(key)
        if entry is not None:
            expires, value = entry
            if now < expires:
                self.hits += 1
                return value  # type: ignore[no-any-return]
            del self._entries[key]
        task = self._inflight.get(key)
        if task is not None:
            self.collapsed += 1
        else:
            self.misses += 1
            task = asyncio.ensure_future(self._run(key, ttl, fetch))
            self._inflight[key] = task
            task.add_done_callback(_consume_exception)
        return await asyncio.shield(task)  # type: ignore[no-any-return]

    async def _run(self, key: Hashable, ttl: float, fetch: Callable[[], Awaitable[T]]) -> T:
        try:
            value = await fetch()
        finally:
            self._inflight.pop(key, None)
        if ttl > 0:
            self._store(key, self._clock.monotonic() + ttl, value)
        return value

    def _store(self, key: Hashable, expires: float, value: Any) -> None:
        self._entries.pop(key, None)
        self._entries[key] = (expires, value)
        # An expired result is never served again: drop it now rather than let up to
        # `max_entries` stale chains (a key per strike window) sit in memory.
        now = self._clock.monotonic()
        for stale in [k for k, (until, _) in self._entries.items() if until <= now]:
            del self._entries[stale]
        while len(self._entries) > self.max_entries:
            self._entries.popitem(last=False)
            self.evictions += 1


def _consume_exception(task: asyncio.Task[Any]) -> None:
    # Every joiner re-raises the error; this only keeps asyncio from warning that nobody
    # retrieved it when all the callers were cancelled first.
    if not task.cancelled():
        task.exception()
