"""Reading one contract's tape: sweeps, splits and blocks, the aggressor side, the sentiment.

Prints are grouped when each follows the one before by less than the window (~1 s). A group
that hit two or more exchanges is a SWEEP (someone took liquidity wherever it sat); several
prints on one exchange are a SPLIT; a single print at or above the block size is a BLOCK; a
single small print is just a trade and gets no style.

The side comes from the quote rule: at or above the ask a buy, at or below the bid a sell,
in between a mid. The quote is the NBBO in force at the print (the latest one at or before its
`sip_timestamp`) when quotes are given; otherwise the snapshot's quote, and the side is then
flagged approximate. With no quote at all the side is UNKNOWN: never invented.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Literal, Protocol

from bot.analytics.conditions import ConditionTable

DEFAULT_SHARES_PER_CONTRACT = 100
NANOS_PER_SECOND = 1_000_000_000

OptionKind = Literal["call", "put"]


class Style(StrEnum):
    SWEEP = "SWEEP"
    SPLIT = "SPLIT"
    BLOCK = "BLOCK"


class Side(StrEnum):
    """Who was aggressive; the Alert model shows the same values."""

    BUY = "BUY"
    SELL = "SELL"
    MID = "MID"
    UNKNOWN = "UNKNOWN"


class Sentiment(StrEnum):
    BULLISH = "bullish"
    BEARISH = "bearish"
    NEUTRAL = "neutral"


class Print(Protocol):
    """A trade print: any object with these attributes (e.g. a `/v3/trades` row)."""

    @property
    def price(self) -> float: ...

    @property
    def size(self) -> float: ...

    @property
    def exchange(self) -> int: ...

    @property
    def conditions(self) -> Sequence[int] | None: ...

    @property
    def sip_timestamp(self) -> int: ...


class BidAsk(Protocol):
    """A quote; a side with no quote is None (a bid of 0 is a real bid)."""

    @property
    def bid_price(self) -> float | None: ...

    @property
    def ask_price(self) -> float | None: ...


class TimedBidAsk(BidAsk, Protocol):
    """An NBBO row with the time it took effect (e.g. a `/v3/quotes` row)."""

    @property
    def sip_timestamp(self) -> int: ...


@dataclass(frozen=True, slots=True)
class SnapshotQuote:
    """A snapshot's `last_quote`, put in the shape the quote rule reads."""

    bid_price: float | None
    ask_price: float | None


def quote_side(price: float, quote: BidAsk) -> Side:
    """The quote rule. A locked quote traded at its price, a crossed quote, or a one-sided
    quote traded away from its side cannot say who was aggressive."""
    bid, ask = quote.bid_price, quote.ask_price
    if ask is not None and ask <= 0:
        ask = None  # a zero offer is no offer
    if bid is not None and ask is not None and bid > ask:
        return Side.UNKNOWN
    at_ask = ask is not None and price >= ask
    at_bid = bid is not None and price <= bid
    if at_ask != at_bid:
        return Side.BUY if at_ask else Side.SELL
    return Side.MID if bid is not None and ask is not None else Side.UNKNOWN


def sentiment_of(kind: OptionKind, side: Side) -> Sentiment:
    """Calls bought and puts sold are bullish; puts bought and calls sold bearish."""
    if side not in (Side.BUY, Side.SELL):
        return Sentiment.NEUTRAL
    bought = side is Side.BUY
    return Sentiment.BULLISH if bought == (kind == "call") else Sentiment.BEARISH


@dataclass(frozen=True, slots=True)
class PrintGroup:
    style: Style | None  # None: a single print below the block size
    prints: tuple[Print, ...]  # in time order
    size: float  # contracts
    premium: float  # dollars
    vwap: float
    first_timestamp_ns: int
    last_timestamp_ns: int
    exchanges: frozenset[int]
    side: Side
    side_is_approximate: bool  # decided from the snapshot quote, not the NBBO at each print
    sentiment: Sentiment

    @property
    def fills(self) -> int:
        return len(self.prints)

    @property
    def duration_seconds(self) -> float:
        return (self.last_timestamp_ns - self.first_timestamp_ns) / NANOS_PER_SECOND


class _QuoteBook:
    """The NBBO in force at any moment, from quotes in any order."""

    def __init__(self, quotes: Iterable[TimedBidAsk], snapshot: BidAsk | None) -> None:
        self._quotes = sorted(quotes, key=lambda quote: quote.sip_timestamp)
        self._times = [quote.sip_timestamp for quote in self._quotes]
        self._snapshot = snapshot

    def side_of(self, trade: Print) -> tuple[Side, bool]:
        """The print's side, and whether it was read from the snapshot (approximate)."""
        index = bisect.bisect_right(self._times, trade.sip_timestamp)
        if index > 0:
            return quote_side(trade.price, self._quotes[index - 1]), False
        if self._snapshot is not None:
            return quote_side(trade.price, self._snapshot), True
        return Side.UNKNOWN, False


def kept_prints(prints: Iterable[Print], conditions: ConditionTable) -> list[Print]:
    """The prints worth reading, in time order: cancelled, late, multi-leg or stock-tied and
    off-market prints are dropped, and so is a malformed print with no price or size."""
    kept = [
        trade
        for trade in prints
        if trade.price > 0 and trade.size > 0 and not conditions.drops_from_flow(trade.conditions)
    ]
    return sorted(kept, key=lambda trade: trade.sip_timestamp)


def _group_side(sides: Sequence[tuple[Side, float]]) -> Side:
    # The side carrying the most contracts wins; a tie between sides says nothing (MID).
    volume = {side: 0.0 for side in (Side.BUY, Side.SELL, Side.MID)}
    for side, size in sides:
        if side in volume:
            volume[side] += size
    if not any(volume.values()):
        return Side.UNKNOWN
    top = max(volume.values())
    leaders = [side for side, size in volume.items() if size == top]
    return leaders[0] if len(leaders) == 1 else Side.MID


@dataclass(frozen=True, slots=True)
class BlockRule:
    """A lone print is a block when it is large in contracts or in dollars: 30 contracts of a
    $25 option ($75K) is as much a block as 500 contracts of a $1.50 one."""

    min_size: float = 100
    min_premium: float = 25_000

    def applies(self, size: float, premium: float) -> bool:
        return size >= self.min_size or premium >= self.min_premium


def _style(prints: Sequence[Print], exchanges: frozenset[int], lone_print_is_block: bool) -> Style | None:
    if len(exchanges) >= 2:
        return Style.SWEEP
    if len(prints) >= 2:
        return Style.SPLIT
    return Style.BLOCK if lone_print_is_block else None


def classify_prints(
    prints: Iterable[Print],
    *,
    kind: OptionKind,
    conditions: ConditionTable,
    quotes: Iterable[TimedBidAsk] | None = None,
    snapshot_quote: BidAsk | None = None,
    window_seconds: float = 1.0,
    block: BlockRule = BlockRule(),
    shares_per_contract: float = DEFAULT_SHARES_PER_CONTRACT,
) -> list[PrintGroup]:
    """Group one contract's prints and read each group's style, premium, side and sentiment."""
    if window_seconds <= 0:
        raise ValueError(f"window_seconds must be positive, got {window_seconds}")
    window_ns = window_seconds * NANOS_PER_SECOND
    book = _QuoteBook(quotes or (), snapshot_quote)
    runs: list[list[Print]] = []
    for trade in kept_prints(prints, conditions):
        if runs and trade.sip_timestamp - runs[-1][-1].sip_timestamp < window_ns:
            runs[-1].append(trade)
        else:
            runs.append([trade])
    return [_summarise(run, kind, book, block, shares_per_contract) for run in runs]


def _summarise(
    run: Sequence[Print], kind: OptionKind, book: _QuoteBook, block: BlockRule, shares_per_contract: float
) -> PrintGroup:
    size = sum(trade.size for trade in run)
    notional = sum(trade.price * trade.size for trade in run)
    exchanges = frozenset(trade.exchange for trade in run)
    reads = [book.side_of(trade) for trade in run]
    side = _group_side([(print_side, trade.size) for (print_side, _), trade in zip(reads, run)])
    approximate = side is not Side.UNKNOWN and any(from_snapshot for _, from_snapshot in reads)
    premium = notional * shares_per_contract
    return PrintGroup(
        style=_style(run, exchanges, block.applies(size, premium)),
        prints=tuple(run),
        size=size,
        premium=premium,
        vwap=notional / size,
        first_timestamp_ns=run[0].sip_timestamp,
        last_timestamp_ns=run[-1].sip_timestamp,
        exchanges=exchanges,
        side=side,
        side_is_approximate=approximate,
        sentiment=sentiment_of(kind, side),
    )
