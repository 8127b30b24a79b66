"""Technical analysis on plain numbers: RSI, SMA, ATR, Strat candle types and combos, and
1-minute bars resampled to N-minute candles.

Indicators return one value per input, `None` where there is not yet enough data, so a
result lines up index-for-index with the series it came from. RSI and ATR follow TA-Lib
exactly (Wilder's smoothing, seeded with a simple mean), so numbers can be checked against
any charting tool built on it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta, timezone
from itertools import pairwise
from typing import Literal, Protocol

from bot.market.calendar import ET

Direction = Literal["bullish", "bearish"]
StratType = Literal["1", "2U", "2D", "3"]

SESSION_OPEN = time(9, 30)
# TA-Lib's TA_IS_ZERO: below this, gains + losses count as no movement at all.
_TA_LIB_ZERO = 1e-8


def rsi(closes: Sequence[float], period: int = 14) -> list[float | None]:
    """Wilder's RSI as TA-Lib computes it.

    The first value sits at index `period`: the mean gain and mean loss of the first `period`
    changes seed the averages, then each later change is folded in with Wilder's smoothing,
    `avg = (avg * (period - 1) + change) / period`. Only gains gives 100, only losses 0, and a
    flat series 0 as well (TA-Lib's choice when both averages are zero).
    """
    if period < 2:
        raise ValueError(f"RSI period must be at least 2, got {period}")
    out: list[float | None] = [None] * len(closes)
    if len(closes) <= period:
        return out
    avg_gain = avg_loss = 0.0
    for previous, current in pairwise(closes[: period + 1]):
        change = current - previous
        avg_gain += max(change, 0.0)
        avg_loss += max(-change, 0.0)
    avg_gain /= period
    avg_loss /= period
    out[period] = _rsi_value(avg_gain, avg_loss)
    for index in range(period + 1, len(closes)):
        change = closes[index] - closes[index - 1]
        avg_gain = (avg_gain * (period - 1) + max(change, 0.0)) / period
        avg_loss = (avg_loss * (period - 1) + max(-change, 0.0)) / period
        out[index] = _rsi_value(avg_gain, avg_loss)
    return out


def _rsi_value(avg_gain: float, avg_loss: float) -> float:
    total = avg_gain + avg_loss
    return 0.0 if abs(total) < _TA_LIB_ZERO else 100.0 * avg_gain / total


def sma(values: Sequence[float], period: int) -> list[float | None]:
    """Simple moving average of the last `period` values, first defined at `period - 1`."""
    if period < 1:
        raise ValueError(f"SMA period must be at least 1, got {period}")
    return [
        None if index + 1 < period else sum(values[index + 1 - period : index + 1]) / period
        for index in range(len(values))
    ]


def true_range(high: float, low: float, previous_close: float) -> float:
    return max(high - low, abs(high - previous_close), abs(low - previous_close))


def atr(
    highs: Sequence[float], lows: Sequence[float], closes: Sequence[float], period: int = 14
) -> list[float | None]:
    """Wilder's average true range as TA-Lib computes it: the first value, at index `period`,
    is the mean of the first `period` true ranges (the first bar has none, lacking a previous
    close); later values use Wilder's smoothing."""
    if not len(highs) == len(lows) == len(closes):
        raise ValueError("highs, lows and closes must have the same length")
    if period < 1:
        raise ValueError(f"ATR period must be at least 1, got {period}")
    out: list[float | None] = [None] * len(closes)
    if len(closes) <= period:
        return out
    ranges = [true_range(highs[i], lows[i], closes[i - 1]) for i in range(1, len(closes))]
    average = sum(ranges[:period]) / period
    out[period] = average
    for index in range(period + 1, len(closes)):
        average = (average * (period - 1) + ranges[index - 1]) / period
        out[index] = average
    return out


def strat_type(prev_high: float, prev_low: float, high: float, low: float) -> StratType:
    """The Strat's candle type against the previous candle: "1" inside, "2U" breaks only the
    high, "2D" breaks only the low, "3" outside (both). Touching the previous high or low
    exactly is not a break."""
    broke_high = high > prev_high
    broke_low = low < prev_low
    if broke_high and broke_low:
        return "3"
    if broke_high:
        return "2U"
    if broke_low:
        return "2D"
    return "1"


class PriceRange(Protocol):
    @property
    def high(self) -> float: ...

    @property
    def low(self) -> float: ...


@dataclass(frozen=True, slots=True)
class StratSignal:
    pattern: str  # "2-1-2 continuation", "2-1-2 reversal", "3-1-2", "1-2-2 rev strat", "2-2 reversal"
    direction: Direction
    types: tuple[StratType, ...]  # the candle types the pattern was read from, oldest first


_OPPOSITE: dict[StratType, StratType] = {"2U": "2D", "2D": "2U"}


def strat_combo(candles: Sequence[PriceRange]) -> StratSignal | None:
    """The Strat combo the most recent candles complete, if any.

    Pass CLOSED candles only: a forming candle can still break the other side and change its
    type. The last candle must be a directional 2; its break gives the direction (2U bullish,
    2D bearish). Three-candle patterns (which need four candles, the first one only to type the
    second) win over the two-candle 2-2 reversal they may contain.
    """
    types: list[StratType] = [
        strat_type(before.high, before.low, after.high, after.low)
        for before, after in pairwise(candles[-4:])
    ]
    if len(types) < 2 or types[-1] not in _OPPOSITE:
        return None
    last = types[-1]
    direction: Direction = "bullish" if last == "2U" else "bearish"
    if len(types) == 3:
        first, middle = types[0], types[1]
        pattern = None
        if middle == "1" and first in _OPPOSITE:
            pattern = "2-1-2 continuation" if first == last else "2-1-2 reversal"
        elif middle == "1" and first == "3":
            pattern = "3-1-2"
        elif first == "1" and middle == _OPPOSITE[last]:
            pattern = "1-2-2 rev strat"
        if pattern is not None:
            return StratSignal(pattern, direction, tuple(types))
    if types[-2] == _OPPOSITE[last]:
        return StratSignal("2-2 reversal", direction, tuple(types[-2:]))
    return None


Bar = tuple[datetime, float, float, float, float, float]
"""One bar as (start, open, high, low, close, volume); `start` timezone-aware."""


@dataclass(frozen=True, slots=True)
class Candle:
    start: datetime  # UTC
    minutes: int
    open: float
    high: float
    low: float
    close: float
    volume: float

    @property
    def end(self) -> datetime:
        return self.start + timedelta(minutes=self.minutes)


def _bucket_start(moment: datetime, minutes: int) -> datetime:
    if moment.tzinfo is None:
        raise ValueError(f"bar timestamps must be timezone-aware, got {moment.isoformat()}")
    local = moment.astimezone(ET)
    anchor = datetime.combine(local.date(), SESSION_OPEN, tzinfo=ET)
    # Floor division also places pre-market bars on the same grid (09:25, 09:20...).
    index = int((local - anchor).total_seconds() // (minutes * 60))
    return (anchor + timedelta(minutes=index * minutes)).astimezone(timezone.utc)


def resample(bars: Iterable[Bar], minutes: int, *, closed_by: datetime | None = None) -> list[Candle]:
    """N-minute candles from 1-minute bars, on a grid anchored at 09:30 ET each day.

    Minutes with no bar (no trades) are simply absent. With `closed_by`, a candle whose N
    minutes have not all passed by that moment is left out, so Strat combos only ever see
    closed candles.
    """
    if minutes < 1:
        raise ValueError(f"candle length must be at least 1 minute, got {minutes}")
    candles: list[Candle] = []
    for start, open_, high, low, close, volume in sorted(bars, key=lambda bar: bar[0]):
        bucket = _bucket_start(start, minutes)
        if candles and candles[-1].start == bucket:
            last = candles[-1]
            candles[-1] = Candle(
                start=bucket,
                minutes=minutes,
                open=last.open,
                high=max(last.high, high),
                low=min(last.low, low),
                close=close,
                volume=last.volume + volume,
            )
        else:
            candles.append(Candle(bucket, minutes, open_, high, low, close, volume))
    if closed_by is not None:
        candles = [candle for candle in candles if candle.end <= closed_by]
    return candles
