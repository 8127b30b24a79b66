"""`/v2/aggs/ticker/{t}/range/{m}/{span}/{from}/{to}`: bars of any width from base bars.

Base bars are 1-minute bars for minute and hour spans and daily bars for longer ones: the
seeded history before the session, then today's, aggregated from the tape up to now (stocks
have history; an option contract only has today). `limit` caps the base bars a page reads, as
Polygon documents it; a page ends on a whole bar and `next_url` continues after it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from bot.market.calendar import ET
from bot.market.clock import epoch_ns
from bot.sim.bars import Bar, minute_bars, rollup
from bot.sim.market import Book, Market
from bot.sim.queries import BadRequest, choice, integer, unpack
from bot.sim.session import NS_PER_MS
from bot.sim.tape import Tape

INTRADAY = {"minute": 60_000, "hour": 3_600_000}
CALENDAR_SPANS = ("day", "week", "month", "quarter", "year")
MS_PER_DAY = 86_400_000


@dataclass(frozen=True, slots=True)
class AggQuery:
    multiplier: int
    timespan: str
    start_ms: int  # inclusive
    end_ms: int  # inclusive
    sort: str
    limit: int
    params: dict[str, str]  # adjusted, limit and sort, for the next page's cursor


def _bound(name: str, raw: str, *, end: bool) -> int:
    """A date is its whole New York day; anything else is epoch milliseconds."""
    if raw.isdigit():
        return int(raw)
    try:
        day = date.fromisoformat(raw)
    except ValueError:
        raise BadRequest(
            f"'{name}' must be a date (YYYY-MM-DD) or a millisecond timestamp, got {raw!r}"
        ) from None
    if end:
        day += timedelta(days=1)
    return epoch_ns(datetime.combine(day, time(0), tzinfo=ET)) // NS_PER_MS - (1 if end else 0)


def agg_query(multiplier: str, timespan: str, start: str, end: str, query: Mapping[str, str]) -> AggQuery:
    params = unpack(query)
    if not multiplier.isdigit() or int(multiplier) < 1:
        raise BadRequest(f"'multiplier' must be a positive integer, got {multiplier!r}")
    if timespan not in INTRADAY and timespan not in CALENDAR_SPANS:
        spans = ", ".join([*INTRADAY, *CALENDAR_SPANS])
        raise BadRequest(f"'timespan' must be one of {spans} (the simulator has no {timespan!r} bars)")
    start_ms, end_ms = _bound("from", start, end=False), _bound("to", end, end=True)
    sort = choice(params, "sort", ("asc", "desc"), "asc")
    limit = integer(params, "limit", 5000, 1, 50000)
    adjusted = choice(params, "adjusted", ("true", "false"), "true")
    canonical = {"adjusted": adjusted, "limit": str(limit), "sort": sort}
    return AggQuery(int(multiplier), timespan, start_ms, end_ms, sort, limit, canonical)


def _calendar_bucket(timespan: str, multiplier: int) -> Callable[[int], int]:
    def bucket(t_ms: int) -> int:
        day = datetime.fromtimestamp(t_ms / 1000, tz=ET).date()
        if timespan == "day":
            start = date.fromordinal(day.toordinal() - day.toordinal() % multiplier)
        elif timespan == "week":
            sunday = day - timedelta(days=(day.weekday() + 1) % 7)
            weeks = sunday.toordinal() // 7
            start = date.fromordinal((weeks - weeks % multiplier) * 7 + sunday.toordinal() % 7)
        else:
            months = {"month": 1, "quarter": 3, "year": 12}[timespan] * multiplier
            index = day.year * 12 + day.month - 1
            index -= index % months
            start = date(index // 12, index % 12 + 1, 1)
        return epoch_ns(datetime.combine(start, time(0), tzinfo=ET)) // NS_PER_MS

    return bucket


def _bucket_of(query: AggQuery) -> Callable[[int], int]:
    width = INTRADAY.get(query.timespan)
    if width is None:
        return _calendar_bucket(query.timespan, query.multiplier)
    width *= query.multiplier
    return lambda t_ms: t_ms - t_ms % width


def _today_daily(tape: Tape, key: str, now_ns: int, day_start_ms: int) -> list[Bar]:
    day = tape.day(key, now_ns)
    if day is None:
        return []
    return [
        Bar(day_start_ms, day.open, day.high, day.low, day.close, day.volume, round(day.vwap, 4), day.trades)
    ]


def base_bars(market: Market, ticker: str, query: AggQuery, now_ns: int) -> list[Bar] | None:
    """The base bars of `ticker` between the query's bounds, oldest first (None: unknown)."""
    intraday = query.timespan in INTRADAY
    today_ms = market.session.day_start_ns // NS_PER_MS
    found = market.option(ticker)
    book: Book | None
    if found is not None:
        book, contract = found
        tape, key, history = book.option_tape, contract.ticker, []
    else:
        book = market.book(ticker)
        if book is None:
            return None
        tape, key = book.stock_tape, book.symbol
        history = _history(market, book, query, intraday)
    today = minute_bars(tape, key, now_ns) if intraday else _today_daily(tape, key, now_ns, today_ms)
    return [bar for bar in [*history, *today] if query.start_ms <= bar.t_ms <= query.end_ms]


def _history(market: Market, book: Book, query: AggQuery, intraday: bool) -> list[Bar]:
    if not intraday:
        return book.history
    bars: list[Bar] = []
    for index, day in enumerate(market.history_days):
        if day.day_end_ns // NS_PER_MS > query.start_ms and day.day_start_ns // NS_PER_MS <= query.end_ms:
            bars.extend(market.minutes(book, index))
    return bars


@dataclass(frozen=True, slots=True)
class AggPage:
    bars: list[Bar]  # in the requested order
    base_count: int
    resume_ms: int | None  # where the next page's range starts (asc) or ends (desc)


def aggregate(base: list[Bar], query: AggQuery) -> AggPage:
    """Roll base bars up to the query's width; read at most `limit` base bars, ending on a
    whole bar."""
    bucket_of = _bucket_of(query)
    ordered = base if query.sort == "asc" else base[::-1]
    taken: list[Bar] = []
    buckets: list[int] = []
    for bar in ordered:
        bucket = bucket_of(bar.t_ms)
        if len(taken) >= query.limit and bucket != buckets[-1]:
            break
        taken.append(bar)
        buckets.append(bucket)
    resume: int | None = None
    if len(taken) < len(ordered):
        resume = ordered[len(taken)].t_ms if query.sort == "asc" else buckets[-1] - 1
    bars = rollup(sorted(taken, key=lambda bar: bar.t_ms), bucket_of)
    return AggPage(bars if query.sort == "asc" else bars[::-1], len(taken), resume)
