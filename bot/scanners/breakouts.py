"""Breakouts: a stock trading through its prior 20-session range on unusual volume.

Resistance is the highest high and support the lowest low of the `lookback_sessions` complete
sessions before today; today never counts toward its own range. A breakout is the live price at
least `min_break_pct` above resistance, above the 20-session SMA, with regular-session volume
so far at least `min_relative_volume` times what the same stretch of the session averaged over
the prior 20 sessions (a morning is compared with past mornings, not with whole days). A
breakdown is the mirror image.

Pure: the engine (`bot/stocks.py`) fetches the bars and the price and remembers what fired.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Literal

from bot.alerts.model import Alert, Scanner, ScoreComponent, Sentiment, Tag
from bot.analytics.conditions import ConditionTable
from bot.analytics.ta import atr, sma
from bot.config import BreakoutsSettings
from bot.market.calendar import et_date
from bot.market.clock import from_epoch_ns
from bot.polygon.models import Agg, StockSnapshot
from bot.scanners.scoring import component, linear_points, log_points, total

Direction = Literal["up", "down"]
SMA_SESSIONS = 20
ATR_PERIOD = 14
PACE_SESSIONS = 20
MINUTE = timedelta(minutes=1)

DIRECTION_TAG: dict[Direction, Tag] = {"up": Tag.BREAKOUT, "down": Tag.BREAKDOWN}
DIRECTION_SENTIMENT: dict[Direction, Sentiment] = {"up": Sentiment.BULLISH, "down": Sentiment.BEARISH}


def bar_start(bar: Agg) -> datetime:
    return from_epoch_ns(bar.t * 1_000_000)


# --- the prior range -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PriorRange:
    resistance: float  # highest high of the window
    support: float  # lowest low of the window
    sma20: float
    previous_close: float
    atr: float | None  # ATR(14) of the daily bars, None with too little history
    sessions: int


def prior_sessions(history: Sequence[Agg], today: date) -> list[Agg]:
    """Daily bars of sessions before `today`, oldest first, whatever the caller passed."""
    return [bar for bar in history if et_date(bar_start(bar)) < today]


def prior_range(history: Sequence[Agg], today: date, sessions: int) -> PriorRange | None:
    """The range of the last `sessions` complete sessions before `today`; None when the
    history is shorter than that or than the SMA20 needs (a recent listing)."""
    prior = prior_sessions(history, today)
    if len(prior) < max(sessions, SMA_SESSIONS):
        return None
    window = prior[-sessions:]
    closes = [bar.c for bar in prior]
    average_range = atr([bar.h for bar in prior], [bar.l for bar in prior], closes, ATR_PERIOD)[-1]
    sma20 = sma(closes, SMA_SESSIONS)[-1]
    assert sma20 is not None  # enough closes, checked above
    return PriorRange(
        resistance=max(bar.h for bar in window),
        support=min(bar.l for bar in window),
        sma20=sma20,
        previous_close=closes[-1],
        atr=average_range,
        sessions=sessions,
    )


def crossed(price: float, levels: PriorRange, settings: BreakoutsSettings) -> Direction | None:
    """The direction the price broke by at least `min_break_pct`, on the side of the SMA20
    that agrees with it; None otherwise. Volume is checked after, since it costs requests."""
    margin = settings.min_break_pct / 100
    if price >= levels.resistance * (1 + margin) and price > levels.sma20:
        return "up"
    if price <= levels.support * (1 - margin) and price < levels.sma20:
        return "down"
    return None


def live_price(snapshot: StockSnapshot, conditions: ConditionTable) -> float | None:
    """The snapshot's last trade when its conditions let it set the last sale (a late or
    average-price print would fake a break), else the latest minute bar's close, else the
    day's; None when the snapshot has no price at all."""
    last = snapshot.last_trade
    if last is not None and last.price > 0 and all(map(conditions.updates_last, last.conditions or ())):
        return last.price
    for bar in (snapshot.min, snapshot.day):
        if bar is not None and bar.c > 0:
            return bar.c
    return None


# --- relative volume by time of day ----------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SessionHours:
    day: date
    open: datetime
    close: datetime

    @property
    def minutes(self) -> int:
        return int((self.close - self.open) / MINUTE)

    def minute_of(self, bar: Agg) -> int | None:
        """Which minute of the regular session a bar is (0 = the opening minute), or None."""
        start = bar_start(bar)
        if not self.open <= start < self.close:
            return None
        return int((start - self.open) / MINUTE)

    def elapsed_minutes(self, now: datetime) -> int:
        """Whole minutes of the regular session completed by `now`, within 0..minutes."""
        return max(0, min(self.minutes, int((now - self.open) / MINUTE)))


def volume_in_first(bars: Sequence[Agg], hours: SessionHours, minutes: int) -> float:
    """Volume of the first `minutes` minutes of the session (pre-market bars excluded)."""
    total_volume = 0.0
    for bar in bars:
        minute = hours.minute_of(bar)
        if minute is not None and minute < minutes:
            total_volume += bar.v
    return total_volume


class VolumePace:
    """The average cumulative regular-session volume after each elapsed minute, over prior
    sessions. A session only counts toward minutes it actually had (a half day stops at
    13:00), and a session with no bars at all (a data gap) does not count."""

    def __init__(self, cumulative_sums: list[float], session_counts: list[int]) -> None:
        self._sums = cumulative_sums
        self._counts = session_counts
        self.sessions = max(session_counts, default=0)

    @classmethod
    def from_bars(cls, bars: Sequence[Agg], sessions: Sequence[SessionHours]) -> VolumePace:
        by_day = {hours.day: hours for hours in sessions}
        per_minute: dict[date, list[float]] = {}
        for bar in bars:
            hours = by_day.get(et_date(bar_start(bar)))
            minute = None if hours is None else hours.minute_of(bar)
            if hours is not None and minute is not None:
                per_minute.setdefault(hours.day, [0.0] * hours.minutes)[minute] += bar.v
        longest = max((len(volumes) for volumes in per_minute.values()), default=0)
        sums, counts = [0.0] * (longest + 1), [0] * (longest + 1)
        for volumes in per_minute.values():
            running = 0.0
            counts[0] += 1
            for minute, volume in enumerate(volumes, start=1):
                running += volume
                sums[minute] += running
                counts[minute] += 1
        return cls(sums, counts)

    def expected_after(self, minutes: int) -> float | None:
        """Average volume of the session's first `minutes` minutes; None where unknown."""
        if not 0 < minutes < len(self._counts) or self._counts[minutes] == 0:
            return None
        return self._sums[minutes] / self._counts[minutes]


@dataclass(frozen=True, slots=True)
class RelativeVolume:
    ratio: float
    volume: float  # today's regular-session volume over `minutes`
    expected: float  # the prior sessions' average over the same minutes
    minutes: int


def relative_volume(
    today_bars: Sequence[Agg], hours: SessionHours, now: datetime, pace: VolumePace
) -> RelativeVolume | None:
    """Today's volume over the session's completed minutes against the same minutes of the
    prior sessions; None in the first minute or without a baseline.

    The newest bar may still be forming, and bars can lag the clock (a delayed plan serves
    them 15 minutes late), so the comparison stops at the start of the newest bar received:
    a delayed feed is compared over the minutes it covers, not read as a quiet market.
    """
    newest = max((minute for bar in today_bars if (minute := hours.minute_of(bar)) is not None), default=0)
    minutes = min(hours.elapsed_minutes(now), newest)
    expected = pace.expected_after(minutes)
    if not expected:
        return None
    volume = volume_in_first(today_bars, hours, minutes)
    return RelativeVolume(volume / expected, volume, expected, minutes)


def session_extremes(today_bars: Sequence[Agg], hours: SessionHours, price: float) -> tuple[float, float]:
    """Today's regular-session high and low so far, the live price included."""
    regular = [bar for bar in today_bars if hours.minute_of(bar) is not None]
    return max([price, *(bar.h for bar in regular)]), min([price, *(bar.l for bar in regular)])


# --- the finding -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Breakout:
    symbol: str
    session: date
    direction: Direction
    price: float
    levels: PriorRange
    volume: RelativeVolume
    day_high: float
    day_low: float

    @property
    def broken_level(self) -> float:
        return self.levels.resistance if self.direction == "up" else self.levels.support

    @property
    def percent_past(self) -> float:
        """How far past the broken level, in percent, positive in the break's direction."""
        past = self.price / self.broken_level - 1
        return (past if self.direction == "up" else -past) * 100

    @property
    def change_percent(self) -> float:
        return (self.price / self.levels.previous_close - 1) * 100

    @property
    def dedup_key(self) -> str:
        return f"{self.symbol}:{DIRECTION_TAG[self.direction].value}:{self.session.isoformat()}"


def confirm(
    symbol: str,
    session: date,
    price: float,
    levels: PriorRange,
    volume: RelativeVolume | None,
    extremes: tuple[float, float],
    settings: BreakoutsSettings,
) -> Breakout | None:
    """The breakout or breakdown, when price, SMA20 and relative volume all agree."""
    direction = crossed(price, levels, settings)
    if direction is None or volume is None or volume.ratio < settings.min_relative_volume:
        return None
    return Breakout(symbol, session, direction, price, levels, volume, *extremes)


def score_breakout(breakout: Breakout) -> list[ScoreComponent]:
    level_name = "20-day high" if breakout.direction == "up" else "20-day low"
    change = breakout.change_percent
    with_the_break = change if breakout.direction == "up" else -change
    return [
        component(
            "relative volume",
            log_points(breakout.volume.ratio, 1.0, 10.0, 35),
            f"{breakout.volume.ratio:.1f}× the 20-day pace",
        ),
        component(
            "distance past level",
            linear_points(breakout.percent_past, 0, 5, 25),
            f"{breakout.percent_past:.1f}% past the {level_name}",
        ),
        component("day change", linear_points(with_the_break, 0, 8, 20), f"{change:+.1f}% on the day"),
        _range_vs_atr(breakout),
    ]


def _range_vs_atr(breakout: Breakout) -> ScoreComponent:
    if not breakout.levels.atr:
        return component("range vs ATR", 0, "ATR unavailable")
    ratio = (breakout.day_high - breakout.day_low) / breakout.levels.atr
    return component("range vs ATR", linear_points(ratio, 0.5, 2.5, 20), f"today's range {ratio:.1f}× ATR(14)")


def breakout_alert(breakout: Breakout, components: list[ScoreComponent], detected_at: datetime) -> Alert:
    return Alert(
        scanner=Scanner.BREAKOUTS,
        dedup_key=breakout.dedup_key,
        ticker=breakout.symbol,
        detected_at=detected_at,
        tags=frozenset({DIRECTION_TAG[breakout.direction]}),
        sentiment=DIRECTION_SENTIMENT[breakout.direction],
        price=breakout.price,
        resistance=breakout.levels.resistance,
        support=breakout.levels.support,
        sma20=breakout.levels.sma20,
        relative_volume=breakout.volume.ratio,
        change_percent=breakout.change_percent,
        score=total(components),
        score_components=tuple(components),
    )
