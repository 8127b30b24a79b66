from datetime import datetime, timezone

import pytest

from bot.market.clock import VirtualClock
from bot.market.planner import TARGET_INTERVAL_SECONDS, RefreshPlanner
from bot.market.watchlist import WatchedSymbol

START = datetime(2026, 11, 24, 15, 0, tzinfo=timezone.utc)


def planner(rps: float, *symbols: tuple[str, int]) -> tuple[RefreshPlanner, VirtualClock]:
    clock = VirtualClock(START)
    return RefreshPlanner([WatchedSymbol(s, t) for s, t in symbols], clock, rps), clock


def refresh_all(plan: RefreshPlanner, pages: dict[str, int], events: dict[str, int] | None = None) -> None:
    for symbol in plan.choose(budget_requests=1e9):
        plan.record(symbol, pages=pages.get(symbol, 1), events=(events or {}).get(symbol, 0))


def test_never_refreshed_symbols_come_first_in_tier_order() -> None:
    plan, _ = planner(100, ("ZM", 3), ("SPY", 1), ("XLF", 2))
    assert plan.choose(budget_requests=100) == ["SPY", "XLF", "ZM"]


def test_a_symbol_in_flight_is_not_chosen_twice_until_recorded_or_failed() -> None:
    plan, _ = planner(100, ("SPY", 1))
    assert plan.choose(100) == ["SPY"]
    assert plan.choose(100) == []
    plan.failed("SPY")
    assert plan.choose(100) == ["SPY"]


def test_tier_one_is_due_four_times_as_often_as_tier_three() -> None:
    plan, clock = planner(1000, ("SPY", 1), ("ZM", 3))
    refresh_all(plan, {})
    counts = {"SPY": 0, "ZM": 0}
    for _ in range(240):  # four minutes, planning every second
        clock.advance(1)
        for symbol in plan.choose(budget_requests=10):
            counts[symbol] += 1
            plan.record(symbol, pages=1, events=0)
    assert counts == {"SPY": 16, "ZM": 4}


def test_the_learned_page_count_is_what_the_budget_pays_for() -> None:
    plan, clock = planner(100, ("SPY", 1), ("QQQ", 1), ("IWM", 1))
    refresh_all(plan, {"SPY": 30, "QQQ": 20, "IWM": 2})
    clock.advance(TARGET_INTERVAL_SECONDS[1])
    # Equally overdue: IWM (2 pages) and QQQ (20) fit in 25 requests, SPY (30) waits.
    assert plan.choose(budget_requests=25) == ["IWM", "QQQ"]
    assert plan.choose(budget_requests=25) == ["SPY"]


def test_a_chain_bigger_than_the_budget_is_still_refreshed() -> None:
    plan, clock = planner(1, ("SPY", 1))
    refresh_all(plan, {"SPY": 40})
    clock.advance(10_000)
    assert plan.choose(budget_requests=5) == ["SPY"]


def test_recent_activity_moves_a_symbol_ahead_of_an_equally_stale_quiet_one() -> None:
    plan, clock = planner(1000, ("AAA", 2), ("BBB", 2))
    refresh_all(plan, {}, events={"AAA": 0, "BBB": 40})
    clock.advance(TARGET_INTERVAL_SECONDS[2] * 2)
    assert plan.choose(budget_requests=1.5) == ["BBB"]


def test_an_over_budget_watchlist_stretches_every_tier_by_the_same_factor() -> None:
    symbols = [(f"S{i}", 3) for i in range(200)]
    plan, _ = planner(5, *symbols)
    refresh_all(plan, {f"S{i}": 4 for i in range(200)})
    # 200 chains × 4.5 requests each every 60 s = 15 req/s wanted, 5 allowed: 3× slower.
    assert plan.stretch() == pytest.approx(3.0)
    assert plan.promised_interval(3) == pytest.approx(180.0)
    assert plan.promised_interval(1) == pytest.approx(45.0)


def test_lag_by_tier_reports_the_stalest_symbol() -> None:
    plan, clock = planner(100, ("SPY", 1), ("QQQ", 1), ("ZM", 3))
    assert plan.lag_by_tier() == {1: None, 3: None}
    refresh_all(plan, {})
    clock.advance(20)
    plan.choose(1.5)  # SPY goes first
    plan.record("SPY", pages=1, events=0)
    assert plan.lag_by_tier() == {1: 20.0, 3: 20.0}
