"""Ingest: decode + baseline + delta of one realistic chain page, against bare `orjson.loads`
of the same bytes and against the replaced design's `json.loads` + dict walk.

The page is the busiest 250-contract page (most contracts traded) of the busy scenario's SPY
chain at 15:00, as the simulator serves it to the feed's query (all fields, ~230 KB). Each
round starts from baselines seeded by the same page 15 minutes earlier, so every contract
that traded in between yields a delta and a FlowEvent: the costly path, on every round. The
full path is everything the feed does with a fetched page: decode, baselines, deltas, events,
and the compact table `/flow` keeps of the chain.

The targets are judged on ratios from the three paths timed back to back within each round,
in rotating order, so a change in the shared machine's load hits all three alike; the
pytest-benchmark tables time each path on its own, one after the other.
"""

from __future__ import annotations

import asyncio
import json
import time as timer
from collections.abc import Callable
from datetime import datetime, time
from statistics import median
from typing import Any

import orjson
import pytest
from pytest_benchmark.fixture import BenchmarkFixture

from bench.chains import pages_at
from bench.conftest import Results
from bot.market.baselines import VolumeCache
from bot.market.calendar import ET
from bot.market.clock import VirtualClock
from bot.market.events import EventLog, FlowEvent
from bot.market.feed import OptionsFeed
from bot.polygon.models import ChainSnapshot, decode_chain_page
from bot.sim.scenario import load_scenario

SCENARIO = "data/scenarios/busy.json"
SYMBOL = "SPY"
BASELINE_AT, PAGE_AT = time(14, 45), time(15, 0)
ROUNDS = 300
SPOT = 660.0
OPTION_TYPES = ("call", "put")


class Page:
    """The measured page, its baseline page, and the clock both ingest paths read."""

    def __init__(self, baseline: bytes, current: bytes, observed_at: datetime) -> None:
        self.baseline = baseline
        self.raw = current
        self.clock = VirtualClock(observed_at)
        self.contracts = len(decode_chain_page(current).results)


@pytest.fixture(scope="module")
def page() -> Page:
    scenario = load_scenario(SCENARIO)
    earlier, later = asyncio.run(pages_at(scenario, SYMBOL, [BASELINE_AT, PAGE_AT]))
    busiest = max(range(len(later)), key=lambda index: _traded(later[index]))
    observed_at = datetime.combine(scenario.session_date, PAGE_AT, tzinfo=ET)
    return Page(earlier[busiest], later[busiest], observed_at)


def _traded(raw: bytes) -> int:
    return sum(1 for contract in decode_chain_page(raw).results if contract.day and contract.day.volume > 0)


def _chain(raw: bytes, page: Page) -> ChainSnapshot:
    decoded = decode_chain_page(raw)
    now = page.clock.now()
    return ChainSnapshot(underlying=SYMBOL, results=decoded.results, pages=1, requested_at=now, fetched_at=now)


def _seeded_feed(page: Page) -> OptionsFeed:
    """A feed whose VolumeCache holds the baseline page, as after the previous refresh."""
    # The client is never called: only the feed's per-page path (`_ingest`) is measured.
    cache = VolumeCache(page.clock)
    feed = OptionsFeed(client=None, clock=page.clock, cache=cache, log=EventLog([]), max_dte=180)  # type: ignore[arg-type]
    feed._ingest(_chain(page.baseline, page), SPOT, "chain")
    return feed


def orakl_ingest(raw: bytes, page: Page, feed: OptionsFeed) -> list[FlowEvent]:
    """The product's path: msgspec decode straight to lean structs, then baseline, delta and
    events, and the compact table `/flow` keeps of the chain."""
    return feed._ingest(_chain(raw, page), SPOT, "chain")


def replaced_design_ingest(raw: bytes, baselines: dict[str, tuple[float, float]]) -> list[dict[str, Any]]:
    """The replaced design: `json.loads`, then a walk over plain dicts, with the same baseline
    and delta arithmetic and the same event fields, so only the decoding approach differs."""
    events = []
    for contract in json.loads(raw)["results"]:
        details, day = contract["details"], contract.get("day")
        if details["contract_type"] not in OPTION_TYPES or day is None:
            continue
        ticker, volume, vwap = details["ticker"], day.get("volume", 0.0), day.get("vwap", 0.0)
        previous = baselines.get(ticker)
        baselines[ticker] = (volume, vwap)
        if previous is None or volume <= previous[0]:
            continue
        traded = volume - previous[0]
        average = (vwap * volume - previous[1] * previous[0]) / traded
        greeks, quote = contract.get("greeks") or {}, contract.get("last_quote") or {}
        trade = contract.get("last_trade") or {}
        events.append({
            "underlying": SYMBOL, "contract": ticker, "contract_type": details["contract_type"],
            "strike": details["strike_price"], "expiration": details["expiration_date"],
            "contracts": traded, "premium": traded * average * details.get("shares_per_contract", 100),
            "average_price": average, "day_volume": volume, "open_interest": contract.get("open_interest"),
            "implied_volatility": contract.get("implied_volatility"), "delta": greeks.get("delta"),
            "gamma": greeks.get("gamma"), "theta": greeks.get("theta"), "vega": greeks.get("vega"),
            "bid": quote.get("bid"), "ask": quote.get("ask"), "last_trade_price": trade.get("price"),
        })  # fmt: skip
    return events


def _replaced_baselines(page: Page) -> dict[str, tuple[float, float]]:
    baselines: dict[str, tuple[float, float]] = {}
    replaced_design_ingest(page.baseline, baselines)
    return baselines


def test_full_ingest_path(benchmark: BenchmarkFixture, page: Page, results: Results) -> None:
    benchmark.group = "ingest: one 250-contract chain page"
    events = benchmark.pedantic(
        orakl_ingest, setup=lambda: ((page.raw, page, _seeded_feed(page)), {}), rounds=ROUNDS, warmup_rounds=10
    )
    benchmark.extra_info.update(contracts=page.contracts, page_bytes=len(page.raw), events=len(events))
    assert events, "the page's baseline is older, so traded contracts yield deltas"
    results.record("ingest_full", benchmark)
    results.facts["ingest_contracts"] = page.contracts
    results.facts.update(side_by_side(page))


def test_bare_orjson_loads(benchmark: BenchmarkFixture, page: Page, results: Results) -> None:
    benchmark.group = "ingest: one 250-contract chain page"
    benchmark.pedantic(orjson.loads, args=(page.raw,), rounds=ROUNDS, warmup_rounds=10)
    results.record("ingest_orjson", benchmark)


def test_replaced_json_dict_walk(benchmark: BenchmarkFixture, page: Page, results: Results) -> None:
    benchmark.group = "ingest: one 250-contract chain page"
    events = benchmark.pedantic(
        replaced_design_ingest,
        setup=lambda: ((page.raw, _replaced_baselines(page)), {}),
        rounds=ROUNDS,
        warmup_rounds=10,
    )
    assert events
    results.record("ingest_json_dict", benchmark)


@pytest.fixture(scope="module", autouse=True)
def _targets(results: Results) -> None:
    results.target("ingest vs bare orjson.loads", _full_vs_orjson)
    results.target("ingest vs json.loads + dict walk", _full_vs_json)


def side_by_side(page: Page) -> dict[str, float]:
    """Median over rounds of each baseline's time divided by the full path's, same round."""
    ratios: dict[str, list[float]] = {"orjson": [], "json_dict": []}
    for round_number in range(ROUNDS):
        feed, baselines = _seeded_feed(page), _replaced_baselines(page)
        paths: list[tuple[str, Callable[[], object]]] = [
            ("full", lambda: orakl_ingest(page.raw, page, feed)),
            ("orjson", lambda: orjson.loads(page.raw)),
            ("json_dict", lambda: replaced_design_ingest(page.raw, baselines)),
        ]
        shift = round_number % len(paths)
        took = {}
        for name, run in paths[shift:] + paths[:shift]:
            started = timer.perf_counter()
            run()
            took[name] = timer.perf_counter() - started
        for name, values in ratios.items():
            values.append(took[name] / took["full"])
    return {f"ingest_ratio_{name}": median(values) for name, values in ratios.items()}


def _full_vs_orjson(results: Results) -> tuple[bool, str]:
    rate = results.facts["ingest_contracts"] / results.medians["ingest_full"]
    ratio = results.facts["ingest_ratio_orjson"]
    return ratio >= 1.0, (
        f"full path {rate:,.0f} contracts/s; orjson.loads time / full path time = {ratio:.2f} side by side"
        f" ({_separately(results, 'ingest_orjson')}) (target ≥ 1.0)"
    )


def _full_vs_json(results: Results) -> tuple[bool, str]:
    ratio = results.facts["ingest_ratio_json_dict"]
    return ratio >= 3.0, (
        f"json+dict time / full path time = {ratio:.2f} side by side"
        f" ({_separately(results, 'ingest_json_dict')}) (target ≥ 3)"
    )


def _separately(results: Results, baseline: str) -> str:
    """The same ratio from the tables, where each path was timed on its own."""
    by_median = results.medians[baseline] / results.medians["ingest_full"]
    by_minimum = results.minimums[baseline] / results.minimums["ingest_full"]
    return f"timed separately: medians {by_median:.2f}, minimums {by_minimum:.2f}"
