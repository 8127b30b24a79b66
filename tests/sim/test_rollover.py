"""The session after: one market served across the rollover into the next trading day."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time, timedelta

import pytest

from bot.market.calendar import ET
from bot.market.clock import VirtualClock
from bot.sim.market import Market
from bot.sim.rollover import next_session
from bot.sim.server import SimServer
from tests.sim.conftest import SESSION, Api, at, scenario_of, small_scenario

NEXT_SESSION = date(2026, 3, 31)  # the Tuesday after quick.json's Monday
DARK_BLOCK = {"kind": "stock_print", "id": "next-day-dark", "time": "10:00", "symbol": "SPY", "size": 40000}


@pytest.fixture(scope="module")
def today() -> Market:
    return Market(scenario_of(small_scenario()))


def test_the_next_session_is_the_next_trading_day_opening_where_today_closed(today: Market) -> None:
    tomorrow = next_session(today, events=[DARK_BLOCK])
    assert tomorrow.session_date == NEXT_SESSION
    [spy] = tomorrow.underlyings
    closed_at = today.books["SPY"].path.prices[-1]
    assert spy.price == pytest.approx(closed_at, abs=0.005)
    assert [event.id for event in tomorrow.events] == ["next-day-dark"]
    # The new day trades differently: its own path, not today's walk again.
    assert Market(tomorrow).books["SPY"].path.prices[:600] != today.books["SPY"].path.prices[:600]


def test_a_friday_rolls_over_to_monday() -> None:
    friday = Market(scenario_of(small_scenario(session_date="2026-04-02")))  # Good Friday is closed
    assert next_session(friday).session_date == date(2026, 4, 6)


def test_following_sessions_must_come_later(today: Market) -> None:
    with pytest.raises(ValueError, match="date order"):
        SimServer(next_session(today), following=[today.scenario])


async def test_the_server_serves_the_next_session_from_its_midnight(
    today: Market, api: Callable[[SimServer], Api]
) -> None:
    tomorrow = next_session(today, events=[DARK_BLOCK])
    clock = VirtualClock(at(15))
    async with SimServer.start(today.scenario, clock=clock, market=today, following=[tomorrow]) as sim:
        client = api(sim)
        before_midnight = await client.ok("/v2/snapshot/locale/us/markets/stocks/tickers/SPY")
        assert before_midnight["ticker"]["day"]["v"] > 0
        assert sim.truth() == []  # today has nothing planted

        clock.set(datetime.combine(NEXT_SESSION, time(0), tzinfo=ET) - timedelta(seconds=1))
        late = await client.ok("/v2/snapshot/locale/us/markets/stocks/tickers/SPY")
        assert late["ticker"]["day"]["v"] >= before_midnight["ticker"]["day"]["v"]  # still today's day

        clock.set(datetime.combine(NEXT_SESSION, time(9, 0), tzinfo=ET))
        morning = await client.ok("/v2/snapshot/locale/us/markets/stocks/tickers/SPY")
        assert morning["ticker"]["day"]["v"] == 0  # no print yet on the new day
        assert morning["ticker"]["prevDay"]["c"] == pytest.approx(tomorrow.underlyings[0].price)
        assert [entry.id for entry in sim.truth()] == ["next-day-dark"]

        clock.set(datetime.combine(NEXT_SESSION, time(10, 30), tzinfo=ET))
        chain = await client.every_page("/v3/snapshot/options/SPY", limit=250)
        expirations = {row["details"]["expiration_date"] for row in chain}
        assert min(expirations) == NEXT_SESSION.isoformat()  # yesterday's 0DTE has expired
        assert SESSION.isoformat() not in expirations
