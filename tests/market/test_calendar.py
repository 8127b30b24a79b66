from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import date, datetime, timedelta, timezone

import pytest

from bot.market.calendar import (
    ET,
    EXCHANGE,
    FIRST_DAY,
    LAST_DAY,
    CalendarUnavailable,
    MarketCalendar,
    NotASession,
    OutsideCalendar,
    dte,
    et_date,
    exchange_sessions,
    expires_at,
    years_to_expiry,
)

UTC = timezone.utc
CALENDAR = MarketCalendar()


def et(y: int, mo: int, d: int, h: int = 12, mi: int = 0) -> datetime:
    return datetime(y, mo, d, h, mi, tzinfo=ET)


# ------------------------------------------------------------ holidays and half days (issue 7)


def test_national_day_of_mourning_2025_01_09_is_closed() -> None:
    day = date(2025, 1, 9)
    assert not CALENDAR.is_session(day)
    assert CALENDAR.session_for(et(2025, 1, 9, 11)) is None
    assert not CALENDAR.is_open(et(2025, 1, 9, 11))
    assert not CALENDAR.is_open(et(2025, 1, 9, 11), extended=True)
    assert not CALENDAR.options_open(et(2025, 1, 9, 11), index=True)
    assert CALENDAR.next_session(date(2025, 1, 8)) == date(2025, 1, 10)
    with pytest.raises(NotASession):
        CALENDAR.open_at(day)


def test_2025_07_03_closes_at_13_00() -> None:
    day = date(2025, 7, 3)
    assert CALENDAR.is_half_day(day)
    assert CALENDAR.open_at(day) == et(2025, 7, 3, 9, 30)
    assert CALENDAR.close_at(day) == et(2025, 7, 3, 13, 0)
    assert CALENDAR.is_open(et(2025, 7, 3, 12, 59))
    assert not CALENDAR.is_open(et(2025, 7, 3, 13, 0))
    assert not CALENDAR.options_open(et(2025, 7, 3, 13, 5))
    assert CALENDAR.options_open(et(2025, 7, 3, 13, 10), index=True)
    assert not CALENDAR.options_open(et(2025, 7, 3, 13, 15), index=True)
    # Late trading ends at 17:00 on an early-close day.
    assert CALENDAR.extended_hours(et(2025, 7, 3, 16, 59)) == "post"
    assert CALENDAR.extended_hours(et(2025, 7, 3, 17, 0)) is None


def test_2026_07_03_independence_day_observed_is_closed() -> None:
    assert not CALENDAR.is_session(date(2026, 7, 3))
    assert CALENDAR.previous_session(date(2026, 7, 6)) == date(2026, 7, 2)
    assert CALENDAR.sessions_between(date(2026, 6, 29), date(2026, 7, 6)) == [
        date(2026, 6, 29),
        date(2026, 6, 30),
        date(2026, 7, 1),
        date(2026, 7, 2),
        date(2026, 7, 6),
    ]


def test_2026_11_27_closes_at_13_00() -> None:
    assert CALENDAR.is_half_day(date(2026, 11, 27))
    assert CALENDAR.close_at(date(2026, 11, 27)) == et(2026, 11, 27, 13, 0)
    assert not CALENDAR.is_session(date(2026, 11, 26))  # Thanksgiving


def test_full_days_and_holidays_are_not_half_days() -> None:
    assert not CALENDAR.is_half_day(date(2026, 11, 25))
    assert not CALENDAR.is_half_day(date(2026, 11, 26))
    assert CALENDAR.close_at(date(2026, 11, 25)) == et(2026, 11, 25, 16, 0)


# ------------------------------------------------------------ daylight saving


@pytest.mark.parametrize(
    ("day", "open_utc", "close_utc"),
    [
        (date(2026, 3, 6), datetime(2026, 3, 6, 14, 30, tzinfo=UTC), datetime(2026, 3, 6, 21, 0, tzinfo=UTC)),
        (date(2026, 3, 9), datetime(2026, 3, 9, 13, 30, tzinfo=UTC), datetime(2026, 3, 9, 20, 0, tzinfo=UTC)),
        (date(2026, 10, 30), datetime(2026, 10, 30, 13, 30, tzinfo=UTC), datetime(2026, 10, 30, 20, 0, tzinfo=UTC)),
        (date(2026, 11, 2), datetime(2026, 11, 2, 14, 30, tzinfo=UTC), datetime(2026, 11, 2, 21, 0, tzinfo=UTC)),
    ],
)
def test_the_open_moves_in_utc_when_new_york_changes_clocks(
    day: date, open_utc: datetime, close_utc: datetime
) -> None:
    assert CALENDAR.open_at(day) == open_utc
    assert CALENDAR.close_at(day) == close_utc
    assert CALENDAR.is_open(open_utc)
    assert not CALENDAR.is_open(open_utc - timedelta(seconds=1))
    assert not CALENDAR.is_open(close_utc)


def test_a_utc_clock_reading_1430_is_before_the_open_only_in_winter() -> None:
    assert CALENDAR.is_open(datetime(2026, 3, 9, 14, 0, tzinfo=UTC))  # 10:00 EDT
    assert not CALENDAR.is_open(datetime(2026, 3, 6, 14, 0, tzinfo=UTC))  # 09:00 EST


# ------------------------------------------------------------ sessions and windows


def test_options_trade_in_the_regular_session_only() -> None:
    assert not CALENDAR.options_open(et(2026, 3, 9, 9, 29))
    assert CALENDAR.options_open(et(2026, 3, 9, 9, 30))
    assert CALENDAR.options_open(et(2026, 3, 9, 15, 59))
    assert not CALENDAR.options_open(et(2026, 3, 9, 16, 0))
    assert CALENDAR.options_open(et(2026, 3, 9, 16, 14), index=True)
    assert not CALENDAR.options_open(et(2026, 3, 9, 16, 15), index=True)
    assert not CALENDAR.options_open(et(2026, 3, 7, 12, 0))  # Saturday


@pytest.mark.parametrize(
    ("hour", "minute", "window"),
    [
        (3, 59, None),
        (4, 0, "pre"),
        (9, 29, "pre"),
        (9, 30, None),
        (15, 59, None),
        (16, 0, "post"),
        (19, 59, "post"),
        (20, 0, None),
    ],
)
def test_extended_hours_on_a_full_day(hour: int, minute: int, window: str | None) -> None:
    moment = et(2026, 3, 9, hour, minute)
    assert CALENDAR.extended_hours(moment) == window
    regular = CALENDAR.is_open(moment)
    assert CALENDAR.is_open(moment, extended=True) == (regular or window is not None)


def test_no_extended_hours_on_a_weekend_or_holiday() -> None:
    assert CALENDAR.extended_hours(et(2026, 3, 7, 8, 0)) is None
    assert CALENDAR.extended_hours(et(2026, 7, 3, 17, 0)) is None


def test_session_for_covers_the_whole_trading_day() -> None:
    assert CALENDAR.session_for(et(2026, 3, 9, 0, 1)) == date(2026, 3, 9)
    assert CALENDAR.session_for(et(2026, 3, 9, 23, 59)) == date(2026, 3, 9)
    assert CALENDAR.session_for(et(2026, 3, 8, 12, 0)) is None  # Sunday
    # 01:00 UTC on the 10th is still the 9th in New York.
    assert CALENDAR.session_for(datetime(2026, 3, 10, 1, 0, tzinfo=UTC)) == date(2026, 3, 9)


def test_previous_and_next_sessions_skip_weekends() -> None:
    assert CALENDAR.next_session(date(2026, 3, 6)) == date(2026, 3, 9)
    assert CALENDAR.previous_session(date(2026, 3, 9)) == date(2026, 3, 6)
    assert CALENDAR.previous_session(date(2026, 3, 8)) == date(2026, 3, 6)  # from a Sunday


def test_dates_outside_the_calendar_are_refused() -> None:
    with pytest.raises(OutsideCalendar):
        CALENDAR.is_open(datetime(2035, 1, 2, 15, 0, tzinfo=UTC))
    with pytest.raises(OutsideCalendar):
        CALENDAR.previous_session(date(2020, 1, 2))


def test_naive_moments_are_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        CALENDAR.is_open(datetime(2026, 3, 9, 10, 0))
    with pytest.raises(ValueError, match="timezone-aware"):
        dte(date(2026, 3, 9), datetime(2026, 3, 9, 10, 0))


# ------------------------------------------------------------ DTE and expiry


def test_dte_counts_new_york_calendar_days_around_midnight() -> None:
    evening = et(2026, 11, 25, 23, 30)
    as_utc = evening.astimezone(UTC)
    assert as_utc.date() == date(2026, 11, 26)  # UTC has already moved on...
    assert et_date(as_utc) == date(2026, 11, 25)  # ...New York has not
    assert dte(date(2026, 11, 25), as_utc) == 0
    assert dte(date(2026, 11, 27), as_utc) == 2
    assert dte(date(2026, 11, 27), et(2026, 11, 26, 0, 30)) == 1
    assert CALENDAR.dte(date(2026, 11, 27), as_utc) == 2


def test_zero_dte_until_16_00_on_expiration_day() -> None:
    expiry = date(2026, 3, 9)
    assert expires_at(expiry) == datetime(2026, 3, 9, 20, 0, tzinfo=UTC)  # 16:00 EDT
    assert dte(expiry, et(2026, 3, 9, 9, 30)) == 0
    assert years_to_expiry(expiry, et(2026, 3, 9, 15, 0)) == pytest.approx(3600 / (365 * 86400))
    assert years_to_expiry(expiry, et(2026, 3, 9, 16, 0)) == 0.0
    assert years_to_expiry(expiry, et(2026, 3, 10, 10, 0)) == 0.0
    assert dte(expiry, et(2026, 3, 10, 10, 0)) == -1
    assert years_to_expiry(date(2026, 3, 10), et(2026, 3, 9, 16, 0)) == pytest.approx(1 / 365)


# ------------------------------------------------------------ the host's TZ does not matter


@pytest.fixture
def host_in_tokyo(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("TZ", "Asia/Tokyo")
    time.tzset()
    yield
    monkeypatch.delenv("TZ")
    monkeypatch.undo()
    time.tzset()


@pytest.mark.usefixtures("host_in_tokyo")
def test_answers_are_new_york_answers_on_a_host_in_tokyo() -> None:
    assert time.strftime("%Z") == "JST"  # the host really is on Tokyo time
    evening = datetime(2026, 11, 26, 4, 30, tzinfo=UTC)  # 23:30 ET on the 25th, 13:30 JST on the 26th
    assert et_date(evening) == date(2026, 11, 25)
    assert dte(date(2026, 11, 27), evening) == 2
    assert CALENDAR.session_for(evening) == date(2026, 11, 25)
    assert CALENDAR.is_open(datetime(2026, 3, 9, 13, 30, tzinfo=UTC))
    assert CALENDAR.open_at(date(2026, 3, 6)) == datetime(2026, 3, 6, 14, 30, tzinfo=UTC)
    assert CALENDAR.close_at(date(2025, 7, 3)).astimezone(ET).hour == 13


# ------------------------------------------------------------ built by exchange_calendars, elsewhere


@pytest.mark.filterwarnings("ignore:Series.values returning an ndarray")
def test_the_sessions_are_exchange_calendars_xnys_schedule_exactly() -> None:
    import exchange_calendars

    schedule = exchange_calendars.get_calendar(
        EXCHANGE, start=FIRST_DAY.isoformat(), end=LAST_DAY.isoformat()
    ).schedule
    expected = [
        (label.date(), opened.to_pydatetime(), closed.to_pydatetime())
        for label, opened, closed in zip(schedule.index, schedule["open"], schedule["close"])
    ]
    got = [CALENDAR.session(day) for day in CALENDAR.sessions_between(FIRST_DAY, LAST_DAY)]
    assert [(s.day, s.open, s.close) for s in got if s is not None] == expected
    assert all(s is not None and s.open.tzinfo is ET and s.close.tzinfo is ET for s in got)


def test_the_calendar_is_built_without_loading_pandas_into_the_process() -> None:
    program = (
        "import sys; from datetime import date; from bot.market.calendar import MarketCalendar;"
        "assert MarketCalendar().is_half_day(date(2025, 7, 3)); print(sorted({'pandas', 'numpy'} & set(sys.modules)))"
    )
    done = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


def test_a_calendar_that_cannot_be_built_says_why() -> None:
    with pytest.raises(CalendarUnavailable, match="NOPE"):
        exchange_sessions("NOPE", FIRST_DAY, LAST_DAY)
