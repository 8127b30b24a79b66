"""The options pipeline on one clock: planner → feed → event log → scanners → alerts.

Live (APScheduler jobs), the demo, `scan` and `replay` all drive this same object; they
differ only in their clock and in where the alerts go.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import cast

from bot.alerts.model import Scanner
from bot.analytics.conditions import ConditionTable
from bot.config import OptionsScannerSettings, Settings
from bot.market.bars import BarsService
from bot.market.baselines import VolumeCache
from bot.market.clock import Clock
from bot.market.events import EventLog
from bot.market.feed import OptionsFeed, RefreshResult
from bot.market.planner import RefreshPlanner
from bot.market.trade_reader import TradeReader
from bot.market.watchlist import WatchedSymbol
from bot.polygon.client import PolygonClient
from bot.polygon.errors import PolygonError
from bot.scanners import OPTIONS_SCANNERS
from bot.scanners.base import DedupStore, OptionsScanner, ScanContext, ScanReport

log = logging.getLogger(__name__)

SettingsProvider = Callable[[Scanner], OptionsScannerSettings]


@dataclass
class RefreshFailure:
    underlying: str
    error: str


@dataclass
class RefreshRound:
    results: list[RefreshResult] = field(default_factory=list)
    failures: list[RefreshFailure] = field(default_factory=list)

    @property
    def requests(self) -> int:
        return sum(result.pages for result in self.results)


class OptionsEngine:
    def __init__(
        self,
        settings: Settings,
        client: PolygonClient,
        clock: Clock,
        watchlist: Sequence[WatchedSymbol],
        dedup: DedupStore,
        *,
        conditions: ConditionTable | None = None,
        scanners: Sequence[Scanner] | None = None,
        settings_for: SettingsProvider | None = None,
    ) -> None:
        self.settings = settings
        self.clock = clock
        self.watchlist = list(watchlist)
        self.settings_for = settings_for or (lambda name: cast(OptionsScannerSettings, settings.scanners.of(name)))
        chosen = [name for name in (scanners or OPTIONS_SCANNERS) if self.settings_for(name).enabled]
        self.scanners: dict[Scanner, OptionsScanner] = {name: OPTIONS_SCANNERS[name]() for name in chosen}
        self.cache = VolumeCache(clock)
        self.log = EventLog([name.value for name in self.scanners])
        self.feed = OptionsFeed(client, clock, self.cache, self.log, max_dte=self.max_dte())
        self.planner = RefreshPlanner(self.watchlist, clock, settings.requests_per_second)
        self.context = ScanContext(
            clock=clock,
            trades=TradeReader(client, clock, conditions or ConditionTable.builtin()),
            bars=BarsService(client, clock),
            dedup=dedup,
        )
        self.last_errors: dict[str, str] = {}

    def max_dte(self) -> int:
        """The chain is fetched out to the furthest expiry any running scanner wants."""
        return max((self.settings_for(name).max_dte for name in self.scanners), default=0)

    async def refresh(
        self, budget_requests: float, after_each: Callable[[], Awaitable[None]] | None = None
    ) -> RefreshRound:
        """Refresh the most urgent underlyings that fit the budget, one after the other;
        `after_each` runs after each refresh that appended events, before the next fetch.

        One at a time on purpose: the shared limiter sets the pace anyway, and a fixed order
        keeps replays deterministic. A failure degrades that underlying only.
        """
        outcome = RefreshRound()
        for underlying in self.planner.choose(budget_requests):
            try:
                result = await self.feed.refresh(underlying)
            except PolygonError as error:
                self.planner.failed(underlying)
                outcome.failures.append(RefreshFailure(underlying, str(error)))
                if self.last_errors.get(underlying) != str(error):
                    log.warning("chain refresh failed: %s", error, extra={"context": {"underlying": underlying}})
                self.last_errors[underlying] = str(error)
                continue
            self.last_errors.pop(underlying, None)
            self.planner.record(underlying, pages=result.pages, events=len(result.events))
            outcome.results.append(result)
            if after_each is not None and result.events:
                await after_each()
        return outcome

    async def scan(self, name: Scanner) -> ScanReport:
        """Run one scanner over every event it has not seen yet."""
        events = self.log.read(name.value)
        return await self.scanners[name].run(events, self.settings_for(name), self.context)

    def cleanup(self) -> int:
        """The VolumeCache cleanup job: evict baselines nobody refreshes any more."""
        return self.cache.cleanup(watched.symbol for watched in self.watchlist)
