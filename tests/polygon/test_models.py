"""Every reference fixture of a kind the client reads decodes into the msgspec models, and
the decoded values are the ones in the JSON."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import date
from typing import Any

import msgspec
import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.polygon import models
from tests.support.fixtures import polygon_bytes, polygon_dir, polygon_json

# --- checks: decoded value against the raw JSON ---------------------------------------------


def _check_contract(got: models.OptionContractSnapshot | models.ChainContract, raw: dict[str, Any]) -> None:
    """What a chain page's lean contract and a whole contract snapshot both read."""
    details = raw["details"]
    assert got.details.ticker == details["ticker"]
    assert got.details.contract_type == details["contract_type"]
    assert got.details.strike_price == details["strike_price"]
    assert got.details.expiration_date == date.fromisoformat(details["expiration_date"])
    assert got.details.shares_per_contract == details.get("shares_per_contract", 100)
    assert got.underlying_asset is not None
    assert got.underlying_asset.ticker == raw["underlying_asset"]["ticker"]
    assert got.underlying_asset.price == raw["underlying_asset"].get("price")
    assert got.underlying_asset.timeframe == raw["underlying_asset"].get("timeframe")
    assert got.open_interest == raw.get("open_interest")
    assert got.implied_volatility == raw.get("implied_volatility")
    if raw.get("greeks"):
        assert got.greeks is not None and got.greeks.delta == raw["greeks"]["delta"]
    else:
        assert got.greeks is None
    if "day" in raw:
        assert got.day is not None
        assert (got.day.volume, got.day.vwap) == (raw["day"]["volume"], raw["day"]["vwap"])
        assert (got.day.high, got.day.low) == (raw["day"].get("high", 0.0), raw["day"].get("low", 0.0))
    else:
        assert got.day is None
    if "last_quote" in raw:
        assert got.last_quote is not None
        assert (got.last_quote.bid, got.last_quote.ask) == (raw["last_quote"]["bid"], raw["last_quote"]["ask"])
        assert got.last_quote.timeframe == raw["last_quote"].get("timeframe")
    else:
        assert got.last_quote is None
    if "last_trade" in raw:
        assert got.last_trade is not None
        assert got.last_trade.price == raw["last_trade"]["price"]
        assert got.last_trade.sip_timestamp == raw["last_trade"]["sip_timestamp"]
        assert got.last_trade.timeframe == raw["last_trade"].get("timeframe")
    else:
        assert got.last_trade is None


def check_chain(raw_bytes: bytes, raw: dict[str, Any]) -> None:
    page = models.decode_chain_page(raw_bytes)
    assert page.next_url == raw.get("next_url")
    assert page.status == raw["status"] and page.request_id == raw.get("request_id")
    assert len(page.results) == len(raw["results"]) > 0
    for got, expected in zip(page.results, raw["results"]):
        _check_contract(got, expected)


def check_contract(raw_bytes: bytes, raw: dict[str, Any]) -> None:
    got, expected = models.decode_contract_snapshot(raw_bytes), raw["results"]
    _check_contract(got, expected)
    assert got.fmv == expected.get("fmv")
    assert got.day is not None and got.day.last_updated == expected["day"].get("last_updated")


def check_trades(raw_bytes: bytes, raw: dict[str, Any]) -> None:
    page = models.decode_trades_page(raw_bytes)
    assert page.next_url == raw.get("next_url")
    assert len(page.results) == len(raw["results"]) > 0
    for got, expected in zip(page.results, raw["results"]):
        assert (got.price, got.size, got.exchange) == (expected["price"], expected["size"], expected["exchange"])
        assert got.sip_timestamp == expected["sip_timestamp"]
        assert got.conditions == expected.get("conditions", [])
        for name in ("id", "tape", "trf_id", "trf_timestamp", "sequence_number", "participant_timestamp"):
            assert getattr(got, name) == expected.get(name), name


def check_quotes(raw_bytes: bytes, raw: dict[str, Any]) -> None:
    page = models.decode_quotes_page(raw_bytes)
    assert page.next_url == raw.get("next_url")
    assert len(page.results) == len(raw["results"]) > 0
    for got, expected in zip(page.results, raw["results"]):
        assert (got.bid_price, got.ask_price) == (expected.get("bid_price"), expected.get("ask_price"))
        assert (got.bid_size, got.ask_size) == (expected.get("bid_size"), expected.get("ask_size"))
        assert (got.bid_exchange, got.ask_exchange) == (expected.get("bid_exchange"), expected.get("ask_exchange"))
        assert got.sip_timestamp == expected["sip_timestamp"]


def check_aggs(raw_bytes: bytes, raw: dict[str, Any]) -> None:
    page = models.decode_aggs(raw_bytes)
    assert page.next_url == raw.get("next_url")
    assert page.ticker == raw["ticker"]
    assert len(page.results) == len(raw["results"]) > 0
    for got, expected in zip(page.results, raw["results"]):
        assert (got.o, got.h, got.l, got.c, got.v) == tuple(expected[k] for k in "ohlcv")
        assert got.t == expected["t"] and got.vw == expected.get("vw") and got.n == expected.get("n")


def check_last_trade(raw_bytes: bytes, raw: dict[str, Any]) -> None:
    got = models.decode_last_trade(raw_bytes)
    expected = raw["results"]
    assert (got.price, got.size, got.exchange) == (expected["p"], expected["s"], expected["x"])
    assert (got.trf_id, got.trf_timestamp) == (expected.get("r"), expected.get("f"))
    assert got.conditions == (expected.get("c") or [])


def _check_stock(got: models.StockSnapshot, expected: dict[str, Any]) -> None:
    assert got.ticker == expected["ticker"]
    assert got.day is not None and got.day.c == expected["day"]["c"] and got.day.v == expected["day"]["v"]
    assert got.prev_day is not None and got.prev_day.c == expected["prevDay"]["c"]
    assert got.last_trade is not None and got.last_trade.price == expected["lastTrade"]["p"]
    assert got.last_trade.conditions == (expected["lastTrade"].get("c") or [])
    assert got.last_quote is not None and got.last_quote.ask_price == expected["lastQuote"]["P"]
    assert got.last_quote.bid_price == expected["lastQuote"]["p"]
    assert got.todays_change == expected.get("todaysChange")


def check_stock_snapshot(raw_bytes: bytes, raw: dict[str, Any]) -> None:
    _check_stock(models.decode_stock_snapshot(raw_bytes), raw["ticker"])


def check_stock_snapshots(raw_bytes: bytes, raw: dict[str, Any]) -> None:
    page = models.decode_stock_snapshots(raw_bytes)
    assert len(page.tickers) == len(raw["tickers"]) > 0
    for got, expected in zip(page.tickers, raw["tickers"]):
        _check_stock(got, expected)


def check_conditions(raw_bytes: bytes, raw: dict[str, Any]) -> None:
    page = models.decode_conditions(raw_bytes)
    assert [(c.id, c.name, c.type) for c in page.results] == [
        (c["id"], c["name"], c["type"]) for c in raw["results"]
    ]


def check_exchanges(raw_bytes: bytes, raw: dict[str, Any]) -> None:
    page = models.decode_exchanges(raw_bytes)
    assert [(e.id, e.type, e.name) for e in page.results] == [
        (e["id"], e["type"], e["name"]) for e in raw["results"]
    ]


# Filename patterns, first match wins. A new fixture must match one of these or be listed
# in NOT_DECODED with a reason, so nothing in the directory is silently ignored.
KINDS: list[tuple[str, Callable[[bytes, dict[str, Any]], None]]] = [
    (r"^(spec_example_)?snapshot_options_chain", check_chain),
    (r"^(spec_example_)?snapshot_option_contract", check_contract),
    (r"^(spec_example_)?trades_", check_trades),
    (r"^(spec_example_)?quotes_", check_quotes),
    (r"^(spec_example_)?aggs_", check_aggs),
    # `/v2/last/trade/{ticker}` speaks the short-key dialect of the stock snapshot's
    # `lastTrade`; the same struct (`ShortTrade`) reads both, so these are decoded too.
    (r"^(spec_example_)?last_trade_", check_last_trade),
    (r"^(spec_example_)?snapshot_stocks_ticker_", check_stock_snapshot),
    (r"^(spec_example_)?snapshot_stocks_all_tickers", check_stock_snapshots),
    (r"^conditions_", check_conditions),
    (r"^exchanges_", check_exchanges),
]
NOT_DECODED = {
    r"^(spec_example_)?snapshot_universal_v3": "the unified /v3/snapshot endpoint; the client does not call it",
    r"^(spec_example_)?options_contracts_reference": "/v3/reference/options/contracts; the client does not call it",
    r"^spec_example_options_v1_exchanges": "the new /options/v1/exchanges (string ids); the client reads /v3/reference/exchanges",
    r"^errors_observed": "error bodies: decoded by the error tests below and in test_client",
    r"^openapi_": "the OpenAPI specs themselves",
}


def _kind(name: str) -> Callable[[bytes, dict[str, Any]], None] | None:
    return next((check for pattern, check in KINDS if re.match(pattern, name)), None)


def _listing() -> list[str]:
    try:
        directory = polygon_dir()
    except (pytest.skip.Exception, pytest.fail.Exception):
        return ["<fixtures missing>"]  # the test itself skips (or fails under CI)
    return sorted(path.name for path in directory.glob("*.json"))


@pytest.mark.parametrize("name", _listing())
def test_every_fixture_is_decoded_or_excluded_with_a_reason(name: str) -> None:
    polygon_dir()
    assert _kind(name) is not None or any(re.match(p, name) for p in NOT_DECODED), (
        f"{name}: add a decoder pattern to KINDS or a reason to NOT_DECODED"
    )


@pytest.mark.parametrize("name", [n for n in _listing() if _kind(n) is not None] or ["<fixtures missing>"])
def test_fixture_decodes_to_its_values(name: str) -> None:
    polygon_dir()
    check = _kind(name)
    assert check is not None
    raw_bytes = polygon_bytes(name)
    check(raw_bytes, json.loads(raw_bytes))


def test_the_directory_holds_every_kind_the_client_reads() -> None:
    names = _listing()
    polygon_dir()
    for pattern, _ in KINDS:
        assert any(re.match(pattern, name) for name in names), pattern
    assert "aggs_AAPL_1day_2023-01-01_2023-01-10__REAL_openbb_cassette.json" in names


# --- the edge cases the feed depends on ----------------------------------------------------


def test_chain_page_edge_cases_from_the_go_client() -> None:
    page = models.decode_chain_page(polygon_bytes("snapshot_options_chain_AAPL_page1_with_next_url__client-go.json"))
    first = page.results[0]
    assert first.greeks is None  # "greeks": {}
    assert first.implied_volatility is None  # absent
    assert first.last_quote is not None and first.last_quote.timeframe == "DELAYED"
    assert first.last_trade is not None and first.last_trade.timeframe == "REAL-TIME"
    assert page.next_url is not None and "cursor=" in page.next_url


def _contract_json() -> dict[str, Any]:
    return polygon_json("snapshot_options_chain_AAPL__client-python.json")["results"][0]


def test_other_contract_type_and_missing_blocks_are_tolerated() -> None:
    contract = _contract_json()
    contract["details"]["contract_type"] = "other"
    for block in ("day", "greeks", "implied_volatility", "last_quote", "last_trade", "fmv"):
        contract.pop(block)
    page = models.decode_chain_page(json.dumps({"status": "OK", "results": [contract]}).encode())
    got = page.results[0]
    assert got.details.contract_type == "other"
    assert (got.day, got.greeks, got.implied_volatility, got.last_quote, got.last_trade) == (None,) * 5
    assert page.next_url is None and page.request_id is None


def test_numbers_may_be_int_or_float_but_ints_must_be_integral() -> None:
    contract = _contract_json()
    contract["details"]["shares_per_contract"] = 100.0
    contract["details"]["strike_price"] = 150  # a JSON int where the spec says number
    got = models.decode_chain_page(json.dumps({"status": "OK", "results": [contract]}).encode()).results[0]
    assert got.details.shares_per_contract == 100 and isinstance(got.details.shares_per_contract, int)
    assert got.details.strike_price == 150.0 and isinstance(got.details.strike_price, float)
    contract["details"]["shares_per_contract"] = 100.5
    with pytest.raises(msgspec.ValidationError, match="shares_per_contract"):
        models.decode_chain_page(json.dumps({"status": "OK", "results": [contract]}).encode())


def test_shares_per_contract_defaults_to_100() -> None:
    contract = _contract_json()
    del contract["details"]["shares_per_contract"]
    got = models.decode_chain_page(json.dumps({"results": [contract]}).encode()).results[0]
    assert got.details.shares_per_contract == 100


def test_stock_snapshot_null_conditions_become_an_empty_list() -> None:
    raw = polygon_json("snapshot_stocks_ticker_AAPL__client-python.json")
    assert raw["ticker"]["lastTrade"]["c"] is None
    got = models.decode_stock_snapshot(polygon_bytes("snapshot_stocks_ticker_AAPL__client-python.json"))
    assert got.last_trade is not None and got.last_trade.conditions == []


def test_option_trades_lack_the_stock_only_fields() -> None:
    page = models.decode_trades_page(polygon_bytes("spec_example_trades_options.json"))
    assert all(t.id is None and t.tape is None and t.trf_id is None for t in page.results)
    assert page.results[0].conditions == []  # absent on the first row


def test_decoded_models_are_read_only() -> None:
    got = models.decode_contract_snapshot(polygon_bytes("spec_example_snapshot_option_contract.json"))
    with pytest.raises(AttributeError):
        got.open_interest = 0  # type: ignore[misc]


def test_aggs_without_results_decode_to_an_empty_list() -> None:
    page = models.decode_aggs(b'{"ticker":"AAPL","status":"OK","queryCount":0,"resultsCount":0,"adjusted":true}')
    assert page.results == []


def test_error_bodies_from_public_issues_decode() -> None:
    for entry in polygon_json("errors_observed_in_public_issues.json")["entries"]:
        body = entry["body"]
        if body is None:
            continue
        got = models.decode_error(json.dumps(body).encode())
        assert got is not None
        assert got.status == body["status"] and got.request_id == body.get("request_id")
        assert got.text == (body.get("message") or body.get("error"))
    assert models.decode_error(b"<html>bad gateway</html>") is None


# --- chain pages decode lean: the same values as the whole contract, read on demand ----------

numbers = st.one_of(st.integers(-(10**6), 10**6), st.floats(allow_nan=False, allow_infinity=False, width=64))
timeframes = st.sampled_from(["REAL-TIME", "DELAYED"])


def _maybe(block: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """A block that is there, absent (None here, dropped from the JSON) or `null`."""
    return st.one_of(st.none(), st.just("null"), block)


@st.composite
def chain_contracts(draw: st.DrawFn) -> dict[str, Any]:
    def some(fields: dict[str, st.SearchStrategy[Any]]) -> dict[str, Any]:
        chosen = draw(st.sets(st.sampled_from(sorted(fields))))
        return {name: draw(fields[name]) for name in sorted(chosen)}

    contract: dict[str, Any] = {
        "details": {
            "ticker": draw(st.text(min_size=1, max_size=24)),
            "contract_type": draw(st.sampled_from(["call", "put", "other"]) | st.text(max_size=8)),
            "strike_price": draw(numbers),
            "expiration_date": draw(st.dates()).isoformat(),
            **some({"shares_per_contract": st.integers(1, 10**6), "exercise_style": st.text(max_size=9)}),
        },
        "underlying_asset": {
            "ticker": draw(st.text(min_size=1, max_size=6)),
            **some({"price": numbers, "value": numbers, "timeframe": timeframes, "last_updated": st.integers(0)}),
        },
    }
    blocks = {
        "day": _maybe(st.builds(some, st.just({k: numbers for k in ("volume", "vwap", "high", "low", "close")}))),
        "greeks": _maybe(st.builds(some, st.just({k: numbers for k in ("delta", "gamma", "theta", "vega")}))),
        "last_quote": _maybe(st.builds(some, st.just({"bid": numbers, "ask": numbers, "timeframe": timeframes}))),
        "last_trade": _maybe(st.fixed_dictionaries(
            {"price": numbers, "size": numbers, "sip_timestamp": st.integers(0, 2**62)},
            optional={"timeframe": timeframes, "conditions": st.lists(st.integers(0, 300), max_size=3)},
        )),  # fmt: skip
        "open_interest": st.none() | numbers,
        "implied_volatility": st.none() | numbers,
    }
    for name, block in blocks.items():
        value = draw(block)
        if value is not None:
            contract[name] = None if value == "null" else value
    return contract


@given(st.lists(chain_contracts(), min_size=1, max_size=4))
def test_a_chain_page_reads_like_the_whole_contract_snapshots_it_holds(contracts: list[dict[str, Any]]) -> None:
    page = models.decode_chain_page(json.dumps({"status": "OK", "results": contracts}).encode())
    for got, contract in zip(page.results, contracts, strict=True):
        whole = models.decode(json.dumps(contract).encode(), models.OptionContractSnapshot)
        assert got.details == whole.details
        assert (got.open_interest, got.implied_volatility) == (whole.open_interest, whole.implied_volatility)
        assert got.greeks == whole.greeks and got.last_quote == whole.last_quote
        assert got.underlying_asset == whole.underlying_asset
        if whole.day is None:
            assert got.day is None
        else:
            assert got.day is not None
            assert (got.day.volume, got.day.vwap, got.day.high, got.day.low) == (
                whole.day.volume, whole.day.vwap, whole.day.high, whole.day.low
            )
        if whole.last_trade is None:
            assert got.last_trade is None
        else:
            assert got.last_trade is not None
            assert (got.last_trade.price, got.last_trade.sip_timestamp, got.last_trade.timeframe) == (
                whole.last_trade.price, whole.last_trade.sip_timestamp, whole.last_trade.timeframe
            )


def test_a_block_read_on_demand_that_has_the_wrong_shape_reads_as_absent() -> None:
    contract = _contract_json()
    contract.update(greeks="n/a", last_quote=[1, 2], underlying_asset={"price": "high"})
    got = models.decode_chain_page(json.dumps({"results": [contract]}).encode()).results[0]
    assert (got.greeks, got.last_quote, got.underlying_asset) == (None, None, None)
    assert got.details.ticker == contract["details"]["ticker"] and got.day is not None
