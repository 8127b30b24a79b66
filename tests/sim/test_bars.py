from __future__ import annotations

from datetime import date, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.market.calendar import ET, MarketCalendar
from bot.sim.bars import (
    Bar,
    bars_from_prints,
    daily_history,
    historic_minutes,
    intraday_profile,
    rollup,
    split_total,
)
from bot.sim.scenario import UnderlyingSpec
from bot.sim.session import SessionTimes

SPEC = UnderlyingSpec(symbol="MSFT", price=500.0, volatility=0.3, avg_daily_volume=20_000_000)


@pytest.fixture(scope="module")
def days() -> list[SessionTimes]:
    calendar = MarketCalendar()
    sessions = calendar.sessions_between(date(2025, 10, 1), date(2025, 12, 31))
    return [SessionTimes.of(day, calendar) for day in sessions]


def test_daily_history_ends_at_the_previous_close_with_sane_bars(days: list[SessionTimes]) -> None:
    bars = daily_history(SPEC, days, seed=3)
    assert len(bars) == len(days)
    assert bars[-1].close == 500.0
    for bar, day in zip(bars, days, strict=True):
        assert bar.low <= min(bar.open, bar.close) <= max(bar.open, bar.close) <= bar.high
        assert bar.volume > 0
        assert datetime.fromtimestamp(bar.t_ms / 1000, tz=ET).replace(tzinfo=None) == datetime.combine(
            day.day, datetime.min.time()
        )


def test_a_days_minute_bars_reproduce_its_daily_bar(days: list[SessionTimes]) -> None:
    bars = daily_history(SPEC, days, seed=3)
    half_day = next(index for index, day in enumerate(days) if day.day == date(2025, 11, 28))
    for index in (0, half_day, len(days) - 1):
        daily, minutes = bars[index], historic_minutes(SPEC, days[index], bars[index], seed=3)
        assert len(minutes) == days[index].minutes  # 210 on the half day after Thanksgiving
        assert minutes[0].open == daily.open and minutes[-1].close == daily.close
        assert max(bar.high for bar in minutes) == daily.high and min(bar.low for bar in minutes) == daily.low
        assert sum(bar.volume for bar in minutes) == daily.volume
        assert [bar.t_ms for bar in minutes] == [
            days[index].open_ns // 1_000_000 + 60_000 * m for m in range(len(minutes))
        ]
    assert days[half_day].minutes == 210


def test_volume_crowds_into_the_open_and_the_close() -> None:
    profile = intraday_profile(390)
    assert sum(profile) == pytest.approx(1.0)
    assert profile[0] > profile[389] > profile[195]


@given(st.integers(0, 10**9), st.lists(st.floats(0.01, 100.0), min_size=1, max_size=50))
def test_a_total_splits_into_whole_parts_in_proportion(total: int, weights: list[float]) -> None:
    parts = split_total(total, weights)
    assert sum(parts) == total and min(parts) >= 0
    for part, weight in zip(parts, weights, strict=True):
        assert abs(part - total * weight / sum(weights)) < 1


def test_prints_aggregate_into_bars_by_bucket() -> None:
    prints = [(0, 10.0, 100), (30, 11.0, 100), (59, 9.0, 200), (60, 12.0, 50)]
    bars = bars_from_prints(prints, lambda ns: ns // 60 * 60_000)
    assert bars == [
        Bar(0, 10.0, 11.0, 9.0, 9.0, 400, 9.75, 3),
        Bar(60_000, 12.0, 12.0, 12.0, 12.0, 50, 12.0, 1),
    ]


def test_bars_roll_up_into_wider_bars() -> None:
    minutes = [
        Bar(0, 10, 11, 9, 10.5, 100, 10.0, 1),
        Bar(60_000, 10.5, 12, 10, 11, 300, 11.0, 2),
        Bar(300_000, 11, 11, 11, 11, 10, 11.0, 1),
    ]
    assert rollup(minutes, lambda t: t - t % 300_000) == [
        Bar(0, 10, 12, 9, 11, 400, 10.75, 3),
        Bar(300_000, 11, 11, 11, 11, 10, 11.0, 1),
    ]
