"""What every scanner cog shares: its scheduled job, its run, and a memory of recent runs.

On load a scanner cog registers `scanner:<name>` at the scanner's interval and stagger (if the
scanner is enabled); on unload it removes the job. Each run scans and hands the alerts to the
router. A scanner cog itself is a few lines: which scanner, what it looks for, how it scans.
"""

from __future__ import annotations

import logging
from abc import abstractmethod
from collections import deque
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, ClassVar

from bot.alerts import Alert, Scanner
from bot.config import ScannerSettings
from cogs.common.cog import OraklCog

if TYPE_CHECKING:
    from bot.app import OraklBot

log = logging.getLogger(__name__)

ACTIVITY_WINDOW = timedelta(hours=1)


@dataclass(frozen=True)
class ScanResult:
    events: int
    """what the scanner looked at: flow events, dark prints or symbols"""
    alerts: list[Alert]


@dataclass(frozen=True)
class Run:
    at: datetime
    events: int
    alerts: int


class ScannerCog(OraklCog):
    scanner: ClassVar[Scanner]
    looks_for: ClassVar[str]
    """One line for /help: what the scanner posts."""

    def __init__(self, bot: OraklBot) -> None:
        super().__init__(bot)
        self.runs: deque[Run] = deque()

    @classmethod
    async def setup_extension(cls, bot: OraklBot) -> None:
        await bot.add_cog(cls(bot))

    @property
    def job_id(self) -> str:
        return f"scanner:{self.scanner.value}"

    @property
    def settings(self) -> ScannerSettings:
        chosen: ScannerSettings = getattr(self.services.settings.scanners, self.scanner.value)
        return chosen

    async def cog_load(self) -> None:
        if not self.settings.enabled:
            log.info("scanner disabled in settings", extra={"context": {"scanner": self.scanner.value}})
            return
        self.services.scheduler.every(
            self.job_id, self.settings.interval_seconds, self.run, stagger=self.settings.stagger_seconds
        )

    async def cog_unload(self) -> None:
        self.services.scheduler.remove(self.job_id)

    async def run(self) -> None:
        """One scheduled run: scan, remember what was seen, route the alerts."""
        now = self.services.clock.now()
        if not self.in_session(now):
            return
        result = await self.scan()
        self._remember(Run(now, result.events, len(result.alerts)))
        await self.services.router.route(result.alerts)

    def last_hour(self, now: datetime) -> Run:
        """Events and alerts summed over the runs of the last hour, as of `now`."""
        recent = [run for run in self.runs if run.at > now - ACTIVITY_WINDOW]
        return Run(now, sum(run.events for run in recent), sum(run.alerts for run in recent))

    def _remember(self, run: Run) -> None:
        self.runs.append(run)
        while self.runs and self.runs[0].at <= run.at - ACTIVITY_WINDOW:
            self.runs.popleft()

    @abstractmethod
    def in_session(self, now: datetime) -> bool:
        """Whether the scanner has anything to do at `now`."""

    @abstractmethod
    async def scan(self) -> ScanResult: ...


class OptionsScannerCog(ScannerCog):
    """Options scanners read the shared feed's events, in the options session only."""

    def in_session(self, now: datetime) -> bool:
        return self.services.calendar.options_open(now)

    async def scan(self) -> ScanResult:
        report = await self.services.options.scan(self.scanner)
        return ScanResult(report.events, report.alerts)


class StockScannerCog(ScannerCog):
    """Stock scanners know their own hours (dark prints trade in extended hours too)."""

    def in_session(self, now: datetime) -> bool:
        return True
