"""The client against a real aiohttp server on 127.0.0.1 serving the reference fixtures."""

from __future__ import annotations

import asyncio
import copy
import logging
import socket
from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from aiohttp import web

from bot.config import load_settings
from bot.market.clock import VirtualClock
from bot.polygon.client import PolygonClient
from bot.polygon.errors import (
    AuthError,
    MalformedResponseError,
    NotEntitledError,
    NotFoundError,
    PaginationError,
    PolygonError,
    RateLimitedError,
    UpstreamError,
)
from tests.polygon.conftest import API_KEY
from tests.polygon.stub import PolygonStub, Reply, json_reply
from tests.support.fixtures import polygon_bytes, polygon_json

MakeClient = Callable[..., PolygonClient]
CHAIN = "/v3/snapshot/options/AAPL"


def chain_page(page: int, next_url: str | None, size: int = 3) -> dict[str, Any]:
    """A chain page built from the go client's fixture, with distinct contracts per page."""
    raw = polygon_json("snapshot_options_chain_AAPL_page1_with_next_url__client-go.json")
    template = raw["results"][0]
    results = []
    for i in range(size):
        contract = copy.deepcopy(template)
        strike = 100 + 10 * page + i
        contract["details"]["strike_price"] = strike
        contract["details"]["ticker"] = f"O:AAPL230106C{strike * 1000:08d}"
        results.append(contract)
    body: dict[str, Any] = {"status": "OK", "request_id": f"req-{page}", "results": results}
    if next_url:
        body["next_url"] = next_url
    return body


def by_cursor(pages: dict[str | None, dict[str, Any]]) -> Callable[[web.Request], Reply]:
    return lambda request: json_reply(pages[request.query.get("cursor")])


# --- pagination -----------------------------------------------------------------------------


async def test_three_pages_every_result_once_with_auth_on_every_page(
    stub: PolygonStub, make_client: MakeClient
) -> None:
    # next_urls as the real API writes them: another host (the client must re-base them onto
    # its own base URL) and, on page 2, an apiKey the client must not forward.
    pages = {
        None: chain_page(1, "https://api.massive.com/v3/snapshot/options/AAPL?cursor=P2"),
        "P2": chain_page(2, "https://api.massive.com/v3/snapshot/options/AAPL?cursor=P3&apiKey=leaked"),
        "P3": chain_page(3, None),
    }
    stub.route(CHAIN, handler=by_cursor(pages))
    client = make_client()
    snapshot = await client.options_chain(
        "AAPL", expiration_date_lte=date(2023, 6, 16), strike_price_gte=100, strike_price_lte=200.5,
        contract_type="call",
    )
    expected = [c["details"]["ticker"] for p in pages.values() for c in p["results"]]
    assert [c.details.ticker for c in snapshot.results] == expected
    assert len(set(expected)) == 9 and snapshot.pages == 3 and snapshot.underlying == "AAPL"
    assert [seen.param("cursor") for seen in stub.seen] == [None, "P2", "P3"]
    assert all(seen.authorization == f"Bearer {API_KEY}" for seen in stub.seen)
    assert all("apikey" not in seen.path_qs.lower() for seen in stub.seen)
    first = stub.seen[0]
    assert dict(first.query) == {
        "expiration_date.lte": "2023-06-16",
        "strike_price.gte": "100",
        "strike_price.lte": "200.5",
        "contract_type": "call",
        "limit": "250",
    }
    assert client.stats.pages == 3 and client.stats.requests_by_endpoint["options_chain"] == 3


async def test_a_looping_cursor_stops_with_a_pagination_error(stub: PolygonStub, make_client: MakeClient, clock: VirtualClock) -> None:
    pages = {
        None: chain_page(1, f"{stub.url}{CHAIN}?cursor=A"),
        "A": chain_page(2, f"{stub.url}{CHAIN}?cursor=B"),
        "B": chain_page(3, f"{stub.url}{CHAIN}?cursor=A"),  # back to a page already fetched
    }
    stub.route(CHAIN, handler=by_cursor(pages))
    client = make_client()
    with pytest.raises(PaginationError, match="looping cursor") as caught:
        await clock.run(client.options_chain("AAPL"))
    assert len(stub.seen) == 3
    assert caught.value.endpoint == CHAIN
    assert client.stats.errors["pagination"] == 1


async def test_a_next_url_back_to_the_first_page_is_a_loop(stub: PolygonStub, make_client: MakeClient, clock: VirtualClock) -> None:
    stub.route(CHAIN, json_reply(chain_page(1, f"{stub.url}{CHAIN}?limit=250")))
    with pytest.raises(PaginationError):
        await clock.run(make_client().options_chain("AAPL"))
    assert len(stub.seen) == 1


async def test_the_page_cap_stops_an_endless_chain(stub: PolygonStub, make_client: MakeClient, clock: VirtualClock) -> None:
    def endless(request: web.Request) -> Reply:
        n = int(request.query.get("cursor", "0")) + 1
        return json_reply(chain_page(n, f"{stub.url}{CHAIN}?cursor={n}"))

    stub.route(CHAIN, handler=endless)
    with pytest.raises(PaginationError, match="more than 4 pages"):
        await clock.run(make_client(max_pages=4).options_chain("AAPL"))
    assert len(stub.seen) == 4


async def test_quotes_follow_next_url_to_the_last_page(stub: PolygonStub, make_client: MakeClient) -> None:
    page1 = polygon_json("quotes_stocks_AAPL_page1_with_next_url__client-python.json")
    page2 = polygon_json("quotes_stocks_AAPL_page2_last__client-python.json")
    stub.route("/v3/quotes/AAPL", json_reply(page1), json_reply(page2))
    quotes = await make_client().quotes("AAPL", timestamp_gte=1652191872000000000, timestamp_lt=1652191873000000000)
    assert [q.sequence_number for q in quotes] == [
        q["sequence_number"] for q in page1["results"] + page2["results"]
    ]
    assert dict(stub.seen[0].query) == {
        "timestamp.gte": "1652191872000000000",
        "timestamp.lt": "1652191873000000000",
        "order": "asc",
        "sort": "timestamp",
        "limit": "50000",
    }
    assert stub.seen[1].param("cursor") is not None and len(stub.seen) == 2


async def test_trades_of_an_option_contract(stub: PolygonStub, make_client: MakeClient) -> None:
    body = polygon_json("spec_example_trades_options.json")
    del body["next_url"]
    stub.route("/v3/trades/O:AZO140621P00530000", json_reply(body))
    trades = await make_client().trades("O:AZO140621P00530000", timestamp_gt=1, timestamp_lte=2, order="desc", limit=10)
    assert [(t.price, t.exchange) for t in trades] == [(6.91, 46), (7.2, 67)]
    assert dict(stub.seen[0].query) == {
        "timestamp.gt": "1", "timestamp.lte": "2", "order": "desc", "sort": "timestamp", "limit": "10",
    }


async def test_aggregates_from_the_real_cassette(stub: PolygonStub, make_client: MakeClient) -> None:
    name = "aggs_AAPL_1day_2023-01-01_2023-01-10__REAL_openbb_cassette.json"
    stub.route("/v2/aggs/ticker/AAPL/range/1/day/2023-01-01/2023-01-10", json_reply(polygon_bytes(name)))
    bars = await make_client().aggregates("AAPL", 1, "day", date(2023, 1, 1), date(2023, 1, 10))
    assert [bar.t for bar in bars] == [r["t"] for r in polygon_json(name)["results"]]
    assert bars[0].c == 125.07 and bars[0].v == 112117471.0
    assert dict(stub.seen[0].query) == {"adjusted": "true", "sort": "asc", "limit": "50000"}


async def test_aggregates_accept_millisecond_bounds(stub: PolygonStub, make_client: MakeClient) -> None:
    stub.route(
        "/v2/aggs/ticker/AAPL/range/5/minute/1672722000000/1672808400000",
        json_reply(polygon_bytes("aggs_AAPL_1day_2005-04-01_2005-04-04__client-python.json")),
    )
    bars = await make_client().aggregates("AAPL", 5, "minute", 1672722000000, 1672808400000, adjusted=False)
    assert len(bars) == 2 and stub.seen[0].param("adjusted") == "false"


async def test_snapshots_reference_data_and_market_status(stub: PolygonStub, make_client: MakeClient) -> None:
    spec = polygon_json("openapi_massive_rest__client-go_2026-07-08.json")
    status_example = spec["paths"]["/v1/marketstatus/now"]["get"]["responses"]["200"]["content"][
        "application/json"
    ]["example"]
    routes = {
        "/v3/snapshot/options/AAPL/O:AAPL230616C00150000": "snapshot_option_contract_AAPL230616C00150000__client-go.json",
        "/v2/snapshot/locale/us/markets/stocks/tickers/AAPL": "snapshot_stocks_ticker_AAPL__client-python.json",
        "/v2/snapshot/locale/us/markets/stocks/tickers": "snapshot_stocks_all_tickers__client-python.json",
        "/v3/reference/conditions": "conditions_stocks_first10__client-python.json",
        "/v3/reference/exchanges": "exchanges_stocks__client-python.json",
        "/v2/last/trade/AAPL": "last_trade_stocks_AAPL_trf_darkpool__client-python.json",
    }
    for path, name in routes.items():
        stub.route(path, json_reply(polygon_bytes(name)))
    stub.route("/v1/marketstatus/now", json_reply(status_example))
    client = make_client()

    contract = await client.option_contract("AAPL", "O:AAPL230616C00150000")
    assert contract.details.ticker == "O:AAPL230616C00150000" and contract.last_trade.exchange == 308
    assert (await client.stock_snapshot("AAPL")).ticker == "AAPL"
    assert [s.ticker for s in await client.stock_snapshots(["BCAT", "AAPL"])] == ["BCAT"]
    assert await client.stock_snapshots([]) == []
    assert len(await client.conditions("stocks")) == 10
    exchanges = await client.exchanges("stocks")
    assert sum(1 for e in exchanges if e.id == 4 and e.type == "TRF") == 4
    last = await client.last_trade("AAPL")
    assert (last.exchange, last.trf_id) == (4, 202)
    status = await client.market_status()
    assert status.market == status_example["market"] and status.exchanges is not None

    queries = {seen.path: dict(seen.query) for seen in stub.seen}
    assert queries["/v2/snapshot/locale/us/markets/stocks/tickers"] == {"tickers": "BCAT,AAPL"}
    assert queries["/v3/reference/conditions"] == {"asset_class": "stocks", "data_type": "trade", "limit": "1000"}
    assert queries["/v3/reference/exchanges"] == {"asset_class": "stocks"}
    assert len(stub.seen) == 7  # one call per method; the empty ticker list made none


# --- retries and typed errors ---------------------------------------------------------------


def contract_route(stub: PolygonStub, *replies: Reply) -> str:
    path = "/v3/snapshot/options/AAPL/O:AAPL230616C00150000"
    stub.route(path, *replies)
    return path


def contract_ok() -> Reply:
    return json_reply(polygon_bytes("snapshot_option_contract_AAPL230616C00150000__client-python.json"))


async def test_429_retry_after_is_honoured_on_the_clock(
    stub: PolygonStub, make_client: MakeClient, clock: VirtualClock
) -> None:
    contract_route(stub, json_reply({"status": "ERROR"}, 429, {"Retry-After": "7"}), contract_ok())
    client = make_client()
    got = await clock.run(client.option_contract("AAPL", "O:AAPL230616C00150000"))
    assert got.details.strike_price == 150
    assert [seen.at for seen in stub.seen] == [0.0, 7.0]  # slept exactly Retry-After
    assert (client.stats.rate_limited, client.stats.retries, client.stats.requests) == (1, 1, 2)


async def test_5xx_is_retried_with_backoff_then_succeeds(
    stub: PolygonStub, make_client: MakeClient, clock: VirtualClock
) -> None:
    contract_route(stub, Reply(502, b"<html>bad gateway</html>"), json_reply({}, 503), contract_ok())
    client = make_client(max_retries=4)
    await clock.run(client.option_contract("AAPL", "O:AAPL230616C00150000"))
    first, second, third = (seen.at for seen in stub.seen)
    # equal jitter: attempt n waits between half and all of 0.5 s * 2**(n-1)
    assert 0.25 <= second - first <= 0.5 and 0.5 <= third - second <= 1.0
    assert client.stats.retries == 2 and not client.stats.errors


@pytest.mark.parametrize(
    ("reply", "error_type", "status"),
    [
        (json_reply({"status": "ERROR", "request_id": "r503"}, 503), UpstreamError, 503),
        (json_reply({"status": "ERROR"}, 429), RateLimitedError, 429),
    ],
)
async def test_retries_exhausted_raise_a_typed_error(
    stub: PolygonStub, make_client: MakeClient, clock: VirtualClock,
    reply: Reply, error_type: type[PolygonError], status: int,
) -> None:
    path = contract_route(stub, reply)
    client = make_client(max_retries=2)
    with pytest.raises(error_type) as caught:
        await clock.run(client.option_contract("AAPL", "O:AAPL230616C00150000"))
    assert len(stub.seen) == 3
    assert (caught.value.status, caught.value.endpoint) == (status, path)
    assert client.stats.errors == {caught.value.kind: 1} and client.stats.retries == 2


async def test_a_retry_after_too_long_to_wait_gives_up_at_once(
    stub: PolygonStub, make_client: MakeClient, clock: VirtualClock
) -> None:
    contract_route(stub, json_reply({"status": "ERROR"}, 429, {"Retry-After": "3600"}))
    with pytest.raises(RateLimitedError, match="asked to wait 3600s"):
        await clock.run(make_client().option_contract("AAPL", "O:AAPL230616C00150000"))
    assert len(stub.seen) == 1


def _issue_bodies(case_prefix: str) -> list[dict[str, Any]]:
    entries = polygon_json("errors_observed_in_public_issues.json")["entries"]
    return [e["body"] for e in entries if e["case"].startswith(case_prefix) and e["body"]]


async def test_403_not_authorized_bodies_map_to_not_entitled_without_retry(
    stub: PolygonStub, make_client: MakeClient, clock: VirtualClock
) -> None:
    bodies = _issue_bodies("plan_")
    assert len(bodies) == 4
    for i, body in enumerate(bodies):
        path = f"/v2/aggs/ticker/T{i}/range/1/day/2020-06-01/2020-06-17"
        stub.route(path, json_reply(body, 403))
        with pytest.raises(NotEntitledError) as caught:
            await clock.run(make_client().aggregates(f"T{i}", 1, "day", date(2020, 6, 1), date(2020, 6, 17)))
        assert len(stub.requests_to(path)) == 1
        assert body["message"] in str(caught.value)
        assert (caught.value.status, caught.value.request_id, caught.value.endpoint) == (403, body["request_id"], path)


async def test_401_and_a_missing_key_map_to_auth_error_without_retry(stub: PolygonStub, make_client: MakeClient, clock: VirtualClock) -> None:
    missing = _issue_bodies("api_key_missing")[0]
    for status, body in [(401, {"status": "ERROR", "request_id": "x1", "error": "Unknown API Key"}), (400, missing)]:
        path = contract_route(stub, json_reply(body, status))
        with pytest.raises(AuthError, match=body["error"]) as caught:
            await clock.run(make_client().option_contract("AAPL", "O:AAPL230616C00150000"))
        assert caught.value.status == status
        assert len(stub.requests_to(path)) == 1
        stub.seen.clear()


async def test_404_is_not_found_without_retry(stub: PolygonStub, make_client: MakeClient, clock: VirtualClock) -> None:
    with pytest.raises(NotFoundError) as caught:
        await clock.run(make_client().stock_snapshot("NOPE"))
    assert len(stub.seen) == 1 and caught.value.status == 404


@pytest.mark.parametrize(
    "body",
    [b"<html>not json</html>", b'{"status": "OK", "results": {"not": "a list"}}', b'{"results": [{"details": 1}]}'],
)
async def test_malformed_responses_are_reported_as_such(
    stub: PolygonStub, make_client: MakeClient, clock: VirtualClock, body: bytes
) -> None:
    stub.route(CHAIN, json_reply(body))
    with pytest.raises(MalformedResponseError) as caught:
        await clock.run(make_client().options_chain("AAPL"))
    assert len(stub.seen) == 1 and caught.value.endpoint == CHAIN and caught.value.status == 200


async def test_a_timeout_is_retried_then_reported(
    stub: PolygonStub, make_client: MakeClient, clock: VirtualClock
) -> None:
    contract_route(stub, Reply(200, b"{}", delay=5.0))
    client = make_client(timeout=0.15, max_retries=1)
    with pytest.raises(UpstreamError, match="timed out after 0.15s"):
        await clock.run(client.option_contract("AAPL", "O:AAPL230616C00150000"))
    assert len(stub.seen) == 2 and client.stats.retries == 1


async def test_a_refused_connection_is_retried_then_reported(make_client: MakeClient, clock: VirtualClock) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    client = make_client(base_url=f"http://127.0.0.1:{port}", max_retries=2)
    with pytest.raises(UpstreamError, match="connection failed"):
        await clock.run(client.market_status())
    assert client.stats.requests == 3 and client.stats.errors == {"upstream": 1}


# --- the limiter and the cache, through the client ------------------------------------------


async def test_every_attempt_waits_on_the_limiter(
    stub: PolygonStub, make_client: MakeClient, clock: VirtualClock
) -> None:
    for ticker in "ABCDE":
        stub.route(f"/v2/snapshot/locale/us/markets/stocks/tickers/{ticker}",
                   json_reply(polygon_bytes("snapshot_stocks_ticker_AAPL__client-python.json")))
    stub.route("/v2/snapshot/locale/us/markets/stocks/tickers/A", json_reply({}, 503),
               json_reply(polygon_bytes("snapshot_stocks_ticker_AAPL__client-python.json")))
    client = make_client(requests_per_second=2.0, burst=2)
    admitted: list[float] = []
    acquire = client.limiter.acquire

    async def recording_acquire() -> None:
        await acquire()
        admitted.append(clock.monotonic())

    client.limiter.acquire = recording_acquire  # type: ignore[method-assign]

    async def five() -> None:
        await asyncio.gather(*(client.stock_snapshot(t) for t in "ABCDE"))

    await clock.run(five())
    # The server's clock readings run ahead (the virtual clock jumps while I/O is in flight),
    # so admissions are observed at the limiter: two at once, then one every 0.5 s, the
    # retry of A included.
    assert admitted == pytest.approx([0.0, 0.0, 0.5, 1.0, 1.5, 2.0])
    assert len(stub.seen) == client.stats.requests == client.limiter.admitted == 6
    assert client.stats.requests_last_minute() == 6


async def test_twenty_concurrent_identical_requests_make_one_call_then_the_ttl_applies(
    stub: PolygonStub, make_client: MakeClient, clock: VirtualClock
) -> None:
    release = asyncio.Event()

    async def slow(request: web.Request) -> Reply:
        await release.wait()
        return json_reply(chain_page(1, None))

    stub.route(CHAIN, handler=slow)
    client = make_client(cache_ttls={"options_chain": 2.0})
    calls = [asyncio.ensure_future(client.options_chain("AAPL")) for _ in range(20)]
    while not stub.seen:
        await asyncio.sleep(0.001)
    await asyncio.sleep(0.02)
    release.set()
    results = await asyncio.gather(*calls)
    assert len(stub.seen) == 1
    assert all(result is results[0] for result in results)
    assert (client.stats.cache_misses, client.stats.cache_collapsed) == (1, 19)

    clock.advance(1.5)  # the TTL is 2 s: still fresh
    assert await client.options_chain("AAPL") is results[0]
    assert len(stub.seen) == 1 and client.stats.cache_hits == 1
    clock.advance(0.5)
    fresh = await client.options_chain("AAPL")
    assert fresh is not results[0] and len(stub.seen) == 2
    assert fresh.fetched_at == clock.now()


async def test_a_chain_is_shared_by_concurrent_callers_but_not_kept(stub: PolygonStub, make_client: MakeClient) -> None:
    stub.route(CHAIN, json_reply(chain_page(1, None)))
    client = make_client()
    first, second = await asyncio.gather(client.options_chain("AAPL"), client.options_chain("AAPL"))
    assert first is second and len(stub.seen) == 1
    assert await client.options_chain("AAPL") is not first and len(stub.seen) == 2
    assert len(client.cache) == 0


async def test_concurrent_identical_failures_share_one_call_and_are_not_cached(
    stub: PolygonStub, make_client: MakeClient, clock: VirtualClock
) -> None:
    client = make_client()
    outcomes = await clock.run(
        asyncio.gather(*(client.stock_snapshot("NOPE") for _ in range(20)), return_exceptions=True)
    )
    assert all(isinstance(o, NotFoundError) for o in outcomes) and len(stub.seen) == 1
    with pytest.raises(NotFoundError):
        await clock.run(client.stock_snapshot("NOPE"))
    assert len(stub.seen) == 2


async def test_trades_are_not_cached(stub: PolygonStub, make_client: MakeClient) -> None:
    stub.route("/v3/trades/AAPL", json_reply(polygon_bytes("trades_stocks_AAPL_limit2__client-python.json")))
    client = make_client()
    first = await client.trades("AAPL", timestamp_gt=5)
    second = await client.trades("AAPL", timestamp_gt=5)
    assert first == second and first[0].trf_id == 3 and len(stub.seen) == 2


# --- the key never leaks ----------------------------------------------------------------------


async def test_the_api_key_never_appears_in_logs_errors_or_urls(
    stub: PolygonStub, make_client: MakeClient, clock: VirtualClock, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    stub.route(CHAIN, handler=by_cursor({
        None: chain_page(1, f"https://api.massive.com{CHAIN}?cursor=Z&apiKey={API_KEY}"),
        "Z": chain_page(2, f"{stub.url}{CHAIN}?cursor=Z&apiKey={API_KEY}"),  # loops, with the key
    }))
    stub.route("/v1/marketstatus/now", json_reply({"status": "ERROR", "error": f"bad key {API_KEY}"}, 401))
    stub.route("/v2/last/trade/AAPL", json_reply({}, 503))
    stub.route("/v2/last/trade/MSFT", json_reply({}, 429))
    stub.route("/v2/snapshot/locale/us/markets/stocks/tickers/AAPL", json_reply(b"nope"))
    stub.route("/v2/snapshot/locale/us/markets/stocks/tickers/MSFT", Reply(200, b"{}", delay=5.0))
    client = make_client(timeout=0.1, max_retries=1)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed = f"http://127.0.0.1:{probe.getsockname()[1]}"
    refused = make_client(base_url=closed, max_retries=0)
    failing = [
        client.options_chain("AAPL"),
        client.market_status(),
        client.last_trade("AAPL"),
        client.last_trade("MSFT"),
        client.stock_snapshot("AAPL"),
        client.stock_snapshot("MSFT"),
        refused.market_status(),
    ]
    errors = [await clock.run(_raises(call)) for call in failing]
    assert [type(e) for e in errors] == [
        PaginationError, AuthError, UpstreamError, RateLimitedError, MalformedResponseError, UpstreamError,
        UpstreamError,
    ]
    texts = [str(e) for e in errors] + [repr(e) for e in errors] + [repr(client), repr(refused)]
    texts += [record.getMessage() for record in caplog.records]
    texts += [record.exc_text or "" for record in caplog.records]
    texts += [seen.path_qs for seen in stub.seen]
    assert caplog.records, "failures are logged"
    assert all(API_KEY not in text for text in texts)
    assert all(seen.authorization == f"Bearer {API_KEY}" for seen in stub.seen)
    assert "bad key ***" in str(errors[1])  # the server echoed the key; it was redacted


async def _raises(call: Any) -> PolygonError:
    try:
        await call
    except PolygonError as error:
        return error
    raise AssertionError("expected a PolygonError")


# --- construction -------------------------------------------------------------------------


async def test_from_settings(clock: VirtualClock) -> None:
    settings = load_settings(
        POLYGON_API_KEY="k-from-env", polygon_base_url="http://127.0.0.1:9/", requests_per_second=3.0,
        max_pages_per_chain=7, http_timeout_seconds=2.5, http_max_retries=1,
    )
    async with PolygonClient.from_settings(settings, clock=clock) as client:
        assert client.base_url == "http://127.0.0.1:9"
        assert (client.limiter.rate, client.limiter.burst) == (3.0, 3)
        assert (client.max_pages, client.timeout, client.max_retries) == (7, 2.5, 1)
    with pytest.raises(AuthError, match="POLYGON_API_KEY"):
        PolygonClient.from_settings(load_settings(), clock=clock)
