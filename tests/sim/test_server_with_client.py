"""The simulator driven through the product's own Polygon client: pagination, plans and every
injected fault end the way the client promises."""

from __future__ import annotations

import math
import random
from collections.abc import AsyncIterator, Callable
from datetime import date
from typing import Any

import pytest

from bot.market.clock import VirtualClock, epoch_ns
from bot.polygon.client import PolygonClient
from bot.polygon.errors import (
    AuthError,
    MalformedResponseError,
    NotEntitledError,
    PaginationError,
    UpstreamError,
)
from bot.sim.server import SimServer
from tests.sim.conftest import at, scenario_of, small_scenario

Clients = Callable[..., PolygonClient]


@pytest.fixture
async def clients(sim: SimServer) -> AsyncIterator[Clients]:
    made: list[PolygonClient] = []

    def make(**options: Any) -> PolygonClient:
        settings: dict[str, Any] = {
            "requests_per_second": 1000.0,
            "max_retries": 2,
            "clock": sim.clock,
            "rng": random.Random(3),
        }
        settings |= options
        client = PolygonClient(sim.base_url, settings.pop("api_key", sim.api_key), **settings)
        made.append(client)
        return client

    yield make
    for client in made:
        await client.close()


def run(sim: SimServer, awaitable: Any) -> Any:
    """Drive a call on the simulator's virtual clock, so back-offs and Retry-After pass at once."""
    assert isinstance(sim.clock, VirtualClock)
    return sim.clock.run(awaitable)


async def test_the_client_reads_a_5000_contract_chain_whole() -> None:
    raw = small_scenario(background={"option_trades_per_day": 1, "stock_trades_per_minute": 1})
    raw["underlyings"][0] |= {"strikes_each_side": 50, "max_days": 35}
    clock = VirtualClock(at(11))
    async with SimServer.start(scenario_of(raw), clock=clock) as sim:
        listed = {contract.ticker for contract in sim.market.books["SPY"].chain.contracts}
        async with PolygonClient(
            sim.base_url, sim.api_key, requests_per_second=1000.0, clock=clock
        ) as client:
            chain = await client.options_chain("SPY")
            narrowed = await client.options_chain(
                "SPY", expiration_date_lte=date(2026, 4, 2), strike_price_gte=630, strike_price_lte=650
            )
    assert len(listed) >= 5000
    tickers = [row.details.ticker for row in chain.results]
    assert len(tickers) == len(set(tickers)) and set(tickers) == listed
    assert chain.pages == math.ceil(len(listed) / 250)
    assert {row.details.ticker for row in narrowed.results} == {
        contract.ticker for contract in sim.market.books["SPY"].chain.contracts
        if contract.expiration <= date(2026, 4, 2) and 630 <= contract.strike <= 650
    }  # fmt: skip


async def test_puts_on_c_arrive_as_puts(sim: SimServer, clients: Clients) -> None:
    chain = await clients().options_chain("C", contract_type="put")
    assert chain.results and {row.details.contract_type for row in chain.results} == {"put"}
    assert all(
        row.details.ticker.startswith("O:C2") and row.details.ticker[-9] == "P" for row in chain.results
    )


@pytest.mark.parametrize("kind", ["http_500", "http_502"])
async def test_the_client_retries_through_server_errors(sim: SimServer, clients: Clients, kind: str) -> None:
    sim.inject(kind, endpoint="options_chain", count=2)  # type: ignore[arg-type]
    client = clients()
    chain = await run(sim, client.options_chain("COST"))
    assert chain.results and client.stats.retries == 2
    assert sim.stats()["requests"]["options_chain"][kind[-3:]] == 2


async def test_the_client_gives_up_on_a_server_that_keeps_failing(sim: SimServer, clients: Clients) -> None:
    sim.inject("http_502", endpoint="stock_snapshot", count=None)
    with pytest.raises(UpstreamError):
        await run(sim, clients().stock_snapshot("SPY"))
    assert sim.stats()["requests"]["stock_snapshot"] == {"502": 3}


async def test_the_client_waits_out_a_429_and_succeeds(sim: SimServer, clients: Clients) -> None:
    sim.set_key("tight", requests_per_second=1, burst=1)
    client = clients(api_key="tight")
    ticker = sim.market.books["SPY"].flow_tickers["q-golden-spy"]
    trades = await run(sim, client.trades(ticker, limit=3, timestamp_gte=epoch_ns(at(9, 30))))
    assert len(trades) > 3 and client.stats.rate_limited >= 1
    assert sim.stats()["requests"]["trades"]["429"] == client.stats.rate_limited


async def test_malformed_json_is_a_typed_error(sim: SimServer, clients: Clients) -> None:
    sim.inject("malformed_json", endpoint="market_status")
    with pytest.raises(MalformedResponseError):
        await clients().market_status()


async def test_a_looping_cursor_is_caught(sim: SimServer, clients: Clients) -> None:
    sim.inject("looping_cursor", endpoint="options_chain", count=None)
    with pytest.raises(PaginationError, match="looping cursor"):
        await clients().options_chain("SPY")


async def test_a_slow_answer_times_out_and_the_retry_gets_through(sim: SimServer, clients: Clients) -> None:
    sim.inject("slow", endpoint="exchanges", delay_seconds=30)
    client = clients(timeout=0.05)
    venues = await run(sim, client.exchanges("options"))
    assert {venue.id for venue in venues} >= {302, 308, 316} and client.stats.retries == 1


async def test_plans_and_keys_become_typed_errors(sim: SimServer, clients: Clients) -> None:
    sim.set_key("starter-key", "starter")
    with pytest.raises(NotEntitledError):
        await clients(api_key="starter-key").trades("SPY")
    with pytest.raises(AuthError):
        await clients(api_key="not-a-key").stock_snapshot("SPY")


async def test_the_client_reads_bars_and_trades_across_pages(sim: SimServer, clients: Clients) -> None:
    client = clients()
    bars = await client.aggregates("C", 1, "minute", date(2026, 3, 25), date(2026, 3, 30), limit=500)
    assert len(bars) == 3 * 390 + 90 + 1  # March 25-27, 09:30-11:00 today, the pre-market print
    trades = await client.trades("SPY", limit=400, timestamp_gte=epoch_ns(at(10)))
    assert len(trades) > 400 and [t.sip_timestamp for t in trades] == sorted(t.sip_timestamp for t in trades)
    snapshot = await client.stock_snapshot("SPY")
    assert snapshot.day is not None and snapshot.day.v > sum(trade.size for trade in trades)
