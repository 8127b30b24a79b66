"""How numbers and times read: the shapes traders expect, in New York time."""

from __future__ import annotations

from datetime import date, datetime, timezone

import pytest

from bot.alerts import text


@pytest.mark.parametrize(
    "amount, expected",
    [
        (0, "$0"),
        (950, "$950"),
        (5_250, "$5,250"),
        (10_000, "$10K"),
        (12_300, "$12.3K"),
        (450_000, "$450K"),
        (184_500, "$184.5K"),
        (999_960, "$1.00M"),  # not "$1000.0K"
        (1_200_000, "$1.20M"),
        (1_234_567, "$1.23M"),
        (999_995_000, "$1.00B"),
        (2_100_000_000, "$2.10B"),
        (987_654_321_000, "$987.65B"),
        (9_876_543_210_000, "$9,876.54B"),
    ],
)
def test_money_is_short_and_keeps_its_significant_digits(amount: float, expected: str) -> None:
    assert text.money(amount) == expected


@pytest.mark.parametrize("value, expected", [(600, "600"), (602.5, "602.5"), (2.75, "2.75"), (5800, "5,800")])
def test_strikes_are_quoted_without_trailing_zeros(value: float, expected: str) -> None:
    assert text.strike(value) == expected


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=timezone.utc)


@pytest.mark.parametrize(
    "start, end",
    [
        (utc(2025, 6, 12, 18, 31, 5), utc(2025, 6, 12, 18, 31, 20)),  # June: New York is on EDT, UTC-4
        (utc(2025, 11, 25, 19, 31, 5), utc(2025, 11, 25, 19, 31, 20)),  # late November: EST, UTC-5
    ],
    ids=["daylight-saving", "standard-time"],
)
def test_a_window_is_shown_in_new_york_time_in_and_out_of_daylight_saving(start: datetime, end: datetime) -> None:
    assert text.window(start, end) == "14:31:05–14:31:20 ET"


def test_a_window_over_new_york_midnight_shows_both_dates() -> None:
    start = utc(2025, 11, 25, 4, 59, 59)  # 23:59:59 on the 24th in New York
    end = utc(2025, 11, 25, 14, 30, 0)
    assert text.window(start, end) == "11/24 23:59:59–11/25 09:30:00 ET"


def test_the_day_of_the_clock_change_reads_right_on_both_sides() -> None:
    # 2025-03-09: 01:59:59 EST is followed by 03:00:00 EDT.
    before = utc(2025, 3, 9, 6, 59, 59)
    after = utc(2025, 3, 9, 7, 0, 0)
    assert text.window(before, after) == "01:59:59–03:00:00 ET"


@pytest.mark.parametrize(
    "expiration, expected", [(date(2025, 12, 19), "12/19"), (date(2027, 1, 15), "01/15/27")]
)
def test_a_short_expiry_names_the_year_only_when_it_is_not_this_year(expiration: date, expected: str) -> None:
    assert text.short_expiry(expiration, today=date(2025, 11, 25)) == expected
