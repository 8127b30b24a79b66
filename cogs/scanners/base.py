"""What every scanner cog shares: its scheduled job, its run, and a memory of recent runs.

On load a scanner cog registers `scanner:<name>` at the scanner's interval and stagger (if the
scanner is enabled) and lets the pipeline scan for it after each refresh; on unload it undoes
both, so a scanner whose cog is not loaded posts nothing. Each run is the pipeline's run of that
scanner (`bot.pipeline.Pipeline.run_scanner`: its hours, the scan, the alerts to the router),
so the bot, the demo and replay run scanners the same way. A scanner cog itself is a few
lines: which scanner and what it looks for.
"""

from __future__ import annotations

import logging
from collections import deque
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, ClassVar

from bot.alerts import Scanner
from bot.config import ScannerSettings
from cogs.common.cog import OraklCog

if TYPE_CHECKING:
    from bot.app import OraklBot

log = logging.getLogger(__name__)

ACTIVITY_WINDOW = timedelta(hours=1)


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
        return self.services.settings.scanners.of(self.scanner)

    async def cog_load(self) -> None:
        if not self.settings.enabled:
            log.info("scanner disabled in settings", extra={"context": {"scanner": self.scanner.value}})
            return
        self.services.scheduler.every(
            self.job_id, self.settings.interval_seconds, self.run, stagger=self.settings.stagger_seconds
        )
        self.services.pipeline.resume(self.scanner)

    async def cog_unload(self) -> None:
        self.services.pipeline.pause(self.scanner)
        self.services.scheduler.remove(self.job_id)

    async def run(self) -> None:
        """One scheduled run, as the pipeline defines it; remember what it saw for /status."""
        now = self.services.clock.now()
        outcome = await self.services.pipeline.run_scanner(self.scanner)
        if outcome is not None:
            self._remember(Run(now, outcome.looked_at, len(outcome.alerts)))

    def last_hour(self, now: datetime) -> Run:
        """Events and alerts summed over the runs of the last hour, as of `now`."""
        recent = [run for run in self.runs if run.at > now - ACTIVITY_WINDOW]
        return Run(now, sum(run.events for run in recent), sum(run.alerts for run in recent))

    def _remember(self, run: Run) -> None:
        self.runs.append(run)
        while self.runs and self.runs[0].at <= run.at - ACTIVITY_WINDOW:
            self.runs.popleft()
