"""The periodic jobs of the whole scanning pipeline, defined once.

Live, the bot and `scan` register them on the APScheduler; `replay` and the demo step them on
their own clock (`run_stepped`). Either way the same job bodies run in the same order: the
feed refreshes the chains within the request budget, each scanner drains what is new at its
interval and stagger, the VolumeCache is cleaned every five minutes.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from functools import partial
from datetime import datetime

from bot.alerts.model import Alert, Scanner
from bot.market.calendar import MarketCalendar
from bot.market.clock import Clock, VirtualClock
from bot.engine import OptionsEngine
from bot.scheduler import Scheduler
from bot.stocks import StockEngine

log = logging.getLogger(__name__)

Publish = Callable[[Sequence[Alert]], Awaitable[None]]
FEED_JOB = "feed:refresh"
FEED_INTERVAL_SECONDS = 1
MAX_EARNED_SECONDS = 5.0
CLEANUP_JOB = "volume_cache:cleanup"
CLEANUP_INTERVAL_SECONDS = 300


@dataclass(frozen=True)
class Job:
    id: str
    seconds: int
    stagger: int
    run: Callable[[], Awaitable[None]]


@dataclass(frozen=True)
class ScanOutcome:
    looked_at: int  # flow events, dark prints or symbols: what the scanner read this run
    alerts: list[Alert]


@dataclass
class PipelineStats:
    refreshes: int = 0
    refresh_failures: int = 0
    events: int = 0
    alerts: Counter[str] = field(default_factory=Counter)
    scanner_runs: Counter[str] = field(default_factory=Counter)


class Pipeline:
    def __init__(
        self,
        options: OptionsEngine,
        stocks: StockEngine | None,
        clock: Clock,
        publish: Publish,
        *,
        calendar: MarketCalendar | None = None,
    ) -> None:
        self.options = options
        self.stocks = stocks
        self.clock = clock
        self.publish = publish
        self.calendar = calendar or MarketCalendar()
        self.stats = PipelineStats()
        self._last_refresh: float | None = None

    def options_open(self) -> bool:
        """Outside the regular session the feed makes no options requests at all."""
        return self.calendar.options_open(self.clock.now())

    def jobs(self) -> list[Job]:
        """Every periodic job: the feed, each enabled scanner, the VolumeCache cleanup."""
        settings = self.options.settings.scanners
        jobs = [Job(FEED_JOB, FEED_INTERVAL_SECONDS, 0, self.refresh)]
        for name in self.scanners():
            scanner = getattr(settings, name.value)
            jobs.append(Job(f"scanner:{name.value}", scanner.interval_seconds, scanner.stagger_seconds,
                            partial(self.run_scanner, name)))  # fmt: skip
        jobs.append(Job(CLEANUP_JOB, CLEANUP_INTERVAL_SECONDS, 0, self.cleanup))
        return jobs

    def scanners(self) -> list[Scanner]:
        stock = [] if self.stocks is None else [Scanner.DARKPOOL, Scanner.BREAKOUTS]
        settings = self.options.settings.scanners
        return [*self.options.scanners, *(name for name in stock if getattr(settings, name.value).enabled)]

    async def refresh(self) -> None:
        if not self.options_open():
            return
        # The budget is what the request rate earned since the last run (a late or stepped
        # run gets more), capped so a long gap is not spent in one burst.
        now = self.clock.monotonic()
        earned = FEED_INTERVAL_SECONDS if self._last_refresh is None else now - self._last_refresh
        self._last_refresh = now
        budget = self.options.settings.requests_per_second * min(earned, MAX_EARNED_SECONDS)
        outcome = await self.options.refresh(budget)
        self.stats.refreshes += len(outcome.results)
        self.stats.refresh_failures += len(outcome.failures)
        self.stats.events += sum(len(result.events) for result in outcome.results)

    async def run_scanner(self, name: Scanner) -> ScanOutcome | None:
        """One run of one scanner: scan what is new, publish the alerts. None outside the
        scanner's hours (options scanners keep to the options session; the stock scanners
        know their own hours)."""
        if name in self.options.scanners:
            if not self.options_open():
                return None
            report = await self.options.scan(name)
            outcome = ScanOutcome(report.events, report.alerts)
        elif self.stocks is not None and name is Scanner.DARKPOOL:
            darkpool = await self.stocks.scan_darkpool()
            outcome = ScanOutcome(darkpool.prints, darkpool.alerts)
        elif self.stocks is not None and name is Scanner.BREAKOUTS:
            breakouts = await self.stocks.scan_breakouts()
            outcome = ScanOutcome(breakouts.symbols, breakouts.alerts)
        else:
            raise ValueError(f"{name.value} is not running in this pipeline")
        self.stats.scanner_runs[name.value] += 1
        self.stats.alerts[name.value] += len(outcome.alerts)
        if outcome.alerts:
            await self.publish(outcome.alerts)
        return outcome

    async def cleanup(self) -> None:
        self.options.cleanup()


def next_slot(job: Job, now: float) -> float:
    """The first moment at or after `now` (seconds on a clock) when `job` is due."""
    slots = -(-(now - job.stagger) // job.seconds)  # ceiling division
    return slots * job.seconds + job.stagger


async def run_stepped(jobs: Sequence[Job], clock: VirtualClock, until: datetime, *, step: float = 1.0) -> None:
    """Run `jobs` on the virtual clock until `until`, each at its interval and stagger.

    Jobs due at the same moment run in the order given, one after the other, so a replay of
    the same scenario makes the same requests in the same order. A job whose run took longer
    than its interval skips the slots it overran, like `max_instances=1` with `coalesce`.
    """
    origin = clock.now().replace(minute=0, second=0, microsecond=0)
    elapsed = (clock.now() - origin).total_seconds()
    due = {job.id: next_slot(job, elapsed) for job in jobs}
    while clock.now() < until:
        elapsed = (clock.now() - origin).total_seconds()
        for job in jobs:
            if due[job.id] <= elapsed:
                await job.run()
                due[job.id] = next_slot(job, (clock.now() - origin).total_seconds() + 1e-9)
        await clock.sleep(step)


def schedule(jobs: Sequence[Job], scheduler: Scheduler, *, speed: float = 1.0) -> None:
    """Put `jobs` on the APScheduler; `speed` > 1 runs them that much faster (the demo's
    market clock runs `speed` times faster than the wall)."""
    for job in jobs:
        scheduler.every(job.id, job.seconds / speed, job.run, stagger=job.stagger / speed)
