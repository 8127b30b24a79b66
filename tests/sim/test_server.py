"""The simulator over raw HTTP: listings, pagination, filters, and the numbers agreeing across
endpoints at every moment."""

from __future__ import annotations

import json
import math
from collections.abc import AsyncIterator, Callable
from datetime import date, datetime
from typing import Any

import pytest

from bot.market.calendar import ET
from bot.market.clock import VirtualClock, epoch_ns
from bot.sim.scenario import Scenario
from bot.sim.server import SimServer
from tests.sim.conftest import SESSION, Api, at, scenario_of, small_scenario


def clock_of(sim: SimServer) -> VirtualClock:
    assert isinstance(sim.clock, VirtualClock)
    return sim.clock


# --- the chain --------------------------------------------------------------------------------


@pytest.fixture
async def big_chain() -> AsyncIterator[SimServer]:
    """SPY with 101 strikes and five weeks of daily expirations: over 5,000 contracts."""
    raw = small_scenario(background={"option_trades_per_day": 1, "stock_trades_per_minute": 1})
    raw["underlyings"][0] |= {"strikes_each_side": 50, "max_days": 35}
    async with SimServer.start(scenario_of(raw), clock=VirtualClock(at(11))) as server:
        yield server


async def test_a_5000_contract_chain_pages_at_250_return_every_contract_exactly_once(
    big_chain: SimServer, api: Callable[[SimServer], Api]
) -> None:
    listed = [contract.ticker for contract in big_chain.market.books["SPY"].chain.contracts]
    assert len(listed) >= 5000
    client = api(big_chain)
    body = await client.ok("/v3/snapshot/options/SPY", limit=250)
    pages, seen = 1, [row["details"]["ticker"] for row in body["results"]]
    while "next_url" in body:
        assert body["next_url"].startswith(big_chain.base_url + "/v3/snapshot/options/SPY?cursor=")
        body = await client.ok(body["next_url"])
        pages += 1
        seen += [row["details"]["ticker"] for row in body["results"]]
    assert len(seen) == len(set(seen)) == len(listed)
    assert set(seen) == set(listed)
    assert pages == math.ceil(len(listed) / 250)


async def test_the_chain_lists_ten_by_default_in_ticker_order(
    sim: SimServer, api: Callable[[SimServer], Api]
) -> None:
    body = await api(sim).ok("/v3/snapshot/options/C")
    tickers = [row["details"]["ticker"] for row in body["results"]]
    assert len(tickers) == 10 and tickers == sorted(tickers)
    assert "next_url" in body


@pytest.mark.parametrize(
    ("query", "keep"),
    [
        ({"contract_type": "put"}, lambda d: d["contract_type"] == "put"),
        ({"strike_price.gte": 636, "strike_price.lte": 641}, lambda d: 636 <= d["strike_price"] <= 641),
        ({"strike_price.gt": 636, "strike_price.lt": 641}, lambda d: 636 < d["strike_price"] < 641),
        ({"strike_price": 640}, lambda d: d["strike_price"] == 640),
        ({"expiration_date.lte": "2026-04-01"}, lambda d: d["expiration_date"] <= "2026-04-01"),
        (
            {"expiration_date": "2026-04-02", "contract_type": "call"},
            lambda d: d["expiration_date"] == "2026-04-02" and d["contract_type"] == "call",
        ),
        (
            {"expiration_date.gt": "2026-04-06", "strike_price.gte": 645},
            lambda d: d["expiration_date"] > "2026-04-06" and d["strike_price"] >= 645,
        ),
    ],
)
async def test_filters_keep_exactly_the_contracts_they_describe(
    sim: SimServer,
    api: Callable[[SimServer], Api],
    query: dict[str, Any],
    keep: Callable[[dict[str, Any]], bool],
) -> None:
    client = api(sim)
    everything = [row["details"] for row in await client.every_page("/v3/snapshot/options/SPY", limit=250)]
    filtered = [
        row["details"] for row in await client.every_page("/v3/snapshot/options/SPY", limit=7, **query)
    ]
    expected = [details for details in everything if keep(details)]
    assert filtered == expected and expected


@pytest.mark.parametrize(
    ("sort", "key"),
    [
        ("strike_price", lambda d: (d["strike_price"], d["ticker"])),
        ("expiration_date", lambda d: (d["expiration_date"], d["ticker"])),
    ],
)
async def test_sort_and_order_arrange_the_whole_listing(
    sim: SimServer, api: Callable[[SimServer], Api], sort: str, key: Callable[[dict[str, Any]], Any]
) -> None:
    rows = await api(sim).every_page("/v3/snapshot/options/C", limit=50, sort=sort, order="desc")
    details = [row["details"] for row in rows]
    assert details == sorted(details, key=key, reverse=True)


async def test_one_contract_is_served_on_its_own_and_an_unknown_one_is_not_found(
    sim: SimServer, api: Callable[[SimServer], Api]
) -> None:
    client = api(sim)
    ticker = sim.market.books["C"].flow_tickers["q-block-c-put"]
    body = await client.ok(f"/v3/snapshot/options/C/{ticker}")
    assert body["results"]["details"] == {
        "contract_type": "put", "exercise_style": "american", "expiration_date": "2026-04-02",
        "shares_per_contract": 100, "strike_price": float(ticker[-8:]) / 1000, "ticker": ticker,
    }  # fmt: skip
    status, missing = await client.get("/v3/snapshot/options/C/O:C260402P00001000")
    assert status == 404 and missing["status"] == "NOT_FOUND"
    status, wrong_root = await client.get(f"/v3/snapshot/options/SPY/{ticker}")
    assert status == 404


async def test_an_unknown_underlying_has_an_empty_chain(
    sim: SimServer, api: Callable[[SimServer], Api]
) -> None:
    body = await api(sim).ok("/v3/snapshot/options/ZZZZ")
    assert body["results"] == [] and "next_url" not in body


# --- one tape, many views ----------------------------------------------------------------------


async def test_the_chains_volume_and_vwap_are_the_sums_over_the_trades(
    sim: SimServer, api: Callable[[SimServer], Api]
) -> None:
    client = api(sim)
    rows = await client.every_page("/v3/snapshot/options/SPY", limit=250)
    traded = [row for row in rows if row["day"]["volume"]]
    assert len(traded) >= 10
    for row in traded[::3]:
        ticker = row["details"]["ticker"]
        trades = await client.every_page(f"/v3/trades/{ticker}", order="asc", limit=7)
        volume = sum(trade["size"] for trade in trades)
        assert row["day"]["volume"] == volume
        assert row["day"]["vwap"] == pytest.approx(
            sum(t["price"] * t["size"] for t in trades) / volume, abs=1e-4
        )
        assert (row["day"]["open"], row["day"]["close"]) == (trades[0]["price"], trades[-1]["price"])
        assert row["day"]["high"] == max(t["price"] for t in trades) and row["day"]["low"] == min(
            t["price"] for t in trades
        )
        assert row["last_trade"]["sip_timestamp"] == trades[-1]["sip_timestamp"]


async def test_a_planted_sweep_shows_in_the_trades_and_the_chain_at_its_time_and_not_before(
    sim: SimServer, api: Callable[[SimServer], Api]
) -> None:
    client, clock = api(sim), clock_of(sim)
    truth = next(entry for entry in sim.truth() if entry.id == "q-bullseye-c")
    ticker = truth.contract  # type: ignore[union-attr]
    path = f"/v3/snapshot/options/C/{ticker}"
    clock.set(at(13, 9))
    before = (await client.ok(path))["results"]["day"]
    clock.set(at(13, 12))
    after = (await client.ok(path))["results"]["day"]
    prints = await client.every_page(
        f"/v3/trades/{ticker}", order="asc", **{"timestamp.gte": epoch_ns(at(13, 10))}
    )
    assert sum(trade["size"] for trade in prints) == truth.size == after["volume"] - before["volume"]  # type: ignore[union-attr]
    assert sum(t["price"] * t["size"] * 100 for t in prints) == pytest.approx(truth.premium)  # type: ignore[union-attr]
    assert len({trade["exchange"] for trade in prints}) == truth.prints  # type: ignore[union-attr]
    notional = after["vwap"] * after["volume"] - before["vwap"] * before["volume"]
    assert notional * 100 == pytest.approx(truth.premium, rel=1e-3)  # type: ignore[union-attr]


async def test_nothing_after_the_clocks_now_is_served(
    sim: SimServer, api: Callable[[SimServer], Api]
) -> None:
    client = api(sim)
    now = epoch_ns(sim.clock.now())
    for path in (
        "/v3/trades/SPY",
        "/v3/quotes/SPY",
        f"/v3/trades/{sim.market.books['SPY'].flow_tickers['q-golden-spy']}",
    ):
        body = await client.ok(path, limit=5)
        assert body["results"] and max(row["sip_timestamp"] for row in body["results"]) <= now
    minutes = await client.ok("/v2/aggs/ticker/SPY/range/1/minute/2026-03-30/2026-03-30", limit=50000)
    assert max(bar["t"] for bar in minutes["results"]) < now // 1_000_000


async def test_trade_pages_never_overlap_or_skip_in_either_order(
    sim: SimServer, api: Callable[[SimServer], Api]
) -> None:
    client = api(sim)
    whole = (await client.ok("/v3/trades/SPY", order="asc", limit=50000))["results"]
    ascending = await client.every_page("/v3/trades/SPY", order="asc", limit=333)
    descending = await client.every_page("/v3/trades/SPY", limit=500)
    assert ascending == whole and descending == whole[::-1]
    assert len(whole) > 1000


async def test_an_ascending_cursor_keeps_reading_as_the_day_goes_on(
    sim: SimServer, api: Callable[[SimServer], Api]
) -> None:
    client, clock = api(sim), clock_of(sim)
    first = await client.ok(
        "/v3/trades/SPY", order="asc", limit=50000, **{"timestamp.gte": epoch_ns(at(10, 59))}
    )
    assert "next_url" not in first
    last_seen = first["results"][-1]["sip_timestamp"]
    page = await client.ok("/v3/trades/SPY", order="asc", limit=100, **{"timestamp.gt": last_seen})
    assert page["results"] == []
    clock.set(at(11, 5))
    later = await client.every_page("/v3/trades/SPY", order="asc", limit=100, **{"timestamp.gt": last_seen})
    assert later and all(last_seen < row["sip_timestamp"] <= epoch_ns(at(11, 5)) for row in later)


async def test_planted_buys_print_at_the_ask_of_the_quote_in_force(
    sim: SimServer, api: Callable[[SimServer], Api]
) -> None:
    client = api(sim)
    ticker = sim.market.books["SPY"].flow_tickers["q-golden-spy"]
    prints = await client.every_page(
        f"/v3/trades/{ticker}", order="asc", **{"timestamp.gte": epoch_ns(at(10, 5))}
    )
    for trade in prints[:5]:
        (quote,) = (
            await client.ok(f"/v3/quotes/{ticker}", limit=1, **{"timestamp.lte": trade["sip_timestamp"]})
        )["results"]
        assert quote["sip_timestamp"] <= trade["sip_timestamp"] < quote["sip_timestamp"] + 1_000_000_000
        assert trade["price"] == quote["ask_price"] > quote["bid_price"]


async def test_the_stock_snapshot_day_is_the_tape_so_far(
    sim: SimServer, api: Callable[[SimServer], Api]
) -> None:
    client = api(sim)
    ticker = (await client.ok("/v2/snapshot/locale/us/markets/stocks/tickers/SPY"))["ticker"]
    trades = await client.every_page("/v3/trades/SPY", order="asc", limit=50000)
    assert ticker["day"]["v"] == sum(trade["size"] for trade in trades)
    assert ticker["day"]["vw"] == pytest.approx(
        sum(t["price"] * t["size"] for t in trades) / ticker["day"]["v"], abs=1e-4
    )
    assert ticker["lastTrade"]["p"] == trades[-1]["price"] and ticker["lastTrade"]["i"] == trades[-1]["id"]
    assert ticker["prevDay"]["c"] == 640.0
    minutes = await client.ok("/v2/aggs/ticker/SPY/range/1/minute/2026-03-30/2026-03-30", limit=50000)
    assert sum(bar["v"] for bar in minutes["results"]) == ticker["day"]["v"]
    assert ticker["min"]["t"] == minutes["results"][-1]["t"] and ticker["min"]["av"] == ticker["day"]["v"]


async def test_a_dark_print_is_reported_on_a_trf(sim: SimServer, api: Callable[[SimServer], Api]) -> None:
    client = api(sim)
    truth = next(entry for entry in sim.truth() if entry.id == "q-dark-spy")
    window = {"timestamp.gte": truth.timestamp_ns, "timestamp.lte": truth.timestamp_ns}
    (row,) = (await client.ok("/v3/trades/SPY", **window))["results"]
    assert (row["exchange"], row["trf_id"], row["size"], row["id"]) == (4, 202, 25000, truth.trade_id)  # type: ignore[union-attr]
    assert row["trf_timestamp"] <= row["sip_timestamp"]


# --- bars ---------------------------------------------------------------------------------------


async def test_daily_history_is_long_enough_for_sma50_and_rsi(
    sim: SimServer, api: Callable[[SimServer], Api]
) -> None:
    body = await api(sim).ok("/v2/aggs/ticker/SPY/range/1/day/2025-01-01/2026-03-30")
    bars = body["results"]
    assert len(bars) == 121 and body["resultsCount"] == 121  # 120 sessions of history and today so far
    days = [datetime.fromtimestamp(bar["t"] / 1000, tz=ET).date() for bar in bars]
    assert days == sorted(days) and days[-1] == SESSION and date(2026, 3, 27) in days


async def test_a_limited_range_continues_through_next_url_to_the_same_bars(
    sim: SimServer, api: Callable[[SimServer], Api]
) -> None:
    client = api(sim)
    path = "/v2/aggs/ticker/C/range/5/minute/2026-03-26/2026-03-30"
    whole = (await client.ok(path, limit=50000))["results"]
    # Two earlier sessions, 09:30-11:00 today, and the 08:15 pre-market dark print's bar.
    assert len(whole) == 78 * 2 + 18 + 1
    paged = await client.every_page(path, limit=400)
    assert paged == whole


async def test_hourly_bars_fold_the_minutes_of_each_hour(
    sim: SimServer, api: Callable[[SimServer], Api]
) -> None:
    client = api(sim)
    minutes = (await client.ok("/v2/aggs/ticker/C/range/1/minute/2026-03-27/2026-03-27", limit=50000))[
        "results"
    ]
    hours = (await client.ok("/v2/aggs/ticker/C/range/1/hour/2026-03-27/2026-03-27"))["results"]
    assert len(hours) == 7 and sum(bar["v"] for bar in hours) == sum(bar["v"] for bar in minutes)
    assert hours[0]["o"] == minutes[0]["o"] and hours[-1]["c"] == minutes[-1]["c"]


# --- the same seed, the same bytes -----------------------------------------------------------


REQUESTS = [
    ("/v3/snapshot/options/SPY", {"limit": 250}),
    ("/v3/snapshot/options/C", {"limit": 20, "sort": "strike_price", "order": "desc"}),
    ("/v3/trades/SPY", {"limit": 500}),
    ("/v3/quotes/C", {"limit": 50}),
    ("/v2/aggs/ticker/COST/range/1/minute/2026-03-27/2026-03-30", {}),
    ("/v2/snapshot/locale/us/markets/stocks/tickers", {}),
    ("/v1/marketstatus/now", {}),
]


async def responses(sim: SimServer, client: Api) -> list[bytes]:
    bodies = []
    for path, query in REQUESTS:
        status, body, _ = await client.raw(path, **query)
        assert status == 200
        bodies.append(body.replace(sim.base_url.encode(), b"http://sim"))
    return bodies


async def test_the_same_scenario_and_seed_give_byte_identical_responses(
    quick: Scenario, api: Callable[[SimServer], Api]
) -> None:
    async with SimServer.start(quick, clock=VirtualClock(at(12))) as first:
        one = await responses(first, api(first))
    async with SimServer.start(quick, clock=VirtualClock(at(12))) as second:
        two = await responses(second, api(second))
    assert one == two
    reseeded = quick.model_copy(update={"seed": quick.seed + 1, "underlyings": [
        spec.model_copy(update={"seed": None}) for spec in quick.underlyings
    ]})  # fmt: skip
    async with SimServer.start(reseeded, clock=VirtualClock(at(12))) as other:
        three = await responses(other, api(other))
    assert three[0] != one[0] and three[2] != one[2]


async def test_ground_truth_never_shows_in_a_response(
    sim: SimServer, api: Callable[[SimServer], Api]
) -> None:
    clock_of(sim).set(at(16, 30))
    client = api(sim)
    bodies = [json.dumps(await client.ok(path, **query)) for path, query in REQUESTS]
    bodies += [json.dumps(await client.every_page("/v3/trades/SPY", limit=50000))]
    for event in sim.scenario.events:
        assert not any(event.id in body for body in bodies)
        assert not event.note or not any(event.note in body for body in bodies)


# --- market status ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("moment", "market", "early", "after"),
    [(at(8), "extended-hours", True, False), (at(11), "open", False, False),
     (at(17), "extended-hours", False, True), (at(21), "closed", False, False)],
)  # fmt: skip
async def test_market_status_follows_the_clock(
    quick: Scenario, api: Callable[[SimServer], Api], moment: datetime, market: str, early: bool, after: bool
) -> None:
    async with SimServer.start(quick, clock=VirtualClock(moment)) as sim:
        body = await api(sim).ok("/v1/marketstatus/now")
    assert (body["market"], body["earlyHours"], body["afterHours"]) == (market, early, after)
    assert body["serverTime"] == moment.isoformat()
