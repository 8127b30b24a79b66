from __future__ import annotations

from datetime import date

import pytest

from bot.market.calendar import MarketCalendar
from bot.sim.chains import (
    build_chain,
    default_strike_step,
    implied_vol,
    listed_expirations,
    listed_strikes,
    occ_ticker,
)
from bot.sim.scenario import UnderlyingSpec

MONDAY_BEFORE_GOOD_FRIDAY = date(2026, 3, 30)  # Good Friday 2026 is April 3; Juneteenth a Friday


@pytest.fixture(scope="module")
def calendar() -> MarketCalendar:
    return MarketCalendar()


@pytest.mark.parametrize(
    ("root", "expiration", "kind", "strike", "ticker"),
    [
        ("SPY", date(2025, 12, 19), "call", 600.0, "O:SPY251219C00600000"),
        ("C", date(2026, 4, 2), "put", 92.5, "O:C260402P00092500"),
        ("COST", date(2026, 4, 17), "put", 905.0, "O:COST260417P00905000"),
        ("CRM", date(2026, 4, 17), "call", 262.5, "O:CRM260417C00262500"),
        ("F", date(2026, 4, 17), "put", 0.5, "O:F260417P00000500"),
    ],
)
def test_tickers_follow_occ_symbology(
    root: str, expiration: date, kind: str, strike: float, ticker: str
) -> None:
    assert occ_ticker(root, expiration, kind, strike) == ticker  # type: ignore[arg-type]


def test_daily_symbols_list_every_session_including_today_and_skip_good_friday(
    calendar: MarketCalendar,
) -> None:
    spec = UnderlyingSpec(symbol="SPY", price=640, expirations="daily", max_days=10)
    assert listed_expirations(spec, MONDAY_BEFORE_GOOD_FRIDAY, calendar) == (
        date(2026, 3, 30), date(2026, 3, 31), date(2026, 4, 1), date(2026, 4, 2),
        date(2026, 4, 6), date(2026, 4, 7), date(2026, 4, 8), date(2026, 4, 9),
    )  # fmt: skip


def test_a_holiday_friday_moves_its_weekly_to_thursday(calendar: MarketCalendar) -> None:
    spec = UnderlyingSpec(symbol="C", price=95, max_days=24)
    assert listed_expirations(spec, MONDAY_BEFORE_GOOD_FRIDAY, calendar) == (
        date(2026, 4, 2), date(2026, 4, 10), date(2026, 4, 17),
    )  # fmt: skip


def test_past_the_weeklies_only_third_fridays_are_listed(calendar: MarketCalendar) -> None:
    spec = UnderlyingSpec(symbol="C", price=95, weekly_days=7, max_days=80)
    # April 17 and May 15 are third Fridays; June 19 (Juneteenth) closes, so June expires on the 18th.
    assert listed_expirations(spec, MONDAY_BEFORE_GOOD_FRIDAY, calendar) == (
        date(2026, 4, 2), date(2026, 4, 17), date(2026, 5, 15), date(2026, 6, 18),
    )  # fmt: skip


def test_a_friday_session_lists_its_own_zero_dte_weekly(calendar: MarketCalendar) -> None:
    spec = UnderlyingSpec(symbol="AAPL", price=270, max_days=7)
    assert listed_expirations(spec, date(2026, 4, 10), calendar)[0] == date(2026, 4, 10)


def test_strikes_sit_on_the_step_around_the_previous_close() -> None:
    assert listed_strikes(UnderlyingSpec(symbol="SPY", price=640.4, strike_step=1, strikes_each_side=3)) == (
        637.0, 638.0, 639.0, 640.0, 641.0, 642.0, 643.0,
    )  # fmt: skip
    assert listed_strikes(UnderlyingSpec(symbol="F", price=1.2, strike_step=0.5, strikes_each_side=4)) == (
        0.5, 1.0, 1.5, 2.0, 2.5, 3.0,
    )  # fmt: skip


@pytest.mark.parametrize(
    ("price", "step"), [(12.0, 0.5), (95.0, 1.0), (240.0, 2.5), (640.0, 5.0), (1900.0, 10.0)]
)
def test_the_default_step_widens_with_the_price(price: float, step: float) -> None:
    assert default_strike_step(price) == step


def test_implied_volatility_is_skewed_to_puts_around_the_money() -> None:
    spec = UnderlyingSpec(symbol="SPY", price=640, volatility=0.16)
    one_month = 30 / 365
    below, at, above = (implied_vol(spec, strike, one_month) for strike in (576.0, 640.0, 704.0))
    assert below > at > above
    assert above >= 0.05 and below <= 3.0


def test_the_front_month_is_a_little_richer_than_the_back() -> None:
    spec = UnderlyingSpec(symbol="SPY", price=640, volatility=0.16)
    assert implied_vol(spec, 640.0, 2 / 365) > implied_vol(spec, 640.0, 120 / 365)


def test_a_chain_is_every_expiration_by_every_strike_by_call_and_put(calendar: MarketCalendar) -> None:
    spec = UnderlyingSpec(symbol="C", price=95, strikes_each_side=4, max_days=24)
    chain = build_chain(spec, MONDAY_BEFORE_GOOD_FRIDAY, calendar, seed=1, pinned_open_interest={})
    assert len(chain.contracts) == 3 * 9 * 2
    tickers = [contract.ticker for contract in chain.contracts]
    assert tickers == sorted(tickers) and len(set(tickers)) == len(tickers)
    for contract in chain.contracts:
        assert contract.ticker == occ_ticker("C", contract.expiration, contract.kind, contract.strike)
        assert contract.dte == (contract.expiration - MONDAY_BEFORE_GOOD_FRIDAY).days
        assert contract.open_interest >= 1


def test_open_interest_is_fixed_for_the_day_and_pins_win(calendar: MarketCalendar) -> None:
    spec = UnderlyingSpec(symbol="C", price=95, strikes_each_side=4, max_days=24)
    first = build_chain(spec, MONDAY_BEFORE_GOOD_FRIDAY, calendar, seed=1, pinned_open_interest={})
    again = build_chain(spec, MONDAY_BEFORE_GOOD_FRIDAY, calendar, seed=1, pinned_open_interest={})
    assert [c.open_interest for c in first.contracts] == [c.open_interest for c in again.contracts]
    pinned = build_chain(
        spec, MONDAY_BEFORE_GOOD_FRIDAY, calendar, seed=1, pinned_open_interest={"O:C260417C00095000": 123}
    )
    assert pinned.by_ticker["O:C260417C00095000"].open_interest == 123


def test_open_interest_gathers_near_the_money(calendar: MarketCalendar) -> None:
    spec = UnderlyingSpec(
        symbol="SPY", price=640, strike_step=1, strikes_each_side=40, expirations="daily", max_days=3
    )
    chain = build_chain(spec, MONDAY_BEFORE_GOOD_FRIDAY, calendar, seed=3, pinned_open_interest={})
    near = sum(c.open_interest for c in chain.contracts if abs(c.strike - 640) <= 5)
    far = sum(c.open_interest for c in chain.contracts if abs(c.strike - 640) >= 35)
    assert near > 3 * far
