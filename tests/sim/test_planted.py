from __future__ import annotations

import re
from datetime import time
from typing import Any

import pytest

from bot.sim.market import Market
from bot.sim.quotes import option_market
from bot.sim.reference import (
    OPTION_AUTO_EXECUTION,
    OPTION_ISO,
    OPTION_MULTI_LEG,
    STOCK_FORM_T,
)
from bot.sim.scenario import ScenarioError
from bot.sim.session import NS_PER_SECOND
from tests.sim.conftest import scenario_of, small_scenario


def market_with(*events: dict[str, Any]) -> Market:
    return Market(scenario_of(small_scenario(events=list(events))))


def flow(id: str, **changes: Any) -> dict[str, Any]:
    event: dict[str, Any] = {
        "kind": "option_flow", "id": id, "time": "11:00", "symbol": "SPY",
        "contract": {"type": "call", "dte": 1, "strike": 640}, "size": 1000,
    }  # fmt: skip
    event.update(changes)
    return event


def test_a_sweep_takes_the_ask_on_several_venues_within_one_second() -> None:
    book = market_with(flow("sweep", style="sweep", prints=5)).books["SPY"]
    (planted,) = book.flows
    prints = planted.prints
    assert len(prints) == 5 and len({item.exchange for item in prints}) == 5
    assert sum(item.size for item in prints) == 1000
    assert max(item.ts for item in prints) - min(item.ts for item in prints) < NS_PER_SECOND
    _, quote = option_market(planted.contract, book.path, book.path.second_of(prints[0].ts))
    assert {item.price for item in prints} == {quote.ask}
    assert {item.conditions for item in prints} == {(OPTION_ISO,)}
    assert planted.premium == pytest.approx(quote.ask * 1000 * 100)


def test_a_split_stays_on_one_venue_and_a_block_is_one_print() -> None:
    book = market_with(flow("split", style="split", prints=4), flow("block", time="12:00")).books["SPY"]
    split, block = book.flows
    assert len(split.prints) == 4 and len({item.exchange for item in split.prints}) == 1
    assert len(block.prints) == 1 and block.prints[0].conditions == (OPTION_AUTO_EXECUTION,)


@pytest.mark.parametrize(("side", "pick"), [("sell", "bid"), ("mid", "midpoint")])
def test_the_side_picks_the_price(side: str, pick: str) -> None:
    book = market_with(flow("order", side=side)).books["SPY"]
    (planted,) = book.flows
    expected = getattr(planted.quote, pick)
    assert planted.prints[0].price == round(expected, 2)


def test_a_given_price_and_a_multi_leg_condition_are_kept() -> None:
    book = market_with(flow("leg", price=3.33, multi_leg=True, style="sweep")).books["SPY"]
    (planted,) = book.flows
    assert {item.price for item in planted.prints} == {3.33}
    assert {item.conditions for item in planted.prints} == {(OPTION_MULTI_LEG,)}


def test_a_strike_offset_counts_listed_strikes_from_spot_at_the_events_time() -> None:
    book = market_with(flow("offset", contract={"type": "put", "dte": 0, "strike_offset": -2})).books["SPY"]
    (planted,) = book.flows
    nearest = min(book.chain.strikes, key=lambda strike: abs(strike - planted.spot))
    assert planted.contract.strike == nearest - 2
    assert planted.contract.kind == "put" and planted.contract.dte == 0


@pytest.mark.parametrize(
    ("contract", "message"),
    [
        (
            {"type": "call", "dte": 4, "strike": 640},
            "events[0] ('bad').contract.dte: SPY lists no expiration on 2026-04-03",
        ),
        (
            {"type": "call", "dte": 1, "strike": 640.5},
            "events[0] ('bad').contract.strike: 640.5 is not a listed SPY strike",
        ),
        (
            {"type": "call", "dte": 1, "strike_offset": 40},
            "events[0] ('bad').contract.strike_offset: 40 strikes from",
        ),
    ],
)
def test_an_unlisted_contract_fails_when_the_market_is_built(contract: dict[str, Any], message: str) -> None:
    with pytest.raises(ScenarioError, match=re.escape(message)):
        market_with(flow("bad", contract=contract))


def test_stock_prints_land_as_planted_and_extended_hours_carry_form_t() -> None:
    market = market_with(
        {"kind": "stock_print", "id": "dark", "time": "10:00", "symbol": "SPY", "size": 30000},
        {"kind": "stock_print", "id": "late", "time": "17:15", "symbol": "SPY", "size": 20000, "price": 641.5,
         "venue": "lit", "conditions": [53]},
    )  # fmt: skip
    book = market.books["SPY"]
    tape = book.stock_tape
    (dark,), (late,) = tape.tagged["dark"], tape.tagged["late"]
    assert (tape.exchange[dark], tape.trf_id[dark], tape.size[dark]) == (4, 202, 30000)
    assert tape.price[dark] == round(book.path.at(market.session.at(time(10, 0))), 2)
    assert tape.conditions(dark) == ()
    assert (tape.exchange[late], tape.trf_id[late], tape.price[late]) == (11, 0, 641.5)
    assert tape.conditions(late) == (53, STOCK_FORM_T)
