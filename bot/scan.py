"""The headless run behind `python -m bot scan`: the real pipeline against the configured API,
with no Discord — "what would ORAKL post with my key, right now?"

The pipeline is the one replay and the demo build (`bot.wiring`), its jobs on APScheduler
as the bot runs them. Alerts are drawn in the terminal as the demo draws them and, on
request, written as JSON lines. The clock is the wall's, unless the server's clock reads
another day (a simulator serving a past session): then the scan follows the server's.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Callable, Collection, Sequence
from contextlib import AsyncExitStack
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from rich.console import Console

from bot.alerts.model import Alert, Scanner
from bot.config import Settings
from bot.market.calendar import ET, MarketCalendar, et_date
from bot.market.clock import Clock, ScaledClock, WallClock
from bot.market.watchlist import WatchedSymbol
from bot.pipeline import FEED_JOB, PipelineStats, schedule
from bot.plan_check import Access, handshake, probe_client, server_clock
from bot.scheduler import Scheduler
from bot.terminal import print_alert
from bot.wiring import HeadlessPipeline, open_headless

SHUTDOWN_GRACE_SECONDS = 5.0
HEARTBEAT_SECONDS = 300.0


class KeyRefused(Exception):
    """The server refused the API key: scanning could only fail."""


class OptionsAlwaysOpen(MarketCalendar):
    """`--ignore-hours`: the options feed and scanners run whatever the time, for a simulator
    serving a session while the calendar says the market is shut. The stock scanners keep
    their own hours (they read the session's own prints and bars)."""

    def options_open(self, moment: datetime, index: bool = False) -> bool:
        return True


def only_scanners(settings: Settings, chosen: Collection[Scanner]) -> Settings:
    """`settings` with exactly the `chosen` scanners enabled (an explicit choice wins over
    the configured `enabled`)."""
    scanners = settings.scanners.model_copy(
        update={
            scanner.value: settings.scanners.of(scanner).model_copy(update={"enabled": scanner in chosen})
            for scanner in Scanner
        }
    )
    return settings.model_copy(update={"scanners": scanners})


def hours_notice(now: datetime, calendar: MarketCalendar) -> str:
    """What the scan does about the time: scan now, or wait for the open (and how not to)."""
    local = now.astimezone(ET)
    if isinstance(calendar, OptionsAlwaysOpen):
        return "ignoring market hours: the options feed polls the chains whatever the time (--ignore-hours)"
    if calendar.options_open(now):
        return f"options session open until {calendar.close_at(et_date(now)).astimezone(ET):%H:%M} ET"
    today = et_date(now)
    opens_today = calendar.is_session(today) and local < calendar.open_at(today)
    opens = calendar.open_at(today if opens_today else calendar.next_session(today)).astimezone(ET)
    return (
        f"the options market is closed now ({local:%a %Y-%m-%d %H:%M} ET): the feed and the options "
        f"scanners wait for the open, {opens:%a %Y-%m-%d %H:%M} ET; darkpool reads prints from 04:00 to "
        f"20:00 ET and breakouts watch the regular session. --ignore-hours polls the chains anyway "
        f"(for a simulator)."
    )


@dataclass
class ScanSummary:
    started: datetime
    ended: datetime
    scanners: list[Scanner]
    stats: PipelineStats
    requests: int
    requests_by_endpoint: Counter[str]
    rate_limited: int
    alerts: list[Alert]

    def render(self) -> str:
        endpoints = ", ".join(f"{name} {count}" for name, count in sorted(self.requests_by_endpoint.items()))
        limited = f"; rate-limited (429) {self.rate_limited}" if self.rate_limited else ""
        per_scanner = Counter(alert.scanner for alert in self.alerts)
        alerts = ", ".join(f"{scanner.value} {per_scanner[scanner]}" for scanner in self.scanners) or "no scanner ran"
        return "\n".join([
            f"scan stopped: {self.started.astimezone(ET):%Y-%m-%d %H:%M:%S}–{self.ended.astimezone(ET):%H:%M:%S} ET",
            f"  requests used: {self.requests}" + (f" ({endpoints})" if endpoints else "") + limited,
            f"  chain refreshes: {self.stats.refreshes}, failed: {self.stats.refresh_failures}",
            f"  flow events: {self.stats.events}",
            f"  alerts: {len(self.alerts)} ({alerts})",
        ])  # fmt: skip


def say(console: Console, line: str) -> None:
    """A plain line: never wrapped (a log reader greps it), never read as rich markup."""
    console.print(line, markup=False, highlight=False, soft_wrap=True)


def heartbeat(clock: Clock, run: HeadlessPipeline) -> str:
    stats = run.pipeline.stats
    alerts = " ".join(f"{name}={count}" for name, count in sorted(stats.alerts.items()) if count) or "none yet"
    return (f"{clock.now().astimezone(ET):%H:%M:%S} ET · {run.client.stats.requests} requests "
            f"({run.client.stats.requests_last_minute()} in the last minute) · {stats.events} flow events · "
            f"alerts: {alerts}")  # fmt: skip


async def wait_for_stop(stop: asyncio.Event, duration: float | None, beat: Callable[[], None], every: float) -> None:
    """Until `stop` is set or `duration` wall seconds have passed, calling `beat` every `every`."""
    loop = asyncio.get_running_loop()
    deadline = None if duration is None else loop.time() + duration
    while not stop.is_set():
        left = every if deadline is None else min(every, deadline - loop.time())
        if left <= 0:
            return
        try:
            await asyncio.wait_for(stop.wait(), left)
        except TimeoutError:
            if deadline is None or loop.time() < deadline:
                beat()


async def run_scan(
    settings: Settings,
    watchlist: Sequence[WatchedSymbol],
    console: Console,
    *,
    clock: Clock | None = None,
    duration: float | None = None,
    ignore_hours: bool = False,
    jsonl: Path | None = None,
    stop: asyncio.Event | None = None,
    heartbeat_seconds: float = HEARTBEAT_SECONDS,
) -> ScanSummary:
    """Scan until `stop` is set or `duration` wall seconds have passed. A `ScaledClock` runs
    the jobs that much faster (a simulator's fast market, in tests)."""
    clock = clock or WallClock()
    stop = stop or asyncio.Event()
    # The first calendar builds the exchange's schedule (a child process, about a second).
    calendar = await asyncio.to_thread(OptionsAlwaysOpen if ignore_hours else MarketCalendar)
    async with AsyncExitStack() as stack:
        run = await open_headless(
            stack, settings, clock, watchlist, jsonl=jsonl, on_alert=lambda alert: print_alert(console, alert),
            calendar=calendar,
        )  # fmt: skip
        scanners = run.pipeline.scanners()
        # Without an options scanner the chains would be fetched for nobody.
        jobs = [job for job in run.pipeline.jobs() if job.id != FEED_JOB or run.options.scanners]
        scheduler = Scheduler()
        schedule(jobs, scheduler, speed=clock.speed if isinstance(clock, ScaledClock) else 1.0)
        say(console, f"ORAKL scan: {len(watchlist)} symbols · scanners: {', '.join(s.value for s in scanners) or 'none'}"
                     f" · {settings.requests_per_second:g} requests/s · {settings.polygon_base_url}"
                     + (f" · alerts also to {jsonl}" if jsonl else ""))  # fmt: skip
        say(console, hours_notice(clock.now(), calendar))
        say(console, "Ctrl-C stops with a summary.")
        started = clock.now()
        scheduler.start()
        try:
            await wait_for_stop(stop, duration, lambda: say(console, heartbeat(clock, run)), heartbeat_seconds)
        finally:
            await scheduler.stop(grace_seconds=SHUTDOWN_GRACE_SECONDS)
        stats = run.client.stats
        return ScanSummary(
            started, clock.now(), scanners, run.pipeline.stats, stats.requests, Counter(stats.requests_by_endpoint),
            stats.rate_limited, run.outlet.alerts,
        )  # fmt: skip


async def greet_server(settings: Settings, console: Console) -> Clock:
    """Ask the server for its status before scanning, and return the clock to scan on.

    A refused key stops here (`KeyRefused`): every request would fail. A server that does
    not answer yet is scanned anyway (every job retries as it runs). A server whose clock
    reads another moment (a simulator serving a past session) is followed."""
    async with probe_client(settings) as client:
        greeting = await handshake(client)
    if greeting.access is Access.BAD_KEY:
        raise KeyRefused(greeting.detail)
    if greeting.access is not Access.AVAILABLE:
        say(console, f"cannot ask {settings.polygon_base_url} for its status now ({greeting.detail}); "
                     "scanning anyway, every job retries as it runs")  # fmt: skip
    clock = server_clock(greeting.server_time, datetime.now(timezone.utc))
    if isinstance(clock, ScaledClock) and greeting.server_time is not None:
        say(console, f"the server's clock reads {greeting.server_time.astimezone(ET):%Y-%m-%d %H:%M:%S} ET, "
                     "another moment than ours: following the server's clock")  # fmt: skip
    return clock
