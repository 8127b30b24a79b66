from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.analytics.ta import Candle, atr, resample, rsi, sma, strat_combo, strat_type
from bot.market.calendar import ET

# ---------------------------------------------------------------- RSI


def test_rsi_hand_computed_with_period_3() -> None:
    # Changes +1, -0.5, +1 | -0.5, +1. Seed: gain 2/3, loss 1/6 -> RSI 80.
    # Then gain (2/3*2+0)/3 = 4/9, loss (1/6*2+0.5)/3 = 5/18 -> 100*(4/9)/(13/18) = 800/13.
    # Then gain (4/9*2+1)/3 = 17/27, loss (5/18*2)/3 = 5/27 -> 100*17/22.
    closes = [10, 11, 10.5, 11.5, 11, 12]
    expected = [None, None, None, 80.0, float(Fraction(800, 13)), float(Fraction(1700, 22))]
    assert rsi(closes, period=3) == pytest.approx(expected)


# StockCharts ChartSchool's RSI worksheet (14 periods). Its table rounds every average to
# two decimals before dividing, so it sits within 0.1 of the exact Wilder/TA-Lib values.
STOCKCHARTS_CLOSES = [
    44.34, 44.09, 44.15, 43.61, 44.33, 44.83, 45.10, 45.42, 45.84, 46.08, 45.89, 46.03, 45.61,
    46.28, 46.28, 46.00, 46.03, 46.41, 46.22, 45.64, 46.21, 46.25, 45.71, 46.45, 45.78, 45.35,
    44.03, 44.18, 44.22, 44.57, 43.42, 42.66, 43.13,
]  # fmt: skip
STOCKCHARTS_RSI = [
    70.53, 66.32, 66.55, 69.41, 66.36, 57.97, 62.93, 63.26, 56.06, 62.38, 54.71, 50.42, 39.99,
    41.46, 41.87, 45.46, 37.30, 33.08, 37.77,
]  # fmt: skip


def test_rsi_matches_the_published_stockcharts_worksheet() -> None:
    values = rsi(STOCKCHARTS_CLOSES)
    assert values[:14] == [None] * 14
    assert values[14:] == pytest.approx(STOCKCHARTS_RSI, abs=0.1)


def _reference_rsi(closes: list[float], period: int) -> list[float | None]:
    """Wilder's RSI written the textbook way: RS = avg gain / avg loss, RSI = 100 - 100/(1+RS),
    averages updated as avg += (x - avg) / period."""
    changes = [b - a for a, b in zip(closes, closes[1:])]
    out: list[float | None] = [None] * len(closes)
    if len(changes) < period:
        return out
    gain = sum(c for c in changes[:period] if c > 0) / period
    loss = sum(-c for c in changes[:period] if c < 0) / period
    for index in range(period, len(closes)):
        if index > period:
            change = changes[index - 1]
            gain += (max(change, 0) - gain) / period
            loss += (max(-change, 0) - loss) / period
        if loss == 0:
            out[index] = 100.0 if gain > 0 else 0.0
        else:
            out[index] = 100 - 100 / (1 + gain / loss)
    return out


@given(
    cents=st.lists(st.integers(100, 100_000), max_size=60),
    period=st.integers(2, 20),
)
def test_rsi_agrees_with_a_textbook_implementation(cents: list[int], period: int) -> None:
    closes = [c / 100 for c in cents]
    ours = rsi(closes, period)
    reference = _reference_rsi(closes, period)
    assert [v is None for v in ours] == [v is None for v in reference]
    assert [v for v in ours if v is not None] == pytest.approx(
        [v for v in reference if v is not None], abs=1e-6
    )


def test_rsi_extremes_follow_ta_lib() -> None:
    assert rsi(list(range(1, 20)), 14)[-1] == 100.0  # only gains
    assert rsi(list(range(20, 1, -1)), 14)[-1] == 0.0  # only losses
    assert rsi([5.0] * 20, 14)[14:] == [0.0] * 6  # flat: TA-Lib reports 0, not 50


def test_rsi_needs_more_than_period_closes() -> None:
    assert rsi([1.0] * 14, 14) == [None] * 14
    assert rsi([], 14) == []
    with pytest.raises(ValueError):
        rsi([1.0, 2.0, 3.0], 1)


# ---------------------------------------------------------------- SMA and ATR


def test_sma() -> None:
    assert sma([1, 2, 3, 4, 5], 3) == [None, None, 2.0, 3.0, 4.0]
    assert sma([1, 2], 3) == [None, None]
    with pytest.raises(ValueError):
        sma([1.0], 0)


def test_atr_hand_computed_with_period_3() -> None:
    highs = [10.0, 11.0, 11.0, 10.4, 10.5]
    lows = [9.0, 10.0, 10.5, 9.6, 9.9]
    closes = [9.5, 10.8, 10.6, 9.8, 10.4]
    # True ranges from bar 1: 1.5 (gap up from 9.5), 0.5, 1.0 (gap down from 10.6), 0.7.
    # First ATR = (1.5 + 0.5 + 1.0) / 3 = 1.0; next = (1.0 * 2 + 0.7) / 3 = 0.9.
    assert atr(highs, lows, closes, 3) == pytest.approx([None, None, None, 1.0, 0.9])


def test_atr_refuses_mismatched_series() -> None:
    with pytest.raises(ValueError):
        atr([1.0, 2.0], [1.0], [1.0, 2.0], 1)


# ---------------------------------------------------------------- Strat


@pytest.mark.parametrize(
    ("high", "low", "expected"),
    [
        (10.5, 9.5, "1"),  # inside
        (11.0, 9.0, "1"),  # equal high and low: no break at all
        (11.5, 9.5, "2U"),
        (11.5, 9.0, "2U"),  # equal low is not a break
        (10.5, 8.5, "2D"),
        (11.0, 8.5, "2D"),  # equal high is not a break
        (11.5, 8.5, "3"),
    ],
)
def test_strat_type_against_a_previous_candle_of_11_to_9(high: float, low: float, expected: str) -> None:
    assert strat_type(11.0, 9.0, high, low) == expected


@dataclass(frozen=True)
class Range:
    high: float
    low: float


BASE = Range(10.0, 9.0)


@pytest.mark.parametrize(
    ("candles", "pattern", "direction"),
    [
        ([BASE, Range(11, 9.5), Range(10.8, 9.8), Range(11.2, 10)], "2-1-2 continuation", "bullish"),
        ([BASE, Range(9.8, 8.5), Range(9.5, 8.8), Range(9.2, 8.6)], "2-1-2 continuation", "bearish"),
        ([BASE, Range(11, 9.5), Range(10.8, 9.8), Range(10.5, 9.7)], "2-1-2 reversal", "bearish"),
        ([BASE, Range(9.8, 8.5), Range(9.5, 8.8), Range(9.7, 8.9)], "2-1-2 reversal", "bullish"),
        ([BASE, Range(11, 8.5), Range(10.5, 9), Range(10, 8.8)], "3-1-2", "bearish"),
        ([BASE, Range(11, 8.5), Range(10.5, 9), Range(10.7, 9.2)], "3-1-2", "bullish"),
        ([BASE, Range(9.8, 9.2), Range(9.5, 9.0), Range(9.7, 9.1)], "1-2-2 rev strat", "bullish"),
        ([BASE, Range(9.8, 9.2), Range(9.9, 9.4), Range(9.6, 9.3)], "1-2-2 rev strat", "bearish"),
        ([BASE, Range(9.8, 8.5), Range(10.2, 8.7)], "2-2 reversal", "bullish"),
        ([BASE, Range(10.5, 9.2), Range(10.3, 9.0)], "2-2 reversal", "bearish"),
        # An outside bar before a 2-2 is no three-candle pattern, but the 2-2 still counts.
        ([BASE, Range(11, 8), Range(10, 7.5), Range(10.5, 7.8)], "2-2 reversal", "bullish"),
    ],
)
def test_strat_combos(candles: list[Range], pattern: str, direction: str) -> None:
    signal = strat_combo(candles)
    assert signal is not None
    assert (signal.pattern, signal.direction) == (pattern, direction)


@pytest.mark.parametrize(
    "candles",
    [
        [BASE, Range(11, 9.5), Range(10.8, 9.8)],  # ends on an inside bar
        [BASE, Range(11, 9.5), Range(11.5, 8)],  # ends on an outside bar
        [BASE, Range(11, 9.5), Range(11.5, 9.6)],  # 2U then 2U: continuation, no combo
        [BASE, Range(11, 9.5)],  # too few candles to read two types
        [BASE, Range(11, 9.5), Range(10.8, 9.8), Range(10.8, 10)],  # equal high: still inside
    ],
)
def test_no_combo(candles: list[Range]) -> None:
    assert strat_combo(candles) is None


def test_combo_reads_only_the_latest_candles() -> None:
    recent = [Range(9.5, 8.0), BASE, Range(9.8, 8.5), Range(10.2, 8.7)]  # 2U, 2D, 2U
    history = [Range(20, 1)] * 5  # would make BASE an inside bar if it were read
    signal = strat_combo(history + recent)
    assert signal == strat_combo(recent)
    assert signal is not None and signal.pattern == "2-2 reversal"


# ---------------------------------------------------------------- resampling


def _et(day: tuple[int, int, int], hour: int, minute: int) -> datetime:
    return datetime(*day, hour, minute, tzinfo=ET)


MONDAY_AFTER_DST = (2026, 3, 9)  # New York on EDT: 09:30 ET is 13:30 UTC
FRIDAY_BEFORE_DST = (2026, 3, 6)  # still EST: 09:30 ET is 14:30 UTC


def _minute_bars(day: tuple[int, int, int], start: tuple[int, int], closes: list[float]):
    first = _et(day, *start)
    return [
        (first + timedelta(minutes=i), c - 0.05, c + 0.10, c - 0.20, c, 100.0 * (i + 1))
        for i, c in enumerate(closes)
    ]


def test_five_minute_candles_start_at_the_session_open() -> None:
    bars = _minute_bars(MONDAY_AFTER_DST, (9, 30), [10.0, 10.2, 10.1, 10.4, 10.3, 10.5, 10.6, 10.2, 10.3, 10.4])
    first, second = resample(bars, 5)
    assert first == Candle(
        start=datetime(2026, 3, 9, 13, 30, tzinfo=timezone.utc),
        minutes=5,
        open=10.0 - 0.05,
        high=10.4 + 0.10,
        low=10.0 - 0.20,
        close=10.3,
        volume=100 + 200 + 300 + 400 + 500,
    )
    assert second.start == datetime(2026, 3, 9, 13, 35, tzinfo=timezone.utc)
    assert (second.open, second.high, second.low, second.close) == (10.5 - 0.05, 10.6 + 0.10, 10.2 - 0.20, 10.4)
    assert second.volume == 600 + 700 + 800 + 900 + 1000


def test_grid_follows_new_york_across_daylight_saving() -> None:
    bars = _minute_bars(FRIDAY_BEFORE_DST, (9, 32), [10.0, 10.1, 10.2])
    (candle,) = resample(bars, 5)
    assert candle.start == datetime(2026, 3, 6, 14, 30, tzinfo=timezone.utc)
    assert candle.open == 10.0 - 0.05  # the first bar present opens the candle


def test_missing_minutes_and_unsorted_input() -> None:
    bars = _minute_bars(MONDAY_AFTER_DST, (9, 30), [10.0, 10.2, 10.1, 10.4, 10.3])
    sparse = [bars[3], bars[0], bars[4]]
    (candle,) = resample(sparse, 5)
    assert (candle.open, candle.close, candle.volume) == (10.0 - 0.05, 10.3, 100 + 400 + 500)


def test_pre_market_bars_sit_on_the_same_grid() -> None:
    bars = _minute_bars(MONDAY_AFTER_DST, (9, 28), [10.0, 10.1, 10.2])
    candles = resample(bars, 5)
    assert [c.start.astimezone(ET).strftime("%H:%M") for c in candles] == ["09:25", "09:30"]


def test_only_closed_candles_when_asked() -> None:
    bars = _minute_bars(MONDAY_AFTER_DST, (9, 30), [10.0] * 7)  # 09:30..09:36
    almost = _et(MONDAY_AFTER_DST, 9, 34) + timedelta(seconds=59)
    assert resample(bars, 5, closed_by=almost) == []
    closed = resample(bars, 5, closed_by=_et(MONDAY_AFTER_DST, 9, 35))
    assert [c.start.astimezone(ET).strftime("%H:%M") for c in closed] == ["09:30"]
    assert len(resample(bars, 5)) == 2  # without a cut-off the forming candle is included


def test_resample_refuses_naive_timestamps_and_empty_lengths() -> None:
    with pytest.raises(ValueError):
        resample([(datetime(2026, 3, 9, 9, 30), 1.0, 1.0, 1.0, 1.0, 1.0)], 5)
    with pytest.raises(ValueError):
        resample([], 0)
