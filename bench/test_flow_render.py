"""/flow: today's flow of a 10,000-contract chain from the cached snapshot, text and chart.

The chain is SPY with daily expirations and enough strikes for 10,000+ contracts, fetched
whole through the real client from the simulator at 15:30, when thousands have traded. What
is timed is what the command does once it has the cached snapshot: the summary, the embed
and the PNG chart (the recent-alerts lookup is a one-row SQLite read, left out).
"""

from __future__ import annotations

import asyncio
from datetime import time

import pytest
from pytest_benchmark.fixture import BenchmarkFixture

from bench.chains import wide_spy_scenario, whole_chain
from bench.conftest import Results
from bot.market.chain_table import ChainTable
from cogs.flow import flow_embed
from cogs.flow.chart import render_chart
from cogs.flow.summary import summarize

CONTRACTS = 10_000
TARGET_SECONDS = 0.300


@pytest.fixture(scope="module")
def chain() -> ChainTable:
    """The snapshot as the feed keeps it for /flow."""
    scenario = wide_spy_scenario("data/scenarios/universe200.json", CONTRACTS)
    return ChainTable(asyncio.run(whole_chain(scenario, "SPY", time(15, 30))))


def render_flow(chain: ChainTable) -> bytes:
    summary = summarize(chain, spot=None)
    flow_embed(summary, [], None)
    return render_chart(summary)


def test_flow_text_and_chart(benchmark: BenchmarkFixture, chain: ChainTable, results: Results) -> None:
    benchmark.group = "/flow: 10,000-contract chain"
    assert chain.contracts >= CONTRACTS
    png = benchmark.pedantic(render_flow, args=(chain,), rounds=15, warmup_rounds=1)
    traded = len(summarize(chain, None).contracts)
    benchmark.extra_info.update(contracts=chain.contracts, traded=traded, png_bytes=len(png))
    results.facts.update(flow_contracts=chain.contracts, flow_traded=traded)
    results.record("flow_render", benchmark)


@pytest.fixture(scope="module", autouse=True)
def _targets(results: Results) -> None:
    results.target("/flow text + chart", _verdict)


def _verdict(results: Results) -> tuple[bool, str]:
    median = results.medians["flow_render"]
    return median <= TARGET_SECONDS, (
        f"median {median * 1e3:,.0f} ms for {int(results.facts['flow_contracts']):,} contracts "
        f"({int(results.facts['flow_traded']):,} traded today) (target ≤ 300 ms)"
    )
