"""How ORAKL is doing, as one snapshot: what `/status`, `python -m bot status` and `/health` show.

A `StatusSnapshot` is taken from the running services: the Polygon API's requests per minute
against the plan's budget, 429s and error rate; the VolumeCache hit rate (target > 70%); each
scanner's interval, last run, failures and overruns; the feed's refresh lag per tier against
its promised interval; resident memory (target < 300 MB); alerts per scanner in the last hour;
broken subscriptions; uptime. The bot writes one to the store's state table every
`ORAKL_STATUS_INTERVAL_SECONDS`, so another process (`python -m bot status`) can read it.
Error texts are scrubbed of every secret before they are kept.
"""

from __future__ import annotations

import resource
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING

from pydantic import BaseModel

from bot.alerts import Scanner
from bot.alerts.text import count, et_time, percent, plural
from bot.logs import RedactSecrets
from bot.store import KeyValueState

if TYPE_CHECKING:
    from bot.app import Services
    from bot.scheduler import JobHealth

STATE_KEY = "status.snapshot"
HOUR = timedelta(hours=1)
MEGABYTE = 1_000_000
RSS_TARGET_BYTES = 300 * MEGABYTE
VOLUME_CACHE_HIT_TARGET = 0.70
# A snapshot is written every interval; missing three in a row means the bot is not running.
STALE_AFTER_INTERVALS = 3
STATM = Path("/proc/self/statm")


FEED_BEHIND_FACTOR = 3


class ScannerState(StrEnum):
    RUNNING = "running"
    DISABLED = "disabled"
    NOT_LOADED = "not loaded"


class ScannerStatus(BaseModel):
    scanner: Scanner
    state: ScannerState
    interval_seconds: int
    runs: int = 0
    failures: int = 0
    overruns: int = 0
    last_run: datetime | None = None
    last_error: str | None = None
    events_last_hour: int = 0
    alerts_last_hour: int = 0

    @property
    def failing(self) -> bool:
        return self.state is ScannerState.NOT_LOADED or self.last_error is not None

    def summary(self) -> str:
        """Everything after the scanner's name on its status line."""
        if self.state is ScannerState.NOT_LOADED:
            return "⚠️ not loaded"
        if self.state is ScannerState.DISABLED:
            return "disabled in settings"
        parts = [
            f"every {self.interval_seconds} s",
            f"last run {et_time(self.last_run)}" if self.last_run else "not run yet",
            f"{plural(self.events_last_hour, 'event')}, {plural(self.alerts_last_hour, 'alert')} in the last hour",
        ]
        if self.last_error is not None:
            parts.append(f"⚠️ failing ({plural(self.failures, 'failed run')}): {self.last_error}")
        elif self.failures:
            parts.append(f"{plural(self.failures, 'failed run')} earlier, working again")
        if self.overruns:
            parts.append(f"{plural(self.overruns, 'run')} skipped while the previous one ran")
        return " · ".join(parts)


class TierLag(BaseModel):
    tier: int
    lag_seconds: float | None
    """Since the stalest symbol of the tier was refreshed; None until all have been."""
    promised_seconds: float


class FeedStatus(BaseModel):
    tiers: list[TierLag]
    volume_cache_hit_rate: float | None
    """Lookups that found a baseline; None before the first lookup."""
    options_open: bool = False
    """Whether the feed should be refreshing: outside the session a growing lag is normal."""

    @property
    def behind(self) -> bool:
        """In session, a tier left unrefreshed for several times its promised interval (an
        outage, a 429 storm): the scanners are running but seeing nothing new."""
        return self.options_open and any(
            tier.lag_seconds is not None and tier.lag_seconds > FEED_BEHIND_FACTOR * tier.promised_seconds
            for tier in self.tiers
        )

    def summary(self) -> str:
        parts = ["⚠️ behind its promised refresh"] if self.behind else []
        parts += [
            f"tier {tier.tier}: "
            f"{'not refreshed yet' if tier.lag_seconds is None else f'{tier.lag_seconds:.0f} s'}"
            f" (every {tier.promised_seconds:.0f} s)"
            for tier in self.tiers
        ] or ["no symbols on the watchlist"]
        rate = self.volume_cache_hit_rate
        if rate is None:
            parts.append("VolumeCache: no lookups yet")
        else:
            low = "⚠️ " if rate < VOLUME_CACHE_HIT_TARGET else ""
            parts.append(f"{low}VolumeCache hits {percent(rate)} (target > {percent(VOLUME_CACHE_HIT_TARGET)})")
        return " · ".join(parts)


class ApiStatus(BaseModel):
    requests_last_minute: int
    budget_per_minute: float
    requests: int
    rate_limited: int
    retries: int
    errors: dict[str, int]
    """Requests given up on, by kind (timeout, server, auth, ...)."""
    response_cache_hit_rate: float | None

    @property
    def error_rate(self) -> float:
        return sum(self.errors.values()) / self.requests if self.requests else 0.0

    def summary(self) -> str:
        hits = "n/a" if self.response_cache_hit_rate is None else percent(self.response_cache_hit_rate)
        return (
            f"{count(self.requests_last_minute)} requests in the last minute "
            f"(budget {self.budget_per_minute:,.0f}/min) · {count(self.rate_limited)} rate-limited (429) · "
            f"{count(sum(self.errors.values()))} errors ({percent(self.error_rate)} of requests) · cache hits {hits}"
        )


class StatusSnapshot(BaseModel):
    taken_at: datetime
    started_at: datetime
    interval_seconds: int
    """How often the bot writes a snapshot: what tells a reader this one is stale."""
    scheduler_running: bool
    scanners: list[ScannerStatus]
    feed: FeedStatus
    api: ApiStatus
    rss_bytes: int
    broken_subscriptions: int
    held_for_digest: int
    guilds: int
    not_loaded: dict[str, str]
    """Extensions that failed to load, with why."""

    @property
    def degraded(self) -> bool:
        """A scanner failing or missing, part of the bot not loaded, or the feed far behind."""
        return bool(self.not_loaded) or self.feed.behind or any(scanner.failing for scanner in self.scanners)

    @property
    def uptime(self) -> timedelta:
        return self.taken_at - self.started_at

    def is_stale(self, now: datetime) -> bool:
        return now - self.taken_at > timedelta(seconds=STALE_AFTER_INTERVALS * self.interval_seconds)

    def bot_summary(self) -> str:
        high = "⚠️ " if self.rss_bytes > RSS_TARGET_BYTES else ""
        return (
            f"{high}memory {self.rss_bytes / MEGABYTE:.0f} MB (target < {RSS_TARGET_BYTES // MEGABYTE} MB) · "
            f"up {format_duration(self.uptime)} · {count(self.guilds)} servers"
        )

    def held_summary(self) -> str:
        if not self.held_for_digest:
            return "no digest pending"
        return f"{count(self.held_for_digest)} alerts held for the next digest"


async def take_snapshot(
    services: Services,
    *,
    events_last_hour: Mapping[Scanner, int],
    not_loaded: Mapping[str, str],
    guilds: int,
) -> StatusSnapshot:
    """The bot's state now. `events_last_hour` has one entry per loaded scanner (what it read
    in the last hour); a scanner missing from it did not load."""
    now = services.clock.now()
    redact = RedactSecrets(services.settings.secrets()).scrub
    alerts = await services.store.alerts.counts_since(now - HOUR)
    subscriptions = await services.store.subscriptions.all()
    scanners = []
    for scanner in Scanner:
        interval = services.settings.scanners.of(scanner).interval_seconds
        health = services.scheduler.health.get(f"scanner:{scanner.value}")
        if scanner not in events_last_hour:
            scanners.append(ScannerStatus(scanner=scanner, state=ScannerState.NOT_LOADED, interval_seconds=interval))
        elif health is None:
            scanners.append(ScannerStatus(scanner=scanner, state=ScannerState.DISABLED, interval_seconds=interval))
        else:
            scanners.append(running_scanner(
                scanner, interval, health, events_last_hour[scanner], alerts.get(scanner.value, 0), redact
            ))  # fmt: skip
    return StatusSnapshot(
        taken_at=now,
        started_at=services.started_at,
        interval_seconds=services.settings.status_interval_seconds,
        scheduler_running=services.scheduler.running,
        scanners=scanners,
        feed=feed_status(services),
        api=api_status(services),
        rss_bytes=rss_bytes(),
        broken_subscriptions=sum(1 for subscription in subscriptions if subscription.status == "broken"),
        held_for_digest=len(services.router.digests),
        guilds=guilds,
        not_loaded={name: redact(error) for name, error in not_loaded.items()},
    )


def running_scanner(
    scanner: Scanner, interval: int, health: JobHealth, events: int, alerts: int, redact: Callable[[str], str]
) -> ScannerStatus:
    return ScannerStatus(
        scanner=scanner,
        state=ScannerState.RUNNING,
        interval_seconds=interval,
        runs=health.runs,
        failures=health.failures,
        overruns=health.overruns,
        last_run=health.last_run,
        last_error=None if health.last_error is None else redact(health.last_error),
        events_last_hour=events,
        alerts_last_hour=alerts,
    )


def feed_status(services: Services) -> FeedStatus:
    planner = services.options.planner
    lags = planner.lag_by_tier()
    cache = services.options.cache.stats
    return FeedStatus(
        tiers=[
            TierLag(tier=tier, lag_seconds=lags[tier], promised_seconds=planner.promised_interval(tier))
            for tier in sorted(lags)
        ],
        volume_cache_hit_rate=cache.hit_rate if cache.hits + cache.misses else None,
        options_open=services.calendar.options_open(services.clock.now()),
    )


def api_status(services: Services) -> ApiStatus:
    stats = services.polygon.stats
    lookups = stats.cache_hits + stats.cache_misses
    return ApiStatus(
        requests_last_minute=stats.requests_last_minute(),
        budget_per_minute=services.settings.requests_per_second * 60,
        requests=stats.requests,
        rate_limited=stats.rate_limited,
        retries=stats.retries,
        errors=dict(stats.errors),
        response_cache_hit_rate=stats.cache_hits / lookups if lookups else None,
    )


async def save_snapshot(state: KeyValueState, snapshot: StatusSnapshot) -> None:
    await state.set(STATE_KEY, snapshot.model_dump(mode="json"))


async def load_snapshot(state: KeyValueState) -> StatusSnapshot | None:
    """The last snapshot written, or None when there is none. Raises pydantic's
    ValidationError for one written by an ORAKL whose snapshot had another shape."""
    stored = await state.get(STATE_KEY)
    return None if stored is None else StatusSnapshot.model_validate(stored)


def rss_bytes() -> int:
    """Resident memory now (Linux), else the peak the OS reports."""
    try:
        resident_pages = int(STATM.read_text().split()[1])
        return resident_pages * resource.getpagesize()
    except (OSError, IndexError, ValueError):
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # kilobytes on Linux


def format_duration(span: timedelta) -> str:
    minutes = int(span.total_seconds() // 60)
    days, minutes = divmod(minutes, 24 * 60)
    hours, minutes = divmod(minutes, 60)
    return f"{days}d {hours}h {minutes}m" if days else f"{hours}h {minutes}m"
