"""Memory and API budget of full refreshes of the 200-symbol benchmark universe.

    .venv/bin/python -m bench.universe_refresh [--strike-window 0.3] [--start 10:00]

The simulator serves `universe200.json` from a child process; this process runs the bot's
options engine (client, feed, VolumeCache, event log) and refreshes every watched symbol
twice, as the feed does (one paginated chain fetch each; the scanners' cursors drained after
each refresh, as their jobs would). Then it prints:

- memory: this process's RSS before the first fetch and after the second round, with the
  baselines and latest snapshots it holds (target ≤ 150 MB total);
- API budget: requests per full refresh, counted by the simulator, against the replaced
  design's cost model on the same universe (every one of the five options scanners fetching
  every chain's pages, plus one stock snapshot per scanner per symbol for its spot); target
  ≤ 1/5, and the count equal to the chain pages plus the enrichment calls (no duplicate).
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import tempfile
from dataclasses import dataclass
from datetime import time
from pathlib import Path

from bench.machine import MB, deep_size, describe, rss_bytes
from bench.sim_process import SimProcess, simulator_process
from bot.config import load_settings
from bot.engine import OptionsEngine
from bot.market.feed import OptionsFeed
from bot.polygon.client import PolygonClient
from bot.replay import replay_watchlist
from bot.sim.scenario import load_scenario
from bot.store import Database, Store

SCENARIO = "data/scenarios/universe200.json"
START = time(10, 0)
ROUNDS = 2
MEMORY_TARGET_MB = 150
BUDGET_TARGET = 1 / 5
# The replaced design's cost model: each options scanner fetched every chain itself, and
# looked up the underlying's spot with a stock snapshot of its own.
REPLACED_SCANNERS = 5
REPLACED_EXTRA_CALLS_PER_SCANNER_AND_SYMBOL = 1


@dataclass
class Round:
    pages: int = 0
    contracts: int = 0
    requests: dict[str, int] | None = None  # by endpoint, counted by the simulator

    @property
    def total(self) -> int:
        return sum((self.requests or {}).values())


async def refresh_all(engine: OptionsEngine, sim: SimProcess, before: dict[str, int]) -> tuple[Round, dict[str, int]]:
    outcome = Round()
    for watched in engine.watchlist:
        result = await engine.feed.refresh(watched.symbol)
        outcome.pages += result.pages
        outcome.contracts += result.contracts
        for name in engine.scanners:
            engine.log.read(name.value)
    after = _by_endpoint(await sim.stats())
    outcome.requests = {endpoint: count - before.get(endpoint, 0) for endpoint, count in after.items()}
    return outcome, after


def _by_endpoint(stats: dict) -> dict[str, int]:
    return {endpoint: sum(statuses.values()) for endpoint, statuses in stats["requests"].items()}


def tracked(feed: OptionsFeed) -> int:
    return sum(latest.chain.contracts for latest in feed.latest.values())


async def measure(strike_window: float, start: time) -> None:
    scenario = load_scenario(SCENARIO)
    async with simulator_process(SCENARIO, start) as sim:
        settings = load_settings(polygon_base_url=sim.base_url, polygon_api_key=sim.api_key, requests_per_second=1000)
        with tempfile.TemporaryDirectory() as folder:
            db = await Database.open(Path(folder) / "orakl.db", clock=sim.clock)
            # Closed whatever happens: its thread would otherwise keep the process alive.
            try:
                async with PolygonClient.from_settings(settings, sim.clock) as client:
                    engine = OptionsEngine(settings, client, sim.clock, replay_watchlist(scenario), Store(db).dedup)
                    engine.feed.strike_window = strike_window
                    gc.collect()
                    rss_start = rss_bytes()
                    rounds, counts = [], _by_endpoint(await sim.stats())
                    for _ in range(ROUNDS):
                        outcome, counts = await refresh_all(engine, sim, counts)
                        rounds.append(outcome)
                    gc.collect()
                    rss_end = rss_bytes()
                    report(engine, rounds, (rss_start, rss_end), strike_window, start)
            finally:
                await db.close()


def report(
    engine: OptionsEngine, rounds: list[Round], rss: tuple[int, int], strike_window: float, start: time
) -> None:
    symbols = len(engine.watchlist)
    rss_start, rss_end = rss
    held = tracked(engine.feed)
    traded = sum(len(latest.chain) for latest in engine.feed.latest.values())
    snapshots = deep_size(engine.feed.latest)
    baselines = deep_size(engine.cache)
    print(f"machine: {describe()}")
    print(f"universe: {SCENARIO}, {symbols} symbols, strike window ±{strike_window:.0%},"
          f" max DTE {engine.feed.max_dte}, from {start:%H:%M} ET")  # fmt: skip
    print()
    print("memory (this process; the simulator runs in its own)")
    print(f"  contracts in the latest snapshots : {held:,} ({traded:,} traded today)")
    print(f"  volume baselines                  : {len(engine.cache):,}")
    print(f"  RSS before the first fetch        : {rss_start / MB:,.1f} MB (interpreter, imports, engine)")
    print(f"  RSS after {ROUNDS} full refreshes        : {rss_end / MB:,.1f} MB")
    print(f"  growth                            : {(rss_end - rss_start) / MB:,.1f} MB"
          f" ({(rss_end - rss_start) / held:,.0f} bytes per contract)")
    print(f"  of which the baselines            : {baselines / MB:,.1f} MB by deep size"
          f" ({baselines / len(engine.cache):,.0f} bytes per contract)")
    print(f"  and the latest snapshots          : {snapshots / MB:,.1f} MB by deep size"
          f" ({snapshots / max(traded, 1):,.0f} bytes per traded contract; the rest is allocator overhead)")
    verdict = "MET" if rss_end / MB <= MEMORY_TARGET_MB else "MISSED"
    print(f"  {verdict}: {rss_end / MB:,.1f} MB total (target ≤ {MEMORY_TARGET_MB} MB)")
    print()
    print("API budget per full refresh (requests counted by the simulator)")
    print("  round  chain pages  stock snapshots  other  total  replaced design  ratio  pages+enrichment=total")
    for number, outcome in enumerate(rounds, 1):
        requests = outcome.requests or {}
        chain, snapshots = requests.get("options_chain", 0), requests.get("stock_snapshot", 0)
        other = outcome.total - chain - snapshots
        replaced = REPLACED_SCANNERS * (outcome.pages + REPLACED_EXTRA_CALLS_PER_SCANNER_AND_SYMBOL * symbols)
        exact = chain == outcome.pages and outcome.total == outcome.pages + snapshots
        print(f"  {number:>5}  {chain:>11,}  {snapshots:>15,}  {other:>5}  {outcome.total:>5,}  {replaced:>15,}"
              f"  {outcome.total / replaced:>5.3f}  {'yes' if exact else 'NO'}")  # fmt: skip
    worst = max(outcome.total / (REPLACED_SCANNERS * (outcome.pages + symbols)) for outcome in rounds)
    duplicates = any(
        (outcome.requests or {}).get("options_chain", 0) != outcome.pages for outcome in rounds
    )
    verdict = "MET" if worst <= BUDGET_TARGET and not duplicates else "MISSED"
    print(f"  {verdict}: worst round {worst:.3f} of the replaced design (target ≤ {BUDGET_TARGET:.3f}); "
          f"duplicate chain fetches: {'yes' if duplicates else 'none'}")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--strike-window", type=float, default=OptionsFeed.strike_window,
                        help="fraction of spot either side (the feed's default 0.3; 1.0 tracks every listed strike)")  # fmt: skip
    parser.add_argument("--start", type=time.fromisoformat, default=START,
                        help="ET market time the simulator starts at (later: more contracts traded today)")  # fmt: skip
    arguments = parser.parse_args()
    asyncio.run(measure(arguments.strike_window, arguments.start))


if __name__ == "__main__":
    main()
