"""Stock prints and bars as the stock-scanner tests want them: realistic defaults, New York
times, one change each."""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from datetime import date, datetime, time, timedelta

from bot.market.calendar import ET, MarketCalendar
from bot.market.clock import epoch_ns
from bot.polygon.models import Agg, ShortTrade, StockBar, StockLastQuote, StockSnapshot, Trade

SESSION = date(2026, 3, 10)  # a Tuesday, a full NYSE session
DARK_TRF = 202
LIT_EXCHANGE = 11
_ids = itertools.count(1)


def et(clock_time: str, day: date = SESSION) -> datetime:
    """A New York wall time on `day`: "10:15" or "10:15:30"."""
    return datetime.combine(day, time.fromisoformat(clock_time), tzinfo=ET)


def ns(clock_time: str, day: date = SESSION) -> int:
    return epoch_ns(et(clock_time, day))


def dark(
    clock_time: str = "10:15",
    *,
    size: float = 20_000,
    price: float = 187.25,
    conditions: Sequence[int] = (),
    at_ns: int | None = None,
    day: date = SESSION,
    **changes: object,
) -> Trade:
    """A print reported to a FINRA TRF (exchange 4 with a trf_id)."""
    fields: dict[str, object] = dict(
        price=price,
        size=size,
        sip_timestamp=at_ns if at_ns is not None else ns(clock_time, day),
        exchange=4,
        trf_id=DARK_TRF,
        conditions=list(conditions),
        id=str(next(_ids)),
        tape=3,
    )
    fields.update(changes)
    return Trade(**fields)  # type: ignore[arg-type]


def lit(clock_time: str = "10:15", *, size: float = 20_000, price: float = 187.25, **changes: object) -> Trade:
    """A print on an exchange's lit book."""
    return dark(clock_time, size=size, price=price, exchange=LIT_EXCHANGE, trf_id=None, **changes)


def daily_bar(day: date, *, high: float, low: float, close: float, volume: float = 2_000_000) -> Agg:
    midnight = datetime.combine(day, time(0), tzinfo=ET)
    return Agg(o=close, h=high, l=low, c=close, v=volume, t=epoch_ns(midnight) // 1_000_000)


def sessions_before(day: date, count: int) -> list[date]:
    """The `count` NYSE sessions before `day`, oldest first."""
    calendar = MarketCalendar()
    days = calendar.sessions_between(day - timedelta(days=count * 2 + 10), day - timedelta(days=1))
    return days[-count:]


def flat_history(
    day: date = SESSION, count: int = 30, *, high: float = 100.0, low: float = 90.0, volume: float = 2_000_000
) -> list[Agg]:
    """`count` sessions before `day` trading in the same range, closing at its middle."""
    return [
        daily_bar(session, high=high, low=low, close=(high + low) / 2, volume=volume)
        for session in sessions_before(day, count)
    ]


def minute_bar(start: datetime, volume: float, *, price: float = 95.0, high: float | None = None, low: float | None = None) -> Agg:
    return Agg(
        o=price, h=high if high is not None else price, l=low if low is not None else price, c=price,
        v=volume, t=epoch_ns(start) // 1_000_000,
    )  # fmt: skip


def minute_bars(day: date, first: str, last: str, volume: float, *, price: float = 95.0) -> list[Agg]:
    """One bar a minute from `first` to `last` (both New York times, `last` included)."""
    start, end = et(first, day), et(last, day)
    count = int((end - start) / timedelta(minutes=1)) + 1
    return [minute_bar(start + timedelta(minutes=m), volume, price=price) for m in range(count)]


def snapshot(
    symbol: str,
    *,
    bid: float | None = None,
    ask: float | None = None,
    last: float | None = None,
    last_dark: bool = False,
    last_conditions: Sequence[int] = (),
    minute_close: float | None = None,
) -> StockSnapshot:
    quote = StockLastQuote(bid_price=bid, ask_price=ask) if bid is not None and ask is not None else None
    trade = None
    if last is not None:
        venue = {"exchange": 4, "trf_id": DARK_TRF} if last_dark else {"exchange": LIT_EXCHANGE}
        trade = ShortTrade(price=last, size=100, conditions=list(last_conditions), **venue)  # type: ignore[arg-type]
    bar = StockBar(c=minute_close) if minute_close is not None else None
    return StockSnapshot(ticker=symbol, last_quote=quote, last_trade=trade, min=bar)
