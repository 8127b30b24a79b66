"""Trade-level truth for the few flow events that pass a scanner's threshold.

A snapshot cannot see a sweep. For a candidate event this fetches the contract's prints in
the event's window (and the NBBO at each print, where the plan has quotes), groups them with
`bot.analytics.tape`, and says what really traded: style, side, premium of the prints that
count. When the plan lacks trades it says so — `LARGE VOLUME`, side from the snapshot quote
flagged approximate — instead of inventing a sweep. Readings are cached per event window,
since several scanners ask about the same event.
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from dataclasses import dataclass
from datetime import timedelta

from bot.analytics.conditions import ConditionTable
from bot.analytics.tape import PrintGroup, Sentiment, Side, SnapshotQuote, Style, classify_prints, quote_side, sentiment_of
from bot.market.clock import Clock, epoch_ns
from bot.market.events import FlowEvent
from bot.polygon.client import PolygonClient
from bot.polygon.errors import NotEntitledError, PolygonError

log = logging.getLogger(__name__)

READING_CACHE_SIZE = 2048
# After a 403 the plan is asked again this much later (a user may upgrade mid-day).
ENTITLEMENT_RECHECK = timedelta(hours=1)
# The dominant group names the flow's style only when it carries most of the premium.
DOMINANT_SHARE = 0.5
QUOTE_LOOKBACK_NS = 5_000_000_000
GROUPING_WINDOW_NS = 1_000_000_000  # prints of one order: each within a second of the last


@dataclass(frozen=True, slots=True)
class TapeReading:
    style: Style | None  # None: trades seen but no sweep, split or block dominates
    trades_available: bool  # False: the plan has no trades, style and side are not from prints
    premium: float  # of the prints that count (cancelled, multi-leg... left out)
    contracts: float
    average_price: float
    side: Side
    side_is_approximate: bool
    sentiment: Sentiment
    exchanges: int
    fills: int
    groups: tuple[PrintGroup, ...] = ()


def print_bounds(event: FlowEvent) -> tuple[int, int]:
    """(after, until] in ns: the snapshots' own last-trade times where both are known, else
    the window our clock measured."""
    after = event.prints_after_ns if event.prints_after_ns is not None else epoch_ns(event.window_start)
    until = event.prints_until_ns if event.prints_until_ns is not None else epoch_ns(event.window_end)
    return after, until


class TradeReader:
    def __init__(self, client: PolygonClient, clock: Clock, conditions: ConditionTable) -> None:
        self.client = client
        self.clock = clock
        self.conditions = conditions
        self._cache: OrderedDict[tuple[str, int, int], TapeReading] = OrderedDict()
        self._not_entitled_until: dict[str, float] = {}
        self.readings = 0

    def available(self, kind: str) -> bool:
        """Whether the plan is believed to include `trades` or `quotes` right now."""
        return self.clock.monotonic() >= self._not_entitled_until.get(kind, float("-inf"))

    async def read(self, event: FlowEvent) -> TapeReading:
        key = (event.contract, *print_bounds(event))
        cached = self._cache.get(key)
        if cached is not None:
            self._cache.move_to_end(key)
            return cached
        reading = await self._read(event, key[1], key[2])
        self.readings += 1
        # A reading made without trades because of a passing error is not kept: the next
        # scanner to ask may get the prints.
        if reading.trades_available or not self.available("trades"):
            self._cache[key] = reading
            if len(self._cache) > READING_CACHE_SIZE:
                self._cache.popitem(last=False)
        return reading

    async def _read(self, event: FlowEvent, start_ns: int, end_ns: int) -> TapeReading:
        snapshot = SnapshotQuote(event.bid, event.ask)
        # A sweep can straddle a snapshot: read a grouping window either side, and keep every
        # group with a print inside the event's bounds — whole, so a $1.2M sweep cut in two by
        # a refresh is still one $1.2M sweep (dedup keeps its second half from re-alerting).
        prints = await self._fetch("trades", event, max(0, start_ns - GROUPING_WINDOW_NS), end_ns + GROUPING_WINDOW_NS)
        if prints is None:
            return self._from_snapshot(event, snapshot)
        quotes = None
        if prints:
            # The NBBO in force at the first print may have been set a little before it.
            first, last = min(p.sip_timestamp for p in prints), max(p.sip_timestamp for p in prints)
            quotes = await self._fetch("quotes", event, max(0, first - QUOTE_LOOKBACK_NS), last)
        groups = [
            group
            for group in classify_prints(
                prints,
                kind="call" if event.is_call else "put",
                conditions=self.conditions,
                quotes=quotes or (),
                snapshot_quote=snapshot,
                window_seconds=GROUPING_WINDOW_NS / 1e9,
                shares_per_contract=event.shares_per_contract,
            )
            if any(start_ns < trade.sip_timestamp <= end_ns for trade in group.prints)
        ]
        premium = sum(group.premium for group in groups)
        contracts = sum(group.size for group in groups)
        if not groups:
            return TapeReading(None, True, 0.0, 0.0, 0.0, Side.UNKNOWN, False, Sentiment.NEUTRAL, 0, 0)
        dominant = max(groups, key=lambda group: group.premium)
        style = dominant.style if dominant.premium >= DOMINANT_SHARE * premium else None
        return TapeReading(
            style=style,
            trades_available=True,
            premium=premium,
            contracts=contracts,
            average_price=premium / (contracts * event.shares_per_contract),
            side=dominant.side,
            side_is_approximate=dominant.side_is_approximate,
            sentiment=dominant.sentiment,
            exchanges=len(dominant.exchanges),
            fills=dominant.fills,
            groups=tuple(groups),
        )

    async def _fetch(self, kind: str, event: FlowEvent, start_ns: int, end_ns: int) -> list | None:
        if not self.available(kind):
            return None
        fetch = self.client.trades if kind == "trades" else self.client.quotes
        try:
            return await fetch(event.contract, timestamp_gt=start_ns, timestamp_lte=end_ns)
        except NotEntitledError:
            log.warning(
                "plan has no option %s: alerts say LARGE VOLUME and read the side from snapshots",
                kind, extra={"context": {"contract": event.contract}},
            )
            self._not_entitled_until[kind] = self.clock.monotonic() + ENTITLEMENT_RECHECK.total_seconds()
            return None
        except PolygonError as error:
            log.warning("option %s unavailable: %s", kind, error, extra={"context": {"contract": event.contract}})
            return None

    @staticmethod
    def _from_snapshot(event: FlowEvent, snapshot: SnapshotQuote) -> TapeReading:
        side = quote_side(event.average_price, snapshot)
        known = side is not Side.UNKNOWN
        return TapeReading(
            style=None,
            trades_available=False,
            premium=event.premium,
            contracts=event.contracts,
            average_price=event.average_price,
            side=side,
            side_is_approximate=known,
            sentiment=sentiment_of("call" if event.is_call else "put", side),
            exchanges=0,
            fills=0,
        )
