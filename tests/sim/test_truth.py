from __future__ import annotations

from typing import Any

import pytest

from bot.sim.market import Market
from bot.sim.scenario import load_scenario
from bot.sim.truth import (
    BreakoutTruth,
    OptionFlowTruth,
    StockPrintTruth,
    TruthEntry,
    build_truth,
)
from tests.sim.conftest import SCENARIOS, scenario_of, small_scenario


@pytest.fixture(scope="module")
def quick_truth(quick_market: Market) -> dict[str, TruthEntry]:
    return {entry.id: entry for entry in build_truth(quick_market)}


@pytest.mark.parametrize("name", ["quick", "busy", "universe200"])
def test_each_shipped_event_reaches_the_scanners_its_author_meant(
    name: str, request: pytest.FixtureRequest
) -> None:
    market = (
        request.getfixturevalue("quick_market")
        if name == "quick"
        else Market(load_scenario(SCENARIOS / f"{name}.json"))
    )
    scenario = market.scenario
    truth = build_truth(market)
    assert sorted(entry.id for entry in truth) == sorted(event.id for event in scenario.events)
    assert [entry.timestamp_ns for entry in truth] == sorted(entry.timestamp_ns for entry in truth)
    by_id = {entry.id: entry for entry in truth}
    for event in scenario.events:
        assert event.expect is not None, f"{event.id} declares no expectation"
        assert sorted(by_id[event.id].scanners) == sorted(event.expect), (event.id, by_id[event.id].checks)
        assert by_id[event.id].expected == ("alert" if event.expect else "ignored")


def test_the_busy_session_plants_every_kind_of_event_and_decoy() -> None:
    scenario = load_scenario(SCENARIOS / "busy.json")
    reached = [scanner for event in scenario.events for scanner in event.expect or []]
    for scanner in ("flow", "sweeps", "golden_sweeps", "bullseye", "scalps", "darkpool", "breakouts"):
        assert reached.count(scanner) >= 1, scanner
    assert sum(1 for event in scenario.events if event.expect == []) >= 10
    assert len(scenario.events) >= 40 and len(scenario.underlyings) >= 10


def test_an_option_flow_entry_describes_the_order_as_printed(
    quick_truth: dict[str, TruthEntry], quick_market: Market
) -> None:
    entry = quick_truth["q-golden-spy"]
    assert isinstance(entry, OptionFlowTruth)
    tape = quick_market.books["SPY"].option_tape
    prints = tape.tagged["q-golden-spy"]
    assert entry.premium == pytest.approx(sum(tape.price[i] * tape.size[i] * 100 for i in prints))
    assert entry.size == 3000 == sum(tape.size[i] for i in prints)
    assert (
        entry.exchanges == sorted({tape.exchange[i] for i in prints})
        and len(entry.exchanges) == entry.prints == 5
    )
    assert (entry.style, entry.side, entry.sentiment, entry.dte) == ("sweep", "buy", "bullish", 3)
    assert entry.average_price == pytest.approx(entry.premium / 3000 / 100)
    assert entry.time.startswith("2026-03-30T10:05:00.") and entry.time.endswith("-04:00")


def test_a_multi_leg_print_is_ignored_by_every_options_scanner(quick_truth: dict[str, TruthEntry]) -> None:
    entry = quick_truth["q-multileg-crm"]
    assert isinstance(entry, OptionFlowTruth) and entry.premium > 1_000_000
    assert entry.expected == "ignored" and entry.multi_leg
    assert all(verdict.startswith("no: multi-leg") for verdict in entry.checks.values())


def test_a_zero_dte_order_is_never_a_sweep_whatever_its_size() -> None:
    flow: dict[str, Any] = {
        "kind": "option_flow", "id": "huge-0dte", "time": "11:00", "symbol": "SPY",
        "contract": {"type": "call", "dte": 0, "strike_offset": 0}, "size": 20000, "style": "sweep",
    }  # fmt: skip
    (entry,) = build_truth(Market(scenario_of(small_scenario(events=[flow]))))
    assert isinstance(entry, OptionFlowTruth) and entry.premium > 1_000_000 and entry.dte == 0
    assert "sweeps" not in entry.scanners and "golden_sweeps" not in entry.scanners
    assert "DTE 0 (range 1-90)" in entry.checks["sweeps"]


def test_orakl_flow_needs_its_third_hit_inside_the_hour() -> None:
    def hit(id: str, time: str) -> dict[str, Any]:
        return {
            "kind": "option_flow", "id": id, "time": time, "symbol": "SPY",
            "contract": {"type": "call", "dte": 1, "strike": 634}, "size": 40,
        }  # fmt: skip

    events = [hit("a", "10:00"), hit("b", "10:20"), hit("c", "10:50"), hit("d", "12:30")]
    entries = {entry.id: entry for entry in build_truth(Market(scenario_of(small_scenario(events=events))))}
    assert ["flow" in entries[name].scanners for name in "abcd"] == [False, False, True, False]
    assert entries["c"].checks["flow"].startswith("yes: hit 3")
    assert entries["d"].checks["flow"].startswith("no: hit 1 of 3")


def test_a_put_sold_at_the_bid_is_bullish() -> None:
    sold = {
        "kind": "option_flow", "id": "sold", "time": "11:00", "symbol": "SPY",
        "contract": {"type": "put", "dte": 1, "strike_offset": -1}, "size": 10, "side": "sell",
    }  # fmt: skip
    (entry,) = build_truth(Market(scenario_of(small_scenario(events=[sold]))))
    assert isinstance(entry, OptionFlowTruth) and (entry.side, entry.sentiment) == ("sell", "bullish")


def test_dark_prints_are_judged_by_venue_condition_and_size(quick_truth: dict[str, TruthEntry]) -> None:
    names = ("q-dark-spy", "q-dark-spy-small", "q-lit-spy-block", "q-dark-cost-qct", "q-dark-c-premarket")
    verdicts = {name: quick_truth[name].checks["darkpool"] for name in names}
    assert verdicts["q-dark-spy"].startswith("yes: 25,000 shares")
    assert verdicts["q-dark-spy-small"].startswith("no: 3,000 shares")
    assert verdicts["q-lit-spy-block"] == "no: lit print on exchange 10, not off-exchange"
    assert "53 (Qualified Contingent Trade)" in verdicts["q-dark-cost-qct"]
    premarket = quick_truth["q-dark-c-premarket"]
    assert (
        isinstance(premarket, StockPrintTruth) and premarket.extended_hours and premarket.expected == "alert"
    )
    assert premarket.conditions == [12] and premarket.trf_id == 201


def test_a_breakout_reports_its_level_and_the_volume_it_came_on(quick_truth: dict[str, TruthEntry]) -> None:
    breakout, short = quick_truth["q-breakout-crm"], quick_truth["q-breakout-cost-short"]
    assert isinstance(breakout, BreakoutTruth) and isinstance(short, BreakoutTruth)
    assert breakout.price == pytest.approx(breakout.level * 1.015, rel=1e-6)
    assert breakout.relative_volume == pytest.approx(3.0, rel=0.1)
    assert breakout.price > breakout.sma20
    assert short.checks["breakouts"] == "no: 0.3% past the level < 0.5%"


def test_a_breakout_on_ordinary_volume_is_a_near_miss() -> None:
    quiet = {
        "kind": "breakout",
        "id": "quiet",
        "time": "11:00",
        "symbol": "SPY",
        "beyond_pct": 1.5,
        "relative_volume": 1.2,
    }
    (entry,) = build_truth(Market(scenario_of(small_scenario(events=[quiet]))))
    assert isinstance(entry, BreakoutTruth) and entry.expected == "ignored"
    assert entry.relative_volume == pytest.approx(1.2, rel=0.1)
    assert entry.checks["breakouts"] == f"no: relative volume {entry.relative_volume:.2f} < 2"
