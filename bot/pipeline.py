"""The periodic jobs of the whole scanning pipeline, defined once.

Live, the bot and `scan` register them on the APScheduler; `replay` and the demo step them on
their own clock (`run_stepped`). Either way the same job bodies run in the same order: the
feed refreshes the chains within the request budget and, right after each chain, the options
scanners read what its refresh appended; each scanner also runs at its own interval and
stagger; the VolumeCache is cleaned every five minutes.
"""

from __future__ import annotations

import asyncio
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
    scanner_runs: Counter[str] = field(default_factory=Counter)  # every scan, whichever job ran it
    scanner_failures: Counter[str] = field(default_factory=Counter)  # scans after a refresh that raised


class ScannerFailedAfterRefresh(Exception):
    """Raised by a scanner's own job when its scans after feed refreshes raised since the
    job last ran, so the scheduler counts the scanner as failing (what /status shows)."""

    def __init__(self, scanner: Scanner, failures: int, last_error: str) -> None:
        runs = "scan" if failures == 1 else "scans"
        super().__init__(f"{failures} {runs} of {scanner.value} after a feed refresh failed; the last: {last_error}")
        self.failures = failures


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
        # Runs of one scanner take turns: a scanner remembers what it selected and reads
        # then writes its dedup state, so two runs at once could alert one flow twice.
        self._turns = {name: asyncio.Lock() for name in Scanner}
        # What the scans after refreshes did since each scanner's own job last ran: that job
        # reports it, so /status counts every event and failure of the scanner.
        self._unreported: dict[Scanner, ScanOutcome] = {}
        self._failed: dict[Scanner, ScannerFailedAfterRefresh] = {}
        self._failing_after_refresh: set[Scanner] = set()
        self._paused: set[Scanner] = set()

    def pause(self, name: Scanner) -> None:
        """Stop the scanner's scans after refreshes (in the bot: its cog is not loaded, so
        /status says so). The flow it misses meanwhile is let go, not posted late on resume."""
        self._paused.add(name)

    def resume(self, name: Scanner) -> None:
        self._paused.discard(name)

    def options_open(self) -> bool:
        """Outside the regular session the feed makes no options requests at all."""
        return self.calendar.options_open(self.clock.now())

    def jobs(self) -> list[Job]:
        """Every periodic job: the feed, each enabled scanner, the VolumeCache cleanup.

        The options scanners also scan right after every refresh, so their interval no longer
        adds to how late flow is alerted. Their own jobs stay: they report the scans to
        /status (events, and failures after refreshes) at a steady pace, and scan what a
        refresh appended but did not get to scan (a refresh job that raised part-way). The
        stock scanners read their own endpoints, so for them interval and stagger are the pace.
        """
        settings = self.options.settings.scanners
        jobs = [Job(FEED_JOB, FEED_INTERVAL_SECONDS, 0, self.refresh)]
        for name in self.scanners():
            scanner = settings.of(name)
            jobs.append(Job(f"scanner:{name.value}", scanner.interval_seconds, scanner.stagger_seconds,
                            partial(self.run_scanner, name)))  # fmt: skip
        jobs.append(Job(CLEANUP_JOB, CLEANUP_INTERVAL_SECONDS, 0, self.cleanup))
        return jobs

    def scanners(self) -> list[Scanner]:
        stock = [] if self.stocks is None else [Scanner.DARKPOOL, Scanner.BREAKOUTS]
        settings = self.options.settings.scanners
        return [*self.options.scanners, *(name for name in stock if settings.of(name).enabled)]

    async def refresh(self) -> None:
        """The feed job: refresh the chains, scanning what each chain's refresh appended
        before the next is fetched, so an alert follows the fetch that saw its trade rather
        than the rest of the round or the scanner's next slot (up to its interval later)."""
        if not self.options_open():
            return
        # The budget is what the request rate earned since the last run (a late or stepped
        # run gets more), capped so a long gap is not spent in one burst.
        now = self.clock.monotonic()
        earned = FEED_INTERVAL_SECONDS if self._last_refresh is None else now - self._last_refresh
        self._last_refresh = now
        budget = self.options.settings.requests_per_second * min(earned, MAX_EARNED_SECONDS)
        outcome = await self.options.refresh(budget, after_each=self._scan_new_flow)
        self.stats.refreshes += len(outcome.results)
        self.stats.refresh_failures += len(outcome.failures)
        self.stats.events += sum(len(result.events) for result in outcome.results)

    async def _scan_new_flow(self) -> None:
        """Each options scanner with unread events scans them now, in the usual order (a
        paused one lets them go). One that raises is counted, and logged when it starts
        failing; the rest still scan."""
        for name in self.options.scanners:
            if name in self._paused:
                self.options.log.skip(name.value)
                continue
            if not self.options.log.pending(name.value):
                continue
            try:
                outcome = await self.scan(name)
            except Exception as error:  # one scanner's failure must not stop the feed or the others
                self._scan_failed(name, error)
                continue
            self._failing_after_refresh.discard(name)
            self._unreported[name] = combined(self._unreported.get(name), outcome)

    async def run_scanner(self, name: Scanner) -> ScanOutcome | None:
        """The scanner's own job: one scan, reported together with the scans after refreshes
        since the job last ran. Raises `ScannerFailedAfterRefresh` instead (scanning at the
        next slot) when one of those raised. None outside the scanner's hours with nothing
        to report."""
        failed = self._failed.pop(name, None)
        if failed is not None:
            raise failed
        outcome = await self.scan(name)
        return combined(self._unreported.pop(name, None), outcome)

    async def scan(self, name: Scanner) -> ScanOutcome | None:
        """One scan by one scanner: what is new to it, its alerts published. None outside the
        scanner's hours (options scanners keep to the options session; the stock scanners
        know their own hours)."""
        async with self._turns[name]:
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

    def _scan_failed(self, name: Scanner, error: Exception) -> None:
        self.stats.scanner_failures[name.value] += 1
        # A scanner with a bug fails on every refresh, once a second: the first failure is
        # logged in full, the rest show (with the last error) through its own job.
        if name not in self._failing_after_refresh:
            log.error("scanner failed after a feed refresh", exc_info=error,
                      extra={"context": {"scanner": name.value, "job": FEED_JOB}})  # fmt: skip
        self._failing_after_refresh.add(name)
        earlier = self._failed.get(name)
        failures = 1 + (earlier.failures if earlier else 0)
        self._failed[name] = ScannerFailedAfterRefresh(name, failures, f"{type(error).__name__}: {error}")


def combined(earlier: ScanOutcome | None, later: ScanOutcome | None) -> ScanOutcome | None:
    """Two runs' outcomes as one report (None when neither ran)."""
    if earlier is None or later is None:
        return earlier or later
    return ScanOutcome(earlier.looked_at + later.looked_at, [*earlier.alerts, *later.alerts])


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
