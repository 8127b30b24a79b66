"""Each endpoint answers in Polygon's shape: the keys and JSON types of the real fixtures and
the official spec's examples (see tests/sim/shapes.py for the rules of the comparison)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from bot.sim.server import SimServer
from tests.sim.conftest import Api
from tests.sim.shapes import response_example, response_schema, shape_problems
from tests.support.fixtures import polygon_json

CHAIN = "/v3/snapshot/options/{underlyingAsset}"
CONTRACT = "/v3/snapshot/options/{underlyingAsset}/{optionContract}"
STOCK_SNAPSHOT = "/v2/snapshot/locale/us/markets/stocks/tickers/{stocksTicker}"
AGGS = "/v2/aggs/ticker/{stocksTicker}/range/{multiplier}/{timespan}/{from}/{to}"
OPTION_AGGS = "/v2/aggs/ticker/{optionsTicker}/range/{multiplier}/{timespan}/{from}/{to}"

# (what, request path with {contract} for a contract that has traded, query, reference fixtures, spec path)
CASES: list[tuple[str, str, dict[str, Any], list[str], str]] = [
    ("options chain", "/v3/snapshot/options/SPY", {"limit": 3},
     ["spec_example_snapshot_options_chain.json", "snapshot_options_chain_AAPL__client-python.json"], CHAIN),
    ("option contract", "/v3/snapshot/options/SPY/{contract}", {},
     ["spec_example_snapshot_option_contract.json", "snapshot_option_contract_AAPL230616C00150000__client-python.json",
      "snapshot_option_contract_AAPL230616C00150000__client-go.json"], CONTRACT),
    ("option trades", "/v3/trades/{contract}", {"limit": 2}, ["spec_example_trades_options.json"], "/v3/trades/{optionsTicker}"),
    ("stock trades", "/v3/trades/SPY", {"limit": 2}, ["spec_example_trades_stocks.json"], "/v3/trades/{stockTicker}"),
    ("option quotes", "/v3/quotes/{contract}", {"limit": 2}, ["spec_example_quotes_options.json"], "/v3/quotes/{optionsTicker}"),
    ("stock quotes", "/v3/quotes/SPY", {"limit": 2},
     ["spec_example_quotes_stocks.json", "quotes_stocks_AAPL_page1_with_next_url__client-python.json"], "/v3/quotes/{stockTicker}"),
    ("daily bars", "/v2/aggs/ticker/SPY/range/1/day/2026-03-02/2026-03-27", {"limit": 6},
     ["aggs_AAPL_1day_2023-01-01_2023-01-10__REAL_openbb_cassette.json", "spec_example_aggs_stocks_range.json"], AGGS),
    ("option bars", "/v2/aggs/ticker/{contract}/range/1/minute/2026-03-30/2026-03-30", {},
     ["spec_example_aggs_options_range.json"], OPTION_AGGS),
    ("stock snapshot", "/v2/snapshot/locale/us/markets/stocks/tickers/SPY", {},
     ["snapshot_stocks_ticker_AAPL__client-python.json"], STOCK_SNAPSHOT),
    ("stock snapshots", "/v2/snapshot/locale/us/markets/stocks/tickers", {"tickers": "SPY,C"},
     ["spec_example_snapshot_stocks_all_tickers.json", "snapshot_stocks_all_tickers__client-python.json"],
     "/v2/snapshot/locale/us/markets/stocks/tickers"),
    ("conditions", "/v3/reference/conditions", {"asset_class": "stocks", "limit": 10},
     ["conditions_stocks_first10__client-python.json"], "/v3/reference/conditions"),
    ("exchanges", "/v3/reference/exchanges", {"asset_class": "stocks"},
     ["exchanges_stocks__client-python.json"], "/v3/reference/exchanges"),
]  # fmt: skip


# One contract's snapshot is the same object as a chain's result; the spec's chain example
# shows a key (`last_trade.decimal_size`) its single-contract example leaves out.
EXTRA_PEERS: dict[str, list[Callable[[], Any]]] = {
    "option contract": [
        lambda: {"results": polygon_json("spec_example_snapshot_options_chain.json")["results"][0]}
    ],
}


def traded_contract(sim: SimServer) -> str:
    return sim.market.books["SPY"].flow_tickers["q-golden-spy"]


@pytest.mark.parametrize(
    ("what", "path", "query", "references", "spec_path"), CASES, ids=[case[0] for case in CASES]
)
async def test_each_endpoint_answers_in_the_shape_of_the_real_api(
    sim: SimServer,
    api: Callable[[SimServer], Api],
    what: str,
    path: str,
    query: dict[str, Any],
    references: list[str],
    spec_path: str,
) -> None:
    body = await api(sim).ok(path.format(contract=traded_contract(sim)), **query)
    fixtures = [polygon_json(name) for name in references]
    for name, reference in zip(references, fixtures, strict=True):
        peers = [*fixtures, response_example(spec_path), *(extra() for extra in EXTRA_PEERS.get(what, []))]
        assert shape_problems(reference, body, response_schema(spec_path), peers) == [], f"{what} vs {name}"


async def test_market_status_answers_in_the_shape_of_the_spec_example(
    sim: SimServer, api: Callable[[SimServer], Api]
) -> None:
    body = await api(sim).ok("/v1/marketstatus/now")
    path = "/v1/marketstatus/now"
    assert shape_problems(response_example(path), body, response_schema(path)) == []


async def test_a_plan_refusal_has_the_body_polygon_sends(
    sim: SimServer, api: Callable[[SimServer], Api]
) -> None:
    sim.set_key("starter-key", "starter")
    status, body = await api(sim).get("/v3/trades/SPY", key="starter-key")
    entries = polygon_json("errors_observed_in_public_issues.json")["entries"]
    reference = next(
        entry for entry in entries if entry["case"] == "plan_not_entitled" and entry["http_status"]
    )
    assert status == reference["http_status"]
    assert shape_problems(reference["body"], body, {}) == []
    assert body["status"] == "NOT_AUTHORIZED" and body["message"] == reference["body"]["message"]


async def test_a_missing_key_has_the_body_polygon_sends(
    sim: SimServer, api: Callable[[SimServer], Api]
) -> None:
    status, body = await api(sim).get("/v3/snapshot/options/SPY", key=None)
    reference = next(
        entry
        for entry in polygon_json("errors_observed_in_public_issues.json")["entries"]
        if entry["case"] == "api_key_missing"
    )
    assert status == 401
    assert shape_problems(reference["body"], body, {}) == [] and body["error"] == reference["body"]["error"]


def test_the_comparison_itself_catches_a_missing_key_a_wrong_type_and_an_undefined_extra() -> None:
    schema = response_schema("/v3/trades/{stockTicker}")
    reference = {"status": "OK", "results": [{"price": 1.5, "size": 1, "conditions": [12]}]}
    assert (
        shape_problems(
            reference, {"status": "OK", "results": [{"price": 2, "size": 3, "conditions": []}]}, schema
        )
        == []
    )
    assert shape_problems(
        reference, {"status": "OK", "results": [{"price": 2, "conditions": []}]}, schema
    ) == ["$.results[0].size: missing"]
    assert shape_problems(
        reference, {"status": "OK", "results": [{"price": "2", "size": 3, "conditions": []}]}, schema
    ) == ["$.results[0].price: string where the reference has number"]
    extra = {
        "status": "OK",
        "results": [{"price": 2, "size": 3, "conditions": [], "tape": 3, "sentiment": "x"}],
    }
    assert shape_problems(reference, extra, schema) == [
        "$.results[0].sentiment: not in the reference nor the spec"
    ]
    assert shape_problems(reference, {"status": "OK", "results": []}, schema) == [
        "$.results: empty where the reference has items"
    ]
    assert shape_problems(reference, extra, schema, [{"results": [{"sentiment": "y"}]}]) == []
