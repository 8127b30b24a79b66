"""Breakouts' own rules: the prior-20-session range, volume by time of day, the break, the score."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest

from bot.alerts.embed import render_embed
from bot.alerts.model import Alert, Sentiment, Tag
from bot.analytics.conditions import ConditionTable
from bot.config import BreakoutsSettings
from bot.market.calendar import MarketCalendar
from bot.polygon.models import Agg
from bot.scanners.breakouts import (
    PriorRange,
    RelativeVolume,
    SessionHours,
    VolumePace,
    breakout_alert,
    confirm,
    crossed,
    live_price,
    prior_range,
    relative_volume,
    score_breakout,
    session_extremes,
)
from tests.scanners.market_data import SESSION, daily_bar, et, flat_history, minute_bar, minute_bars, sessions_before, snapshot

DEFAULTS = BreakoutsSettings()
CALENDAR = MarketCalendar()
HALF_DAY = date(2025, 11, 28)  # the Friday after Thanksgiving closes at 13:00


def hours(day: date = SESSION) -> SessionHours:
    return SessionHours(day, CALENDAR.open_at(day), CALENDAR.close_at(day))


def levels(resistance: float = 100.0, support: float = 90.0, sma20: float = 95.0, atr: float | None = 2.0) -> PriorRange:
    return PriorRange(resistance, support, sma20, previous_close=96.0, atr=atr, sessions=20)


# --- the prior range -------------------------------------------------------------------------


def test_the_range_is_the_prior_twenty_sessions_and_nothing_else() -> None:
    history = flat_history(count=30, high=100.0, low=90.0)
    days = sessions_before(SESSION, 21)
    # A spike 21 sessions back is out of the window; today's own bar never counts.
    history[-21] = daily_bar(days[0], high=150.0, low=60.0, close=95.0)
    history.append(daily_bar(SESSION, high=140.0, low=70.0, close=120.0))
    found = prior_range(history, SESSION, sessions=20)
    assert found is not None
    assert (found.resistance, found.support) == (100.0, 90.0)
    # Twenty sessions back is inside it.
    history[-21] = daily_bar(days[0], high=100.0, low=90.0, close=95.0)
    history[-20] = daily_bar(days[1], high=104.0, low=89.0, close=95.0)
    found = prior_range(history, SESSION, sessions=20)
    assert found is not None and (found.resistance, found.support) == (104.0, 89.0)


def test_the_previous_close_and_sma20_come_from_complete_sessions() -> None:
    days = sessions_before(SESSION, 25)
    history = [daily_bar(day, high=c + 1, low=c - 1, close=c) for day, c in zip(days, range(80, 105))]
    found = prior_range([*history, daily_bar(SESSION, high=200, low=190, close=195)], SESSION, sessions=20)
    assert found is not None
    assert found.previous_close == 104
    assert found.sma20 == pytest.approx(sum(range(85, 105)) / 20)
    assert found.atr == pytest.approx(2.0)  # every true range is 2 on this steady climb


def test_a_recent_listing_has_no_range() -> None:
    assert prior_range(flat_history(count=19), SESSION, sessions=20) is None


# --- the break -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("price", "direction"),
    [(100.50, "up"), (100.49, None), (89.55, "down"), (89.56, None), (95.0, None)],
)
def test_the_price_must_clear_the_level_by_half_a_percent(price: float, direction: str | None) -> None:
    assert crossed(price, levels(), DEFAULTS) == direction


def test_the_price_must_be_on_the_right_side_of_sma20() -> None:
    # With a 10-session range the SMA20 can sit beyond it.
    short = BreakoutsSettings(lookback_sessions=10)
    assert crossed(101.0, levels(sma20=102.0), short) is None
    assert crossed(101.0, levels(sma20=99.0), short) == "up"
    assert crossed(89.0, levels(sma20=88.0), short) is None


# --- relative volume by time of day ----------------------------------------------------------


def u_shaped_session(day: date) -> list[Agg]:
    """A typical day: 5,000 shares a minute in the first half hour, 1,000 after, plus
    pre-market bars that are not regular-session volume."""
    return [
        *minute_bars(day, "08:00", "09:29", 50_000),
        *minute_bars(day, "09:30", "09:59", 5_000),
        *minute_bars(day, "10:00", "15:59", 1_000),
    ]


def pace_of(days: list[date]) -> VolumePace:
    bars = [bar for day in days for bar in u_shaped_session(day)]
    return VolumePace.from_bars(bars, [hours(day) for day in days])


def test_the_pace_is_the_average_volume_by_this_time_of_the_session() -> None:
    pace = pace_of(sessions_before(SESSION, 20))
    assert pace.sessions == 20
    assert pace.expected_after(15) == 15 * 5_000
    assert pace.expected_after(60) == 30 * 5_000 + 30 * 1_000
    assert pace.expected_after(390) == 30 * 5_000 + 360 * 1_000


def test_a_normally_busy_open_is_not_unusual_volume() -> None:
    pace = pace_of(sessions_before(SESSION, 20))
    today = u_shaped_session(SESSION)
    at_nine_forty_five = relative_volume(today, hours(), et("09:45:20"), pace)
    assert at_nine_forty_five is not None and at_nine_forty_five.ratio == pytest.approx(1.0)
    # Compared with an average minute of a whole day (≈1,300 shares), it would look 3.8× hot.


def test_relative_volume_counts_complete_minutes_only() -> None:
    pace = pace_of(sessions_before(SESSION, 20))
    today = [*minute_bars(SESSION, "09:30", "09:59", 10_000), minute_bar(et("10:00"), 900_000)]
    # At 10:00:40 the 10:00 minute is still forming: 30 minutes are compared, at twice the pace.
    found = relative_volume(today, hours(), et("10:00:40"), pace)
    assert found is not None
    assert (found.minutes, found.volume, found.expected) == (30, 300_000, 150_000)
    assert found.ratio == pytest.approx(2.0)


def test_a_delayed_feed_is_compared_over_the_minutes_it_covers() -> None:
    pace = pace_of(sessions_before(SESSION, 20))
    # At 10:45 a 15-minute delayed plan has bars up to 10:29, the newest perhaps still forming.
    delayed = [*minute_bars(SESSION, "09:30", "09:59", 10_000), *minute_bars(SESSION, "10:00", "10:29", 2_000)]
    found = relative_volume(delayed, hours(), et("10:45"), pace)
    assert found is not None and found.minutes == 59
    assert found.ratio == pytest.approx(2.0)


def test_there_is_no_relative_volume_in_the_first_minute_or_without_history() -> None:
    pace = pace_of(sessions_before(SESSION, 20))
    assert relative_volume(u_shaped_session(SESSION), hours(), et("09:30:45"), pace) is None
    assert relative_volume(u_shaped_session(SESSION), hours(), et("11:00"), VolumePace.from_bars([], [])) is None


def test_a_half_day_in_the_history_counts_only_for_the_minutes_it_had() -> None:
    days = [CALENDAR.previous_session(HALF_DAY), HALF_DAY]
    bars = [*minute_bars(days[0], "09:30", "15:59", 1_000), *minute_bars(HALF_DAY, "09:30", "12:59", 3_000)]
    pace = VolumePace.from_bars(bars, [hours(day) for day in days])
    assert pace.expected_after(60) == (60 * 1_000 + 60 * 3_000) / 2
    # After 13:00 only the full day is left to compare with, not a half day's stalled total.
    assert pace.expected_after(300) == 300 * 1_000


def test_a_session_without_bars_does_not_drag_the_pace_down() -> None:
    days = sessions_before(SESSION, 3)
    bars = [bar for day in days[:2] for bar in u_shaped_session(day)]
    pace = VolumePace.from_bars(bars, [hours(day) for day in days])
    assert pace.sessions == 2
    assert pace.expected_after(15) == 15 * 5_000


def test_the_day_range_is_the_regular_session_and_the_live_price() -> None:
    bars = [
        minute_bar(et("08:00"), 100, high=130.0, low=80.0),  # pre-market: not the session's range
        minute_bar(et("09:30"), 100, high=101.0, low=99.0),
        minute_bar(et("09:31"), 100, high=102.0, low=100.0),
    ]
    assert session_extremes(bars, hours(), 103.0) == (103.0, 99.0)


# --- the live price --------------------------------------------------------------------------


def test_the_live_price_is_the_last_sale_unless_it_cannot_set_the_price() -> None:
    table = ConditionTable.builtin()
    assert live_price(snapshot("NVDA", last=141.2, minute_close=140.9), table) == 141.2
    # An average-price print does not update the last sale: the minute bar's close stands.
    assert live_price(snapshot("NVDA", last=150.0, last_conditions=[2], minute_close=140.9), table) == 140.9
    assert live_price(snapshot("NVDA"), table) is None


# --- confirmation, score, alert --------------------------------------------------------------


def volume(ratio: float) -> RelativeVolume:
    return RelativeVolume(ratio, volume=ratio * 100_000, expected=100_000, minutes=60)


def test_a_break_needs_twice_the_usual_volume() -> None:
    assert confirm("NVDA", SESSION, 101.0, levels(), volume(1.99), (101.5, 99.0), DEFAULTS) is None
    assert confirm("NVDA", SESSION, 101.0, levels(), None, (101.5, 99.0), DEFAULTS) is None
    found = confirm("NVDA", SESSION, 101.0, levels(), volume(2.0), (101.5, 99.0), DEFAULTS)
    assert found is not None and found.direction == "up"


def test_more_volume_a_longer_reach_a_bigger_day_and_a_wider_range_score_higher() -> None:
    def scored(price: float, ratio: float, extremes: tuple[float, float]) -> dict[str, float]:
        found = confirm("NVDA", SESSION, price, levels(), volume(ratio), extremes, DEFAULTS)
        assert found is not None
        return {part.name: part.points for part in score_breakout(found)}

    mild, strong = scored(100.6, 2.0, (100.7, 99.8)), scored(104.0, 6.0, (104.5, 97.0))
    assert set(mild) == {"relative volume", "distance past level", "day change", "range vs ATR"}
    assert all(strong[name] > mild[name] for name in mild)


def test_a_breakdown_is_the_mirror_image() -> None:
    found = confirm("XYZ", SESSION, 88.0, levels(), volume(3.0), (92.0, 87.5), DEFAULTS)
    assert found is not None and found.direction == "down"
    assert found.percent_past == pytest.approx((1 - 88.0 / 90.0) * 100)
    alert = breakout_alert(found, score_breakout(found), et("11:00"))
    assert alert.tags == {Tag.BREAKDOWN} and alert.sentiment is Sentiment.BEARISH
    assert alert.broken_level == 90.0
    assert alert.dedup_key == "XYZ:BREAKDOWN:2026-03-10"


def test_the_alert_shows_the_level_the_volume_and_the_day() -> None:
    found = confirm("NVDA", SESSION, 101.2, levels(), volume(3.4), (101.5, 98.0), DEFAULTS)
    assert found is not None
    alert = breakout_alert(found, score_breakout(found), et("11:00"))
    assert alert.tags == {Tag.BREAKOUT} and alert.sentiment is Sentiment.BULLISH
    assert (alert.price, alert.resistance, alert.support, alert.sma20) == (101.2, 100.0, 90.0, 95.0)
    assert alert.relative_volume == pytest.approx(3.4)
    assert alert.change_percent == pytest.approx((101.2 / 96.0 - 1) * 100)
    text = json.dumps(render_embed(alert).to_dict(), ensure_ascii=False)
    assert "20-day high $100.00" in text and "3.4×" in text and "20-day low" in text
    assert Alert.model_validate_json(alert.to_json()) == alert


def test_days_before_the_session_are_what_the_window_is_made_of() -> None:
    # Guard against an off-by-one in the helper the tests above lean on.
    days = sessions_before(SESSION, 20)
    assert len(days) == 20 and days[-1] == CALENDAR.previous_session(SESSION)
    assert all(later - earlier >= timedelta(days=1) for earlier, later in zip(days, days[1:]))
