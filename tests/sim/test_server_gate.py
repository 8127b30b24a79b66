"""What stands between a request and the market: keys, plans, rates, injected faults, and the
counts `/sim/stats` keeps of it all."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable

import aiohttp
import pytest

from bot.market.clock import VirtualClock
from bot.sim.market import Market
from bot.sim.scenario import Scenario
from bot.sim.server import SimServer
from tests.sim.conftest import Api, at, scenario_of, small_scenario

CHAIN = "/v3/snapshot/options/SPY"


# --- keys ---------------------------------------------------------------------------------------


async def test_a_key_is_accepted_as_a_bearer_token_or_as_apiKey(
    sim: SimServer, api: Callable[[SimServer], Api]
) -> None:
    client = api(sim)
    assert (await client.get(CHAIN))[0] == 200
    assert (await client.get(CHAIN, key=None, apiKey=sim.api_key))[0] == 200


async def test_an_unknown_or_missing_key_is_refused_with_401(
    sim: SimServer, api: Callable[[SimServer], Api]
) -> None:
    client = api(sim)
    status, body = await client.get(CHAIN, key="stolen")
    assert status == 401 and body["status"] == "ERROR" and body["error"] == "Unknown API Key"
    status, body = await client.get(CHAIN, key=None)
    assert status == 401 and body["error"] == "API Key was not provided"
    sim.remove_key(sim.api_key)
    assert (await client.get(CHAIN))[0] == 401


# --- plans --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("plan", "trades", "quotes"), [("starter", 403, 403), ("developer", 200, 403), ("advanced", 200, 200)]
)
async def test_a_plan_without_trades_or_quotes_gets_not_authorized(
    sim: SimServer, api: Callable[[SimServer], Api], plan: str, trades: int, quotes: int
) -> None:
    sim.set_key("k", plan)  # type: ignore[arg-type]
    client = api(sim)
    assert (await client.get("/v3/trades/SPY", key="k"))[0] == trades
    status, body = await client.get("/v3/quotes/SPY", key="k")
    assert status == quotes
    if status == 403:
        assert body["status"] == "NOT_AUTHORIZED" and "upgrade your plan" in body["message"]
    assert (await client.get(CHAIN, key="k"))[0] == 200


async def test_a_delayed_plan_sees_the_market_fifteen_minutes_ago(
    quick: Scenario, quick_market: Market, api: Callable[[SimServer], Api]
) -> None:
    clock = VirtualClock(at(10, 0))
    async with SimServer.start(quick, clock=clock, market=quick_market) as sim:
        sim.set_key("late", "starter")
        client = api(sim)
        path = f"/v3/snapshot/options/SPY/{quick_market.books['SPY'].flow_tickers['q-golden-spy']}"
        earlier = (await client.ok(path))["results"]
        clock.set(at(10, 15))
        delayed = (await client.get(path, key="late"))[1]["results"]
        live = (await client.ok(path))["results"]
        bars = await client.get("/v2/aggs/ticker/SPY/range/1/day/2026-03-30/2026-03-30", key="late")
    assert delayed["day"] == earlier["day"] != live["day"]  # the 10:05 sweep is not in the delayed view yet
    assert delayed["last_quote"]["timeframe"] == delayed["underlying_asset"]["timeframe"] == "DELAYED"
    assert live["last_quote"]["timeframe"] == "REAL-TIME"
    assert bars[1]["status"] == "DELAYED"


# --- rate ---------------------------------------------------------------------------------------


async def test_over_the_keys_rate_the_answer_is_429_with_retry_after(
    sim: SimServer, api: Callable[[SimServer], Api]
) -> None:
    sim.set_key("slow-lane", requests_per_second=2, burst=2)
    client = api(sim)
    statuses = [(await client.raw("/v1/marketstatus/now", key="slow-lane"))[0] for _ in range(2)]
    status, body, headers = await client.raw("/v1/marketstatus/now", key="slow-lane")
    assert statuses == [200, 200] and status == 429
    assert headers["Retry-After"] == "1" and "exceeded the maximum requests" in json.loads(body)["error"]
    assert (await client.raw("/v1/marketstatus/now"))[0] == 200  # other keys are not held back
    assert isinstance(sim.clock, VirtualClock)
    sim.clock.advance(1.0)
    assert (await client.raw("/v1/marketstatus/now", key="slow-lane"))[0] == 200


# --- faults -------------------------------------------------------------------------------------


async def test_without_faults_asked_for_every_answer_is_whole(
    sim: SimServer, api: Callable[[SimServer], Api]
) -> None:
    client = api(sim)
    listings = [(CHAIN, {"limit": 3}), ("/v3/trades/SPY", {"limit": 3}), ("/v3/quotes/SPY", {"limit": 3}),
                ("/v3/reference/conditions", {}), ("/v1/marketstatus/now", {})]  # fmt: skip
    for _ in range(4):
        for path, query in listings:
            status, body, _ = await client.raw(path, **query)
            assert status == 200
            parsed = json.loads(body)
            if "next_url" in parsed:
                assert (await client.ok(parsed["next_url"])).get("next_url") != parsed["next_url"]
    assert sim.stats()["faults"] == []


@pytest.mark.parametrize(("kind", "status"), [("http_500", 500), ("http_502", 502)])
async def test_an_injected_server_error_fires_as_often_as_asked(
    sim: SimServer, api: Callable[[SimServer], Api], kind: str, status: int
) -> None:
    sim.inject(kind, endpoint="options_chain", after=1, count=2)  # type: ignore[arg-type]
    client = api(sim)
    seen = [(await client.raw(CHAIN))[0] for _ in range(4)]
    assert seen == [200, status, status, 200]
    assert (await client.raw("/v3/trades/SPY"))[0] == 200  # another endpoint is untouched
    if kind == "http_502":
        sim.inject(kind, endpoint="options_chain")
        _, body, headers = await client.raw(CHAIN)
        assert headers["Content-Type"].startswith("text/html") and b"502 Bad Gateway" in body


async def test_malformed_json_is_a_200_that_does_not_parse(
    sim: SimServer, api: Callable[[SimServer], Api]
) -> None:
    sim.inject("malformed_json", endpoint="trades")
    client = api(sim)
    status, body, headers = await client.raw("/v3/trades/SPY")
    assert status == 200 and headers["Content-Type"].startswith("application/json")
    with pytest.raises(json.JSONDecodeError):
        json.loads(body)
    assert json.loads((await client.raw("/v3/trades/SPY"))[1])["status"] == "OK"


async def test_a_looping_cursor_points_a_page_back_at_itself(
    sim: SimServer, api: Callable[[SimServer], Api]
) -> None:
    sim.inject("looping_cursor", endpoint="options_chain", count=None)
    client = api(sim)
    first = await client.ok(CHAIN, limit=5)
    second = await client.ok(first["next_url"])
    assert second["next_url"] == first["next_url"] and second["results"] == first["results"]
    sim.clear_faults()
    third = await client.ok(first["next_url"])
    assert third["next_url"] != first["next_url"]


async def test_a_slow_answer_outlasts_a_clients_timeout(
    sim: SimServer, api: Callable[[SimServer], Api]
) -> None:
    sim.inject("slow", endpoint="market_status", delay_seconds=30)
    url = sim.base_url + "/v1/marketstatus/now"
    headers = {"Authorization": f"Bearer {sim.api_key}"}
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=0.05)) as impatient:
        with pytest.raises(asyncio.TimeoutError):
            await impatient.get(url, headers=headers)
        async with impatient.get(url, headers=headers) as response:  # the fault fired once
            assert response.status == 200


async def test_faults_written_into_the_scenario_fire_without_being_injected(
    api: Callable[[SimServer], Api],
) -> None:
    raw = small_scenario(faults=[{"kind": "http_502", "endpoint": "market_status", "count": None}])
    async with SimServer.start(scenario_of(raw), clock=VirtualClock(at(11))) as sim:
        client = api(sim)
        assert [(await client.raw("/v1/marketstatus/now"))[0] for _ in range(3)] == [502, 502, 502]
        assert (await client.raw("/v3/reference/exchanges"))[0] == 200


# --- stats and errors ---------------------------------------------------------------------------


async def test_stats_count_requests_by_endpoint_and_status(
    sim: SimServer, api: Callable[[SimServer], Api]
) -> None:
    client = api(sim)
    sim.inject("http_500", endpoint="trades")
    trades, key = "/v3/trades/SPY", sim.api_key
    for path, used in [
        (CHAIN, key),
        (CHAIN, key),
        (CHAIN, "nope"),
        (trades, key),
        (trades, key),
        ("/nowhere", key),
    ]:
        await client.raw(path, key=used)
    stats = (await client.get("/sim/stats", key=None))[1]
    assert stats["requests"] == {
        "options_chain": {"200": 2, "401": 1},
        "trades": {"200": 1, "500": 1},
        "unknown": {"404": 1},
    }
    assert stats["total"] == 6 and stats["faults"][0]["fired"] == 1


@pytest.mark.parametrize(
    ("path", "query", "message"),
    [
        (CHAIN, {"limit": 251}, "'limit' must be between 1 and 250"),
        ("/v3/trades/SPY", {"limit": 50001}, "'limit' must be between 1 and 50000"),
        ("/v3/trades/SPY", {"cursor": "bogus!"}, "is not one this server issued"),
        ("/v2/aggs/ticker/SPY/range/1/fortnight/2026-03-01/2026-03-30", {}, "'timespan' must be one of"),
    ],
)
async def test_a_bad_parameter_is_a_400_naming_it(
    sim: SimServer, api: Callable[[SimServer], Api], path: str, query: dict[str, object], message: str
) -> None:
    status, body = await api(sim).get(path, **query)
    assert status == 400 and body["status"] == "ERROR" and message in body["error"]


async def test_unknown_tickers_answer_as_polygon_does(
    sim: SimServer, api: Callable[[SimServer], Api]
) -> None:
    client = api(sim)
    assert (await client.ok("/v3/trades/ZZZZ"))["results"] == []
    assert (await client.get("/v2/snapshot/locale/us/markets/stocks/tickers/ZZZZ"))[0] == 404
    bars = await client.ok("/v2/aggs/ticker/ZZZZ/range/1/day/2026-03-01/2026-03-30")
    assert bars["resultsCount"] == 0 and "results" not in bars
