"""Replay of the shipped quick scenario against the simulator's ground truth (issues 4 and 5).

One replay of the whole session is shared by every test here: it is the expensive part, and
each test reads a different property of the same run.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import pytest

from bot.alerts.model import Alert, Scanner, Tag
from bot.replay import ReplaySummary, replay
from bot.scanners.dedup import Decision, decide
from bot.sim.server import SimServer
from bot.sim.truth import BreakoutTruth, OptionFlowTruth, StockPrintTruth, TruthEntry

QUICK = Path(__file__).resolve().parents[1] / "data" / "scenarios" / "quick.json"
STYLE_TAGS = {"sweep": Tag.SWEEP, "block": Tag.BLOCK, "split": Tag.SPLIT}


@dataclass
class Run:
    summary: ReplaySummary
    truth: list[TruthEntry]
    jsonl: list[str]


async def _truth() -> list[TruthEntry]:
    async with SimServer.start(QUICK) as sim:
        return sim.truth()


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> Run:
    out = tmp_path_factory.mktemp("replay") / "alerts.jsonl"
    summary = asyncio.run(replay(QUICK, out=out))
    return Run(summary, asyncio.run(_truth()), out.read_text().splitlines())


def expected_option_alerts(truth: list[TruthEntry]) -> list[tuple[Scanner, OptionFlowTruth]]:
    """Planted flows each scanner should post, with the dedup rule applied per contract:
    a repeat on an already-alerted contract is posted only when it qualifies as ACCUMULATION."""
    expected, states = [], defaultdict(lambda: None)
    flows = sorted((t for t in truth if isinstance(t, OptionFlowTruth)), key=lambda t: t.timestamp_ns)
    for flow in flows:
        for name in flow.scanners:
            scanner = Scanner(name)
            when = datetime.fromisoformat(flow.time)
            decision, states[scanner, flow.contract] = decide(
                states[scanner, flow.contract], flow.premium, when.date(), when
            )
            if decision is not Decision.SUPPRESSED:
                expected.append((scanner, flow))
    return expected


def test_every_qualifying_planted_flow_is_alerted_with_its_premium_style_and_side(run: Run) -> None:
    expected = expected_option_alerts(run.truth)
    assert expected, "the scenario plants flows"
    for scanner, flow in expected:
        found = [a for a in run.summary.alerts if a.scanner is scanner and a.contract == flow.contract]
        assert found, f"{scanner.value} missed {flow.id} ({flow.contract})"
        alert = min(found, key=lambda a: abs((a.premium or 0) - flow.premium))
        assert alert.premium == pytest.approx(flow.premium, rel=0.01), flow.id
        assert alert.side is not None and alert.side.value == flow.side.upper(), flow.id
        assert STYLE_TAGS[flow.style] in alert.tags, f"{flow.id}: {sorted(alert.tags)}"
        assert alert.contract_type is not None and alert.contract_type.value == flow.contract_type


def test_no_option_alert_comes_from_background_noise_or_a_decoy(run: Run) -> None:
    planted = {(scanner, flow.contract) for scanner, flow in expected_option_alerts(run.truth)}
    options = [a for a in run.summary.alerts if a.contract is not None]
    stray = [(a.scanner.value, a.contract) for a in options if (a.scanner, a.contract) not in planted]
    assert stray == []


def test_puts_on_tickers_with_a_c_are_puts(run: Run) -> None:
    c_puts = [a for a in run.summary.alerts if a.ticker == "C" and a.contract and "P" in a.contract[-9:]]
    assert c_puts and all(a.contract_type is not None and a.contract_type.value == "put" for a in c_puts)


def test_zero_dte_reaches_scalps(run: Run) -> None:
    scalps = [a for a in run.summary.alerts if a.scanner is Scanner.SCALPS]
    assert any(a.dte == 0 and Tag.ZERO_DTE in a.tags for a in scalps)


def test_every_planted_dark_print_and_breakout_is_alerted_once_and_decoys_are_not(run: Run) -> None:
    darkpool = [a for a in run.summary.alerts if a.scanner is Scanner.DARKPOOL]
    breakouts = [a for a in run.summary.alerts if a.scanner is Scanner.BREAKOUTS]
    prints = [t for t in run.truth if isinstance(t, StockPrintTruth)]
    for planted in prints:
        matching = [a for a in darkpool if a.ticker == planted.symbol and a.size == planted.size]
        assert len(matching) == (1 if planted.expected == "alert" else 0), planted.id
    for planted in (t for t in run.truth if isinstance(t, BreakoutTruth)):
        matching = [a for a in breakouts if a.ticker == planted.symbol]
        assert len(matching) == (1 if planted.expected == "alert" else 0), planted.id
    assert len(darkpool) == sum(1 for t in prints if t.expected == "alert")


def test_one_chain_fetch_per_underlying_per_refresh_not_one_per_scanner(run: Run) -> None:
    summary = run.summary
    assert summary.requests_by_endpoint["options_chain"] == summary.chain_pages
    # Five scanners read the events, yet no chain page was fetched beyond the refreshes'.
    assert summary.stats.refreshes <= summary.chain_pages <= summary.stats.refreshes * 3
    assert "one paginated fetch per underlying per refresh" in summary.render()


def test_the_alert_log_is_one_valid_alert_per_line_and_deterministic(run: Run) -> None:
    parsed = [Alert.model_validate_json(line) for line in run.jsonl]
    assert parsed == run.summary.alerts
