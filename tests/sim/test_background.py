from __future__ import annotations

import pytest

from bot.sim.market import Book, Market
from bot.sim.quotes import option_market, stock_market
from bot.sim.reference import DARK_VENUE, OPTION_VENUES, TRF_IDS
from bot.sim.session import NS_PER_MINUTE
from tests.sim.conftest import scenario_of, small_scenario

BUDGET, WINDOW_MINUTES = 1_800.0, 15


@pytest.fixture(scope="module")
def busy_book() -> Book:
    """A chain traded far harder than any shipped scenario, to push the budget."""
    raw = small_scenario(
        background={
            "option_trades_per_day": 400,
            "option_max_premium": BUDGET,
            "option_window_minutes": WINDOW_MINUTES,
        },
        events=[
            {"kind": "option_flow", "id": "planted", "time": "12:00", "symbol": "SPY",
             "contract": {"type": "call", "dte": 1, "strike": 640}, "size": 50},
        ],
    )  # fmt: skip
    return Market(scenario_of(raw)).books["SPY"]


def test_no_contract_trades_more_background_premium_in_any_window_than_the_budget(busy_book: Book) -> None:
    tape = busy_book.option_tape
    planted = set(tape.tagged["planted"])
    checked = 0
    for contract in busy_book.chain.contracts:
        start, end = tape.span(contract.ticker)
        noise = [
            (tape.ts[i], tape.price[i] * tape.size[i] * 100) for i in range(start, end) if i not in planted
        ]
        for moment, _ in noise:
            window = sum(
                premium for ts, premium in noise if moment <= ts < moment + WINDOW_MINUTES * NS_PER_MINUTE
            )
            assert window <= BUDGET + 1e-6, contract.ticker
        checked += len(noise)
    assert checked > 1000  # the rule was exercised, not vacuous


def test_a_planted_contract_is_quiet_around_its_order(busy_book: Book) -> None:
    tape = busy_book.option_tape
    planted = tape.tagged["planted"]
    start, end = tape.span("O:SPY260331C00640000")
    moment = tape.ts[planted[0]]
    near = [i for i in range(start, end) if abs(tape.ts[i] - moment) <= 15 * NS_PER_MINUTE]
    assert sorted(near) == sorted(planted)


def test_background_option_prints_trade_at_the_bid_ask_or_mid_then_in_force(busy_book: Book) -> None:
    tape, path = busy_book.option_tape, busy_book.path
    for contract in busy_book.chain.contracts[::7]:
        start, end = tape.span(contract.ticker)
        for index in range(start, end):
            _, quote = option_market(contract, path, path.second_of(tape.ts[index]))
            assert tape.price[index] in (quote.bid, quote.ask, round(quote.midpoint, 2))
            assert tape.exchange[index] in OPTION_VENUES
            assert tape.ts[index] < contract.expires_ns


def test_stock_background_carries_the_days_volume_with_small_dark_prints(busy_book: Book) -> None:
    tape, path = busy_book.stock_tape, busy_book.path
    start, end = tape.span("SPY")
    assert sum(tape.size[start:end]) == pytest.approx(busy_book.day_volume, rel=0.02)
    dark = [i for i in range(start, end) if tape.exchange[i] == DARK_VENUE]
    assert 0.2 < len(dark) / (end - start) < 0.5
    for index in range(start, end):
        quote = stock_market(path, busy_book.quote_key, path.second_of(tape.ts[index]))
        if index in dark:
            assert tape.size[index] <= 5_000 and tape.trf_id[index] in TRF_IDS
            assert quote.bid <= tape.price[index] <= quote.ask
        else:
            assert tape.price[index] in (quote.bid, quote.ask) and tape.trf_id[index] == 0
