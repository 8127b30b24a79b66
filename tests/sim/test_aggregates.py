from __future__ import annotations

from datetime import date, datetime, time

import pytest

from bot.market.calendar import ET
from bot.sim.aggregates import agg_query, aggregate
from bot.sim.bars import Bar
from bot.sim.queries import BadRequest


def ms(day: date, at: time = time(0)) -> int:
    return int(datetime.combine(day, at, tzinfo=ET).timestamp() * 1000)


def minutes(count: int, start: int = ms(date(2026, 3, 30), time(9, 30))) -> list[Bar]:
    return [Bar(start + 60_000 * m, 10.0, 11.0, 9.0, 10.0, 100, 10.0, 1) for m in range(count)]


def test_dates_cover_whole_new_york_days_and_numbers_are_milliseconds() -> None:
    query = agg_query("1", "day", "2026-03-30", "2026-03-31", {})
    assert (query.start_ms, query.end_ms) == (ms(date(2026, 3, 30)), ms(date(2026, 4, 1)) - 1)
    assert agg_query("5", "minute", "1000", "2000", {}).start_ms == 1000


@pytest.mark.parametrize(
    ("multiplier", "timespan", "message"),
    [("0", "minute", "'multiplier' must be a positive integer"), ("1", "second", "no 'second' bars")],
)
def test_unsupported_widths_are_refused(multiplier: str, timespan: str, message: str) -> None:
    with pytest.raises(BadRequest, match=message):
        agg_query(multiplier, timespan, "2026-03-30", "2026-03-30", {})


def test_five_minute_bars_start_on_the_half_hour_grid() -> None:
    page = aggregate(minutes(12), agg_query("5", "minute", "2026-03-30", "2026-03-30", {}))
    assert [bar.t_ms for bar in page.bars] == [ms(date(2026, 3, 30), time(9, 30 + 5 * k)) for k in range(3)]
    assert [bar.volume for bar in page.bars] == [500, 500, 200]
    assert page.resume_ms is None and page.base_count == 12


def test_a_limited_page_ends_on_a_whole_bar_and_says_where_to_resume() -> None:
    base = minutes(12)
    page = aggregate(base, agg_query("5", "minute", "2026-03-30", "2026-03-30", {"limit": "7"}))
    assert [bar.volume for bar in page.bars] == [500, 500]  # the second bar is finished, not cut at 7
    assert page.base_count == 10 and page.resume_ms == base[10].t_ms


def test_newest_first_pages_walk_backwards() -> None:
    base = minutes(12)
    page = aggregate(
        base, agg_query("5", "minute", "2026-03-30", "2026-03-30", {"limit": "3", "sort": "desc"})
    )
    assert [bar.t_ms for bar in page.bars] == [base[10].t_ms, base[5].t_ms]
    assert page.resume_ms == base[5].t_ms - 1


def test_weeks_start_on_sunday_and_months_on_the_first() -> None:
    days = [
        Bar(ms(day), 1, 1, 1, 1, 1, 1.0, 1)
        for day in (date(2026, 3, 27), date(2026, 3, 30), date(2026, 4, 1))
    ]
    weeks = aggregate(days, agg_query("1", "week", "2026-03-01", "2026-04-30", {}))
    assert [bar.t_ms for bar in weeks.bars] == [ms(date(2026, 3, 22)), ms(date(2026, 3, 29))]
    months = aggregate(days, agg_query("1", "month", "2026-03-01", "2026-04-30", {}))
    assert [(bar.t_ms, bar.volume) for bar in months.bars] == [
        (ms(date(2026, 3, 1)), 2),
        (ms(date(2026, 4, 1)), 1),
    ]
