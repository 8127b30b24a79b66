"""Replay: a scenario's session on the simulator, on a virtual clock, through the real
client, feed, scanners and store — no sleeping, the same alerts every time.
"""

from __future__ import annotations

from contextlib import AsyncExitStack
from dataclasses import dataclass, field
from datetime import datetime, time
from pathlib import Path
from typing import Any

from bot.alerts.model import Alert
from bot.config import Settings, load_settings
from bot.market.calendar import ET, PRE_MARKET_OPENS
from bot.market.clock import VirtualClock
from bot.market.watchlist import WatchedSymbol
from bot.pipeline import PipelineStats, run_stepped
from bot.sim.scenario import Scenario, load_scenario
from bot.sim.server import SimServer
from bot.wiring import OnAlert, open_headless

INDEX_AND_MEGACAP = frozenset({"SPY", "QQQ", "IWM", "DIA", "AAPL", "MSFT", "NVDA", "AMZN", "GOOGL", "META", "TSLA"})
# After the close the stock scanners still read post-market dark prints until 20:00 ET.
DEFAULT_END = time(20, 0)


@dataclass
class ReplaySummary:
    scenario: str
    started: datetime
    ended: datetime
    stats: PipelineStats
    client_requests: int
    requests_by_endpoint: dict[str, int]
    chain_pages: int
    alerts: list[Alert] = field(default_factory=list)

    def render(self) -> str:
        lines = [
            f"replay of {self.scenario}: {self.started:%Y-%m-%d %H:%M}–{self.ended:%H:%M} ET",
            f"  chain refreshes: {self.stats.refreshes} (one paginated fetch per underlying per refresh, "
            f"{self.chain_pages} pages; every scanner reads the same events), failures: {self.stats.refresh_failures}",
            f"  flow events: {self.stats.events}",
            f"  requests used: {self.client_requests} "
            + "(" + ", ".join(f"{name} {count}" for name, count in sorted(self.requests_by_endpoint.items())) + ")",
            "  alerts: " + (", ".join(f"{name} {count}" for name, count in sorted(self.stats.alerts.items()) if count) or "none"),
        ]
        return "\n".join(lines)


def replay_watchlist(scenario: Scenario) -> list[WatchedSymbol]:
    return [
        WatchedSymbol(spec.symbol, 1 if spec.symbol in INDEX_AND_MEGACAP else 2) for spec in scenario.underlyings
    ]


def replay_settings(sim: SimServer, **overrides: Any) -> Settings:
    return load_settings(polygon_base_url=sim.base_url, polygon_api_key=sim.api_key, **overrides)


async def replay(
    scenario_path: Path,
    *,
    out: Path | None = None,
    step: float = 1.0,
    until: time | None = None,
    db_path: Path | None = None,
    on_alert: OnAlert | None = None,
    settings_overrides: dict[str, Any] | None = None,
) -> ReplaySummary:
    scenario = load_scenario(scenario_path)
    # From the pre-market open, so dark prints before the bell are read as they would be live.
    clock = VirtualClock(min(scenario.session_start, datetime.combine(scenario.session_date, PRE_MARKET_OPENS, tzinfo=ET)))
    end = datetime.combine(scenario.session_date, until or DEFAULT_END, tzinfo=ET)
    async with AsyncExitStack() as stack:
        sim = await stack.enter_async_context(SimServer.start(scenario, clock=clock))
        settings = replay_settings(sim, **(settings_overrides or {}))
        run = await open_headless(
            stack, settings, clock, replay_watchlist(scenario), db_path=db_path, jsonl=out, on_alert=on_alert
        )
        started = clock.now()
        await clock.run(run_stepped(run.pipeline.jobs(), clock, end, step=step))
        by_endpoint = {
            endpoint: sum(statuses.values()) for endpoint, statuses in sim.stats()["requests"].items()
        }
        return ReplaySummary(
            scenario=scenario.name,
            started=started.astimezone(ET),
            ended=clock.now().astimezone(ET),
            stats=run.pipeline.stats,
            client_requests=run.client.stats.requests,
            requests_by_endpoint=by_endpoint,
            chain_pages=run.options.feed.stats.pages,
            alerts=run.outlet.alerts,
        )
