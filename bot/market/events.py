"""Flow events and the log every scanner reads through its own cursor.

One chain refresh produces one set of events, computed once. Each scanner (a consumer)
reads the log from where it last stopped, so every event reaches every scanner exactly
once whatever their schedules — the fix for the replaced design's shared baseline, where
each scanner saw "volume since anybody last looked".
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable
from itertools import islice
from dataclasses import dataclass, replace
from datetime import date, datetime


@dataclass(slots=True)
class FlowEvent:
    """What traded in one contract between two snapshots. Read-only by convention: every
    scanner reads the same object, so none may change it (derive with `replace`). It is not
    a frozen dataclass because that sets each of its 30 fields through `object.__setattr__`,
    which made one 4-6x slower to build, and the feed builds one per contract traded since
    its last refresh (benchmarks §1)."""

    underlying: str
    contract: str  # OCC ticker, e.g. O:SPY251219C00600000
    contract_type: str  # "call" or "put", from the snapshot's details, never the ticker text
    strike: float
    expiration: date
    shares_per_contract: int
    dte: int  # ET calendar days; 0 on expiration day
    contracts: float  # ΔV between the two snapshots
    premium: float  # USD: traded notional × shares_per_contract
    average_price: float
    price_source: str  # "vwap" (from the day VWAP difference) or "last_trade"
    window_start: datetime
    window_end: datetime
    session: date
    day_volume: float
    open_interest: float | None
    implied_volatility: float | None
    delta: float | None
    gamma: float | None
    theta: float | None
    vega: float | None
    bid: float | None
    ask: float | None
    last_trade_price: float | None
    underlying_price: float | None
    underlying_price_source: str  # "chain", "stock_snapshot" or "none"
    timeframe: str  # "REAL-TIME", "DELAYED" or "UNKNOWN"
    prints_after_ns: int | None = None  # see VolumeDelta: the prints behind the delta
    prints_until_ns: int | None = None
    # The premium of the contract's previous event when an order may have been printing as
    # the refresh between them came (see `OptionsFeed`): a threshold is checked on the sum
    # before the prints are read, and the prints decide.
    carried_premium: float = 0.0
    seq: int = 0

    @property
    def is_call(self) -> bool:
        return self.contract_type == "call"

    @property
    def strike_distance(self) -> float | None:
        """|strike − spot| / spot, or None without a spot."""
        if not self.underlying_price:
            return None
        return abs(self.strike - self.underlying_price) / self.underlying_price


class UnknownConsumer(KeyError):
    pass


class EventLog:
    """An append-only, sequence-numbered log with one cursor per registered consumer.

    Events every consumer has read are dropped. A consumer that stops reading cannot make
    memory grow without bound: past `max_events` the oldest go, and each consumer that had
    not read them has the loss counted in `missed` (shown in /status).
    """

    def __init__(self, consumers: Iterable[str], max_events: int = 200_000) -> None:
        self._events: deque[FlowEvent] = deque()
        self._next_seq = 1
        self._cursors = {name: 0 for name in consumers}
        self.missed = {name: 0 for name in self._cursors}
        self.max_events = max_events

    def __len__(self) -> int:
        return len(self._events)

    @property
    def last_seq(self) -> int:
        return self._next_seq - 1

    def append(self, events: Iterable[FlowEvent]) -> list[FlowEvent]:
        stamped = []
        for event in events:
            stamped.append(replace(event, seq=self._next_seq))
            self._next_seq += 1
        self._events.extend(stamped)
        while len(self._events) > self.max_events:
            dropped = self._events.popleft()
            for name, cursor in self._cursors.items():
                if cursor < dropped.seq:
                    self.missed[name] += 1
                    self._cursors[name] = dropped.seq
        return stamped

    def read(self, consumer: str) -> list[FlowEvent]:
        """Every event after the consumer's cursor, oldest first; moves the cursor."""
        if consumer not in self._cursors:
            raise UnknownConsumer(consumer)
        cursor = self._cursors[consumer]
        # Sequence numbers in the deque are contiguous, so the cursor gives the index.
        first_unread = max(0, cursor + 1 - self._events[0].seq) if self._events else 0
        unread = list(islice(self._events, first_unread, None))
        self._cursors[consumer] = self.last_seq
        self._trim()
        return unread

    def pending(self, consumer: str) -> int:
        return self.last_seq - self._cursors[consumer]

    def skip(self, consumer: str) -> None:
        """Moves the consumer's cursor past every event without reading them."""
        self._cursors[consumer] = self.last_seq
        self._trim()

    def _trim(self) -> None:
        read_by_all = min(self._cursors.values(), default=self.last_seq)
        while self._events and self._events[0].seq <= read_by_all:
            self._events.popleft()
