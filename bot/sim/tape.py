"""The day's prints, stored by column, grouped by instrument and time-ordered within each.

One `Tape` holds either all option contracts of one underlying or one stock. The whole day
is generated up front (it is all seeded); what the clock has not reached yet is simply not
served. Running sums (volume, notional, high, low) are kept per print, so the day aggregate
at any moment is one binary search: the snapshot's `day` and the sums over `/v3/trades` are
the same numbers by construction.
"""

from __future__ import annotations

import bisect
from array import array
from collections.abc import Sequence
from dataclasses import dataclass

NO_TRF = 0


@dataclass(frozen=True, slots=True)
class Print:
    ts: int  # sip_timestamp, ns
    price: float
    size: int
    exchange: int
    conditions: tuple[int, ...] = ()
    trf_id: int = NO_TRF  # stocks: the FINRA facility a dark print was reported to
    tag: str | None = None  # the planted event this print belongs to (never served)


@dataclass(frozen=True, slots=True)
class DayAggregate:
    volume: int
    vwap: float
    open: float
    high: float
    low: float
    close: float
    trades: int
    last_index: int  # the most recent print included


class Tape:
    def __init__(self) -> None:
        self.ts = array("q")
        self.price = array("d")
        self.size = array("q")
        self.exchange = array("h")
        self.trf_id = array("h")
        self.condition_set = array("H")
        self.condition_sets: list[tuple[int, ...]] = []
        self._condition_index: dict[tuple[int, ...], int] = {}
        self.cum_size = array("q")
        self.cum_notional = array("d")
        self.run_high = array("d")
        self.run_low = array("d")
        self._spans: dict[str, tuple[int, int]] = {}
        self.tagged: dict[str, list[int]] = {}

    def add(self, key: str, prints: Sequence[Print]) -> None:
        """Append one instrument's prints; they must not be added again."""
        if key in self._spans:
            raise ValueError(f"{key} is already on this tape")
        start = len(self.ts)
        if not prints:  # most far contracts never trade
            self._spans[key] = (start, start)
            return
        volume, notional, high, low = 0, 0.0, float("-inf"), float("inf")
        for item in sorted(prints, key=lambda p: p.ts):
            index = len(self.ts)
            self.ts.append(item.ts)
            self.price.append(item.price)
            self.size.append(item.size)
            self.exchange.append(item.exchange)
            self.trf_id.append(item.trf_id)
            self.condition_set.append(self._conditions_id(item.conditions))
            volume += item.size
            notional += item.price * item.size
            high, low = max(high, item.price), min(low, item.price)
            self.cum_size.append(volume)
            self.cum_notional.append(notional)
            self.run_high.append(high)
            self.run_low.append(low)
            if item.tag is not None:
                self.tagged.setdefault(item.tag, []).append(index)
        self._spans[key] = (start, len(self.ts))

    def _conditions_id(self, conditions: tuple[int, ...]) -> int:
        found = self._condition_index.get(conditions)
        if found is None:
            found = self._condition_index[conditions] = len(self.condition_sets)
            self.condition_sets.append(conditions)
        return found

    def span(self, key: str) -> tuple[int, int]:
        """The instrument's print indices [start, end); empty when it never trades."""
        return self._spans.get(key, (0, 0))

    def conditions(self, index: int) -> tuple[int, ...]:
        return self.condition_sets[self.condition_set[index]]

    def sequence(self, index: int, key: str) -> int:
        """1-based position of a print in its instrument's day."""
        return index - self.span(key)[0] + 1

    def window(self, key: str, after_ns: int, until_ns: int) -> tuple[int, int]:
        """Indices of the instrument's prints with after_ns < ts <= until_ns."""
        start, end = self.span(key)
        return (
            bisect.bisect_right(self.ts, after_ns, start, end),
            bisect.bisect_right(self.ts, until_ns, start, end),
        )

    def day(self, key: str, until_ns: int) -> DayAggregate | None:
        """The session so far: every print of the instrument at or before `until_ns`."""
        start, end = self.span(key)
        stop = bisect.bisect_right(self.ts, until_ns, start, end)
        if stop == start:
            return None
        last = stop - 1
        volume = self.cum_size[last]
        return DayAggregate(
            volume,
            self.cum_notional[last] / volume,
            self.price[start],
            self.run_high[last],
            self.run_low[last],
            self.price[last],
            stop - start,
            last,
        )
