"""Darkpool: large off-exchange stock prints, their day's price levels, and where they sit.

A dark print is one reported to a FINRA Trade Reporting Facility: `exchange == 4` with a
`trf_id`. Prints whose price was not set by the market at that moment (average price,
contingent, prior reference price...) or that were cancelled or corrected are left out, from
the condition table; extended-hours prints are kept and tagged. A block is a print of at least
`min_shares` and `min_notional`. A dark print has no aggressor, so an alert never names a buy
or a sell side: it says where the price sat against the NBBO (or the last lit trade) when the
scanner looked.

Pure: the engine (`bot/stocks.py`) fetches the prints and the context and keeps the state.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Protocol

from bot.alerts.model import Alert, Scanner, ScoreComponent, Tag
from bot.alerts.text import money
from bot.analytics.conditions import ConditionTable
from bot.config import DarkpoolSettings
from bot.market.calendar import MarketCalendar
from bot.market.clock import from_epoch_ns
from bot.polygon.models import Agg, StockSnapshot, Trade
from bot.scanners.dark_levels import Level, LevelBook
from bot.scanners.scoring import component, linear_points, log_points, total

TRF_EXCHANGE = 4  # every FINRA TRF reports under this one exchange id
TOP_LEVELS = 3
ADV_SESSIONS = 30
YEAR_SESSIONS = 252
# A float sum of sub-penny prices can land a hair off a quoted price; closer than this is "at".
PRICE_EPSILON = 1e-6


def trade_identity(trade: Trade) -> str:
    """What tells two prints of one ticker apart: Polygon's trade id is unique only per
    (exchange, TRF), so those come with it."""
    serial = trade.id if trade.id is not None else f"{trade.sip_timestamp}/{trade.sequence_number}"
    return f"{trade.exchange}:{trade.trf_id or ''}:{serial}"


class Reported(Protocol):
    """A print as `/v3/trades` or a snapshot's `lastTrade` reports it."""

    @property
    def exchange(self) -> int | None: ...

    @property
    def trf_id(self) -> int | None: ...


def is_off_exchange(trade: Reported) -> bool:
    return trade.exchange == TRF_EXCHANGE and trade.trf_id is not None


def exclusion(trade: Trade, conditions: ConditionTable) -> str | None:
    """Why a print does not count as a dark trade at the market, or None when it does."""
    if trade.correction:
        # A non-zero SIP correction indicator: the print was later corrected, cancelled or
        # marked erroneous, or is itself such a record.
        return "corrected or cancelled"
    for code in trade.conditions:
        if conditions.is_cancel_or_correction(code):
            return "corrected or cancelled"
        if conditions.is_off_market_price(code):
            return "priced away from the market"
        if conditions.is_multi_leg_or_stock_tied(code):
            return "tied to another instrument"
    if trade.price <= 0 or trade.size <= 0:
        return "no price or size"
    return None


@dataclass(frozen=True, slots=True)
class DarkPrint:
    symbol: str
    identity: str
    price: float
    size: float
    at: datetime
    extended_hours: bool

    @property
    def notional(self) -> float:
        return self.price * self.size

    @property
    def dedup_key(self) -> str:
        return f"{self.symbol}:{self.identity}"


def dark_print(symbol: str, trade: Trade, conditions: ConditionTable, calendar: MarketCalendar) -> DarkPrint | None:
    """The print as a dark trade at the market, or None when it is lit or excluded."""
    if not is_off_exchange(trade) or exclusion(trade, conditions) is not None:
        return None
    at = from_epoch_ns(trade.sip_timestamp)
    extended = calendar.extended_hours(at) is not None or any(map(conditions.is_extended_hours, trade.conditions))
    return DarkPrint(symbol, trade_identity(trade), trade.price, trade.size, at, extended)


def is_block(print_: DarkPrint, settings: DarkpoolSettings) -> bool:
    return print_.size >= settings.min_shares and print_.notional >= settings.min_notional


# --- the cursor ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PrintCursor:
    """Where the next read of a symbol's prints starts: every print at or after `from_ns`
    except those already read at exactly `from_ns`.

    Reading with `timestamp.gte` and skipping the prints remembered at the boundary means that
    prints sharing one `sip_timestamp` across two polls (or a page end) are neither read twice
    nor lost, which `timestamp.gt` alone cannot promise.
    """

    from_ns: int
    read_at_from: frozenset[str] = frozenset()

    def unread(self, trades: Iterable[Trade]) -> list[Trade]:
        return [
            trade
            for trade in trades
            if trade.sip_timestamp > self.from_ns
            or (trade.sip_timestamp == self.from_ns and trade_identity(trade) not in self.read_at_from)
        ]

    def advanced(self, read: Sequence[Trade]) -> PrintCursor:
        """The cursor after `read` (what `unread` returned) has been handled."""
        if not read:
            return self
        last = max(trade.sip_timestamp for trade in read)
        at_last = {trade_identity(trade) for trade in read if trade.sip_timestamp == last}
        if last == self.from_ns:
            at_last |= self.read_at_from
        return PrintCursor(last, frozenset(at_last))


@dataclass(frozen=True, slots=True)
class SymbolMemory:
    """What the darkpool scanner keeps of one symbol across polls and restarts."""

    session: date
    cursor: PrintCursor
    levels: LevelBook
    polled_through_ns: int  # the upper bound of the last read

    def to_json(self) -> dict[str, Any]:
        return {
            "session": self.session.isoformat(),
            "from_ns": self.cursor.from_ns,
            "read_at_from": sorted(self.cursor.read_at_from),
            "levels": self.levels.to_json(),
            "polled_through_ns": self.polled_through_ns,
        }

    @classmethod
    def from_json(cls, stored: Mapping[str, Any]) -> SymbolMemory:
        return cls(
            session=date.fromisoformat(stored["session"]),
            cursor=PrintCursor(int(stored["from_ns"]), frozenset(stored["read_at_from"])),
            levels=LevelBook.from_json(stored["levels"]),
            polled_through_ns=int(stored["polled_through_ns"]),
        )


# --- blocks and their levels -----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Block:
    print: DarkPrint
    level: Level  # the print's own level, its rank counting this print
    nearest_prior_level: tuple[Level, float] | None  # nearest top level before this print, distance


def tally(prints: Iterable[DarkPrint], levels: LevelBook, settings: DarkpoolSettings) -> list[Block]:
    """Add every dark print to the day's levels, in time order, and return the blocks.

    A block is placed against the top levels as they stood before it: its own notional would
    otherwise make it the level it is measured against.
    """
    blocks = []
    for print_ in prints:
        before = levels.nearest_top(print_.price, TOP_LEVELS)
        levels.add(print_.price, print_.notional)
        if is_block(print_, settings):
            level = levels.level_at(print_.price)
            assert level is not None  # the print was just added there
            blocks.append(Block(print_, level, before))
    return blocks


# --- context and score -----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class YearRange:
    high: float
    low: float
    sessions: int

    @property
    def name(self) -> str:
        return "52-week" if self.sessions >= YEAR_SESSIONS else f"{self.sessions}-session"


@dataclass(frozen=True, slots=True)
class DailyContext:
    """What the daily bars say about a symbol, for scoring its blocks."""

    average_volume: float | None  # over the last ADV_SESSIONS complete sessions
    year: YearRange | None


def daily_context(history: Sequence[Agg]) -> DailyContext:
    """From complete daily bars, oldest first (today excluded)."""
    recent = [bar.v for bar in history[-ADV_SESSIONS:]]
    average = sum(recent) / len(recent) if recent and sum(recent) > 0 else None
    year = history[-YEAR_SESSIONS:]
    span = YearRange(max(bar.h for bar in year), min(bar.l for bar in year), len(year)) if year else None
    return DailyContext(average, span)


def percent_of_adv(print_: DarkPrint, context: DailyContext) -> float | None:
    if context.average_volume is None:
        return None
    return print_.size / context.average_volume * 100


def score_block(block: Block, context: DailyContext) -> list[ScoreComponent]:
    return [
        component("notional", log_points(block.print.notional, 100_000, 50_000_000, 35), money(block.print.notional)),
        _share_of_adv(percent_of_adv(block.print, context)),
        _dark_level(block),
        _year_extreme(block.print.price, context.year),
    ]


def _share_of_adv(percent: float | None) -> ScoreComponent:
    if percent is None:
        return component("share of ADV", 0, "30-day volume unavailable")
    return component("share of ADV", log_points(percent, 0.05, 5.0, 25), f"{percent:.2f}% of 30-day ADV")


def _dark_level(block: Block) -> ScoreComponent:
    if block.nearest_prior_level is None:
        return component("dark level", 0, "no dark level before it today")
    level, distance = block.nearest_prior_level
    return component(
        "dark level",
        linear_points(distance, 0.005, 0, 20),
        f"{distance:.2%} from the day's #{level.rank} dark level ${level.price:,.2f}",
    )


def _year_extreme(price: float, year: YearRange | None) -> ScoreComponent:
    name = "year high/low"
    if year is None:
        return component(name, 0, "no daily history")
    if price >= year.high:
        return component(name, 20, f"above the {year.name} high ${year.high:,.2f}")
    if price <= year.low:
        return component(name, 20, f"below the {year.name} low ${year.low:,.2f}")
    to_high, to_low = 1 - price / year.high, price / year.low - 1
    if to_high <= to_low:
        return component(name, linear_points(to_high, 0.05, 0, 20), f"{to_high:.1%} below the {year.name} high ${year.high:,.2f}")
    return component(name, linear_points(to_low, 0.05, 0, 20), f"{to_low:.1%} above the {year.name} low ${year.low:,.2f}")


# --- where the print sat ---------------------------------------------------------------------


def against_nbbo(price: float, bid: float, ask: float) -> str:
    """The print's price against a quote, said without implying who initiated it."""
    if price > ask + PRICE_EPSILON:
        where = "above the ask"
    elif price >= ask - PRICE_EPSILON:
        where = "at the ask"
    elif price < bid - PRICE_EPSILON:
        where = "below the bid"
    elif price <= bid + PRICE_EPSILON:
        where = "at the bid"
    elif abs(price - (bid + ask) / 2) <= PRICE_EPSILON:
        where = "at the mid"
    else:
        where = "between bid and ask"
    return f"{where} · NBBO {bid:,.2f}/{ask:,.2f} at scan"


def against_last_lit(price: float, last_lit: float) -> str:
    if price > last_lit + PRICE_EPSILON:
        where = "above"
    elif price < last_lit - PRICE_EPSILON:
        where = "below"
    else:
        where = "at"
    return f"{where} the last lit trade {last_lit:,.2f}"


def where_it_sat(price: float, snapshot: StockSnapshot | None) -> str | None:
    """Against the snapshot's NBBO when it has a two-sided quote, else against its last trade
    when that was a lit one; None when there is nothing honest to compare with."""
    if snapshot is None:
        return None
    quote = snapshot.last_quote
    if quote is not None and 0 < quote.bid_price <= quote.ask_price:
        return against_nbbo(price, quote.bid_price, quote.ask_price)
    last = snapshot.last_trade
    if last is not None and last.price > 0 and not is_off_exchange(last):
        return against_last_lit(price, last.price)
    return None


# --- the alert -------------------------------------------------------------------------------


def darkpool_alert(
    block: Block,
    components: list[ScoreComponent],
    context: DailyContext,
    position: str | None,
    detected_at: datetime,
) -> Alert:
    print_ = block.print
    tags = {Tag.DARK_POOL} | ({Tag.EXTENDED_HOURS} if print_.extended_hours else set())
    return Alert(
        scanner=Scanner.DARKPOOL,
        dedup_key=print_.dedup_key,
        ticker=print_.symbol,
        detected_at=detected_at,
        tags=frozenset(tags),
        price=print_.price,
        size=max(1, round(print_.size)),
        notional=print_.notional,
        percent_of_adv=percent_of_adv(print_, context),
        level_price=block.level.price,
        level_rank=block.level.rank,
        nbbo_position=position,
        extended_hours=print_.extended_hours,
        window_start=print_.at,
        window_end=max(print_.at, detected_at),
        score=total(components),
        score_components=tuple(components),
    )
