"""Detection latency and recall of planted option flows, at fixed request budgets.

    .venv/bin/python -m bench.latency [--budgets 5 50] [--from 09:45] [--until 10:15] [--speed 3]
        [--modes replay real] [--scanner-interval N]

For each budget (requests per second of market time), two runs of the product's pipeline
(`bot.wiring.open_headless`: client, feed, planner, scanners, store) on the busy scenario:

- replay: the simulator in this process on a virtual clock, jobs stepped (`run_stepped`);
- real clock: the simulator in its own process on a scaled wall clock (`--speed` market
  seconds per wall second), the jobs on the APScheduler as the bot runs them.

Recall is the scorecard's (`bot.sim.scorecard.score`): the planted flows each scanner should
post, from the window's start to three minutes before its end. Latency runs from the planted
order's time (truth `timestamp_ns`) to the alert's `detected_at`; each alert's line splits it
at the moment the chain that showed the trade was fetched (the alert's `window_end`): the
wait for the refresh, then the scan. Target: 100% recall, and per tier p95 ≤ the refresh
interval the planner promises for that tier + 2 s.

A window holds a few planted flows, and where each lands between two refreshes of its chain
is chance. So each tier's row also shows the gaps between consecutive fetches of its chains,
and from them the p95 wait from a trade at a random moment to the next fetch of its chain:
what the latency p95 would be over many trades, before the scan.

`--scanner-interval N` runs the five options scanners' own jobs every N seconds with no
stagger instead of their defaults (15 s, staggered). They also scan right after every
refresh, so this should change little: a check that the scanners' own polling no longer
sets the latency.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import math
from collections import defaultdict
from collections.abc import Sequence
from contextlib import AsyncExitStack
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from statistics import median

from bench.machine import describe, percentile
from bench.sim_process import simulator_process
from bot.config import Settings, load_settings
from bot.engine import OptionsEngine
from bot.market.calendar import ET
from bot.market.clock import Clock, VirtualClock, epoch_ns, from_epoch_ns
from bot.market.feed import RefreshResult
from bot.pipeline import run_stepped, schedule
from bot.replay import replay_watchlist
from bot.scheduler import Scheduler
from bot.sim.market import Market
from bot.sim.scenario import Scenario, load_scenario
from bot.sim.scorecard import Scorecard, score
from bot.sim.server import SimServer
from bot.scanners import OPTIONS_SCANNERS
from bot.sim.truth import OptionFlowTruth, TruthEntry, build_truth
from bot.wiring import HeadlessPipeline, open_headless

SCENARIO = "data/scenarios/busy.json"
TIERS = (1, 2)
LATENCY_ALLOWANCE_SECONDS = 2.0
DETECTION_ALLOWANCE = timedelta(minutes=3)  # flows planted later may still be in flight
SHUTDOWN_GRACE_SECONDS = 5.0


@dataclass
class RunResult:
    mode: str
    budget: float
    card: Scorecard
    promised: dict[int, float]  # tier → seconds, from the planner at the end of the run
    tiers: dict[str, int]  # symbol → tier
    requests: int  # HTTP requests the client sent in the run
    market_seconds: float
    refresh_gaps: dict[int, list[float]]  # tier → seconds between consecutive fetches of a chain

    def latencies(self, tier: int) -> list[float]:
        return [
            (alert.detected_at - from_epoch_ns(expectation.truth.timestamp_ns)).total_seconds()
            for expectation, alert in self.card.caught
            if self.tiers[expectation.truth.symbol] == tier
        ]


@dataclass(frozen=True)
class Setup:
    scenario: Scenario
    budget: float
    start: datetime
    end: datetime
    scanner_interval: int | None

    def settings(self, base_url: str, api_key: str) -> Settings:
        scanners = (
            {}
            if self.scanner_interval is None
            else {"scanners": {name.value: {"interval_seconds": self.scanner_interval, "stagger_seconds": 0}
                               for name in OPTIONS_SCANNERS}}  # fmt: skip
        )
        return load_settings(
            polygon_base_url=base_url, polygon_api_key=api_key, requests_per_second=self.budget, **scanners
        )

    @property
    def label(self) -> str:
        return "" if self.scanner_interval is None else f", scanners every {self.scanner_interval} s"


class FetchTimes:
    """When each underlying's chain was fetched in the run, recorded around the feed's refresh."""

    def __init__(self, engine: OptionsEngine) -> None:
        self.fetched: defaultdict[str, list[datetime]] = defaultdict(list)
        refresh = engine.feed.refresh

        async def refresh_and_record(underlying: str) -> RefreshResult:
            result = await refresh(underlying)
            self.fetched[result.underlying].append(result.fetched_at)
            return result

        engine.feed.refresh = refresh_and_record  # type: ignore[method-assign]

    def gaps(self, symbols: Sequence[str]) -> list[float]:
        """Seconds between consecutive fetches of each of `symbols`' chains."""
        return [
            (later - earlier).total_seconds()
            for symbol in symbols
            for earlier, later in zip(self.fetched[symbol], self.fetched[symbol][1:])
        ]


@dataclass
class MeasuredRun:
    run: HeadlessPipeline
    fetches: FetchTimes


async def _open(stack: AsyncExitStack, setup: Setup, clock: Clock, base_url: str, api_key: str) -> MeasuredRun:
    watchlist = replay_watchlist(setup.scenario)
    run = await open_headless(stack, setup.settings(base_url, api_key), clock, watchlist)
    return MeasuredRun(run, FetchTimes(run.options))


def _result(mode: str, setup: Setup, measured: MeasuredRun, truth: Sequence[TruthEntry], end: datetime) -> RunResult:
    run = measured.run
    flows = [entry for entry in truth if isinstance(entry, OptionFlowTruth)]
    alerts = [alert for alert in run.outlet.alerts if alert.contract]
    card = score(flows, alerts, epoch_ns(setup.start), epoch_ns(end - DETECTION_ALLOWANCE))
    promised = {tier: run.options.planner.promised_interval(tier) for tier in TIERS}
    tiers = {watched.symbol: watched.tier for watched in replay_watchlist(setup.scenario)}
    gaps = {tier: measured.fetches.gaps([symbol for symbol in tiers if tiers[symbol] == tier]) for tier in TIERS}
    elapsed = (end - setup.start).total_seconds()
    requests = run.client.stats.requests
    return RunResult(mode + setup.label, setup.budget, card, promised, tiers, requests, elapsed, gaps)


async def replay_run(setup: Setup) -> RunResult:
    clock = VirtualClock(setup.start)
    async with AsyncExitStack() as stack:
        sim = await stack.enter_async_context(SimServer.start(setup.scenario, clock=clock))
        measured = await _open(stack, setup, clock, sim.base_url, sim.api_key)
        await clock.run(run_stepped(measured.run.pipeline.jobs(), clock, setup.end))
        return _result("replay", setup, measured, sim.truth(), setup.end)


async def real_clock_run(setup: Setup, speed: float) -> RunResult:
    async with AsyncExitStack() as stack:
        sim = await stack.enter_async_context(simulator_process(SCENARIO, setup.start.astimezone(ET).time(), speed))
        measured = await _open(stack, setup, sim.clock, sim.base_url, sim.api_key)
        scheduler = Scheduler()
        schedule(measured.run.pipeline.jobs(), scheduler, speed=speed)
        scheduler.start()
        try:
            await asyncio.sleep((setup.end - sim.clock.now()).total_seconds() / speed)
        finally:
            await scheduler.stop(grace_seconds=SHUTDOWN_GRACE_SECONDS)
        # The simulator's truth is never served; this process computes it from the scenario.
        return _result(f"real clock x{speed:g}", setup, measured, build_truth(Market(setup.scenario)), sim.clock.now())


def report(results: list[RunResult]) -> None:
    print(f"machine: {describe()}")
    print(f"scenario: {SCENARIO}")
    print(f"{'mode':<40} budget  recall       tier  flows  median s  p95 s  promised s  p95 target s  verdict"
          "  refresh gap median/max s  wait p95 s")
    for result in results:
        card = result.card
        expected = len(card.caught) + len(card.missed)
        for tier in TIERS:
            latencies = result.latencies(tier)
            if not latencies and not card.missed:
                continue
            promise = result.promised[tier]
            p95 = percentile(latencies, 0.95)
            met = card.recall == 1.0 and (not latencies or p95 <= promise + LATENCY_ALLOWANCE_SECONDS)
            print(f"{result.mode:<40} {result.budget:>4g}/s  {len(card.caught):>2}/{expected:<2} {card.recall:>6.0%}"
                  f"  {tier:>5}  {len(latencies):>5}  {median(latencies) if latencies else float('nan'):>8.1f}"
                  f"  {p95:>5.1f}  {promise:>10.1f}  {promise + LATENCY_ALLOWANCE_SECONDS:>12.1f}"
                  f"  {'MET' if met else 'MISSED':<7}  {_gap_spread(result.refresh_gaps[tier]):>24}"
                  f"  {wait_percentile(result.refresh_gaps[tier], 0.95):>10.1f}")  # fmt: skip
        print(f"    {result.requests:,} requests in {result.market_seconds:,.0f} market seconds"
              f" ({result.requests / result.market_seconds:.1f}/s of the {result.budget:g}/s budget)")
        for expectation, alert in card.caught:
            traded = from_epoch_ns(expectation.truth.timestamp_ns)
            delay = (alert.detected_at - traded).total_seconds()
            split = ""
            if alert.window_end is not None:
                to_fetch = (alert.window_end - traded).total_seconds()
                split = f"  (chain fetched after {to_fetch:.1f} s, alert {delay - to_fetch:.1f} s later)"
            print(f"    {expectation.truth.id:<22} {expectation.scanner.value:<14} {delay:6.1f} s{split}")
        for expectation in card.missed:
            print(f"    {expectation.truth.id:<22} {expectation.scanner.value:<14} MISSED")


def _gap_spread(gaps: Sequence[float]) -> str:
    return f"{median(gaps):.1f} / {max(gaps):.1f}" if gaps else "-"


def wait_percentile(gaps: Sequence[float], share: float) -> float:
    """The `share` percentile of the wait from a trade at a random moment to the next fetch of
    its chain. A trade lands in a gap in proportion to the gap's length, and within a gap of
    g seconds its wait is uniform on 0..g, so P(wait > w) = Σ max(0, g − w) / Σ g."""
    total = sum(gaps)
    if not total:
        return math.nan
    low, high = 0.0, max(gaps)
    while high - low > 0.01:
        wait = (low + high) / 2
        if sum(max(0.0, gap - wait) for gap in gaps) / total > 1 - share:
            low = wait
        else:
            high = wait
    return high


async def measure(
    budgets: Sequence[float],
    window: tuple[time, time],
    speed: float,
    modes: Sequence[str],
    scanner_interval: int | None,
) -> None:
    scenario = load_scenario(SCENARIO)
    start, end = (datetime.combine(scenario.session_date, moment, tzinfo=ET) for moment in window)
    results = []
    for budget in budgets:
        setup = Setup(scenario, budget, start, end, scanner_interval)
        if "replay" in modes:
            results.append(await replay_run(setup))
        if "real" in modes:
            results.append(await real_clock_run(setup, speed))
    report(results)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--budgets", type=float, nargs="+", default=[5.0, 50.0], help="requests per second")
    parser.add_argument("--from", dest="start", type=time.fromisoformat, default=time(9, 45), help="ET, HH:MM")
    parser.add_argument("--until", type=time.fromisoformat, default=time(10, 15), help="ET, HH:MM")
    parser.add_argument("--speed", type=float, default=3.0, help="real-clock runs: market seconds per wall second")
    parser.add_argument("--modes", nargs="+", choices=("replay", "real"), default=["replay", "real"])
    parser.add_argument("--scanner-interval", type=int, help="seconds between options scanner runs (default: settings)")
    args = parser.parse_args()
    # APScheduler logs every skipped run of a job still running; the bot's scheduler already
    # says once that a job overran, which is all a reader of this table needs.
    logging.getLogger("apscheduler").setLevel(logging.ERROR)
    asyncio.run(measure(args.budgets, (args.start, args.until), args.speed, args.modes, args.scanner_interval))


if __name__ == "__main__":
    main()
