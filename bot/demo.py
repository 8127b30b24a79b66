"""The demo: the main job on the embedded simulator, in the terminal, with no credentials.

The simulator serves the busy scenario on 127.0.0.1 with market time running `speed` times
faster than the wall (a trading hour in a minute at 60). The real client, feed, APScheduler
jobs, scanners and SQLite store run against it; each alert is drawn as the Discord embed
would look, a status line shows market time, API use and alerts, and the run ends with the
planted events caught and missed.
"""

from __future__ import annotations

import asyncio
from contextlib import AsyncExitStack, suppress
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from pathlib import Path

from rich.console import Console
from rich.live import Live
from rich.text import Text

from bot.alerts.model import Alert
from bot.config import Settings, load_settings
from bot.market.calendar import ET
from bot.market.clock import ScaledClock, epoch_ns
from bot.pipeline import schedule
from bot.replay import replay_watchlist
from bot.scheduler import Scheduler
from bot.sim.scenario import load_scenario
from bot.sim.scorecard import Scorecard, score
from bot.sim.server import SimServer
from bot.terminal import print_alert, status_line
from bot.wiring import open_headless

DEFAULT_SCENARIO = Path("data/scenarios/busy.json")
DEFAULT_START = time(9, 29)
STATUS_REFRESH_SECONDS = 0.5
SHUTDOWN_GRACE_SECONDS = 5.0
DETECTION_ALLOWANCE = timedelta(minutes=3)


@dataclass
class DemoResult:
    alerts: list[Alert]
    scorecard: Scorecard
    requests: int
    started: datetime
    ended: datetime


def demo_settings(sim: SimServer, db_path: Path) -> Settings:
    # The sim's key has no rate limit; the demo spends the free-tier-beating budget a paid
    # plan would, in market time.
    return load_settings(polygon_base_url=sim.base_url, polygon_api_key=sim.api_key, sqlite_path=db_path)


async def run_demo(
    scenario_path: Path = DEFAULT_SCENARIO,
    *,
    speed: float = 60.0,
    duration: float = 90.0,
    start: time = DEFAULT_START,
    db_path: Path = Path("data/demo.db"),
    jsonl: Path | None = None,
    console: Console | None = None,
    stop: asyncio.Event | None = None,
) -> DemoResult:
    """Run for `duration` wall seconds, or until `stop` is set (a stop signal)."""
    console = console or Console()
    stop = stop or asyncio.Event()
    scenario = load_scenario(scenario_path)
    clock = ScaledClock(datetime.combine(scenario.session_date, start, tzinfo=ET), speed)
    async with AsyncExitStack() as stack:
        sim = await stack.enter_async_context(SimServer.start(scenario, clock=clock))
        settings = demo_settings(sim, db_path)
        run = await open_headless(
            stack, settings, clock, replay_watchlist(scenario), db_path=db_path, jsonl=jsonl,
            on_alert=lambda alert: print_alert(console, alert),
        )  # fmt: skip
        client, pipeline = run.client, run.pipeline
        live = stack.enter_context(Live(Text(""), console=console, refresh_per_second=4, transient=True))
        scheduler = Scheduler()
        schedule(pipeline.jobs(), scheduler, speed=speed)
        await sim.prepare()
        clock.restart()  # building the books took wall time; the session starts now
        console.print(f"ORAKL demo: {scenario.name} on {scenario.session_date}, market time ×{speed:g}, "
                      f"{duration:g} s · simulator at {sim.base_url}")  # fmt: skip
        started = clock.now()
        scheduler.start()
        try:
            deadline = asyncio.get_running_loop().time() + duration
            while not stop.is_set() and asyncio.get_running_loop().time() < deadline:
                live.update(Text(status_line(
                    f"{clock.now().astimezone(ET):%H:%M:%S} ET",
                    client.stats.requests_last_minute(),
                    settings.requests_per_second * 60,
                    pipeline.stats.alerts,
                ), style="bold"))  # fmt: skip
                with suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), STATUS_REFRESH_SECONDS)
        finally:
            await scheduler.stop(grace_seconds=SHUTDOWN_GRACE_SECONDS)
        ended = clock.now()
        # Events planted in the last moments had no time to be refreshed and read yet.
        alerts = run.outlet.alerts
        card = score(sim.truth(), alerts, since_ns=epoch_ns(started), until_ns=epoch_ns(ended - DETECTION_ALLOWANCE))
        return DemoResult(alerts, card, client.stats.requests, started, ended)


def print_summary(console: Console, result: DemoResult) -> None:
    card = result.scorecard
    console.rule("summary")
    console.print(
        f"market time {result.started.astimezone(ET):%H:%M}–{result.ended.astimezone(ET):%H:%M} ET · "
        f"{len(result.alerts)} alerts · {result.requests} API requests"
    )
    for expectation, alert in card.caught:
        console.print(f"  [green]caught[/]  {expectation.truth.id:<28} {expectation.scanner.label:<14} "
                      f"at {alert.detected_at.astimezone(ET):%H:%M:%S}")  # fmt: skip
    for expectation in card.missed:
        console.print(f"  [red]missed[/]  {expectation.truth.id:<28} {expectation.scanner.label}")
    console.print(f"planted events caught: {len(card.caught)} of {len(card.caught) + len(card.missed)}"
                  f" · alerts not from a planted event: {len(card.unexpected)}")  # fmt: skip
