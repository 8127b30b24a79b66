"""The stock pipeline: Darkpool and Breakouts on one clock, a sibling of the options engine.

Darkpool reads each watched symbol's prints incrementally through a persisted cursor, so no
print is read twice or skipped across polls and restarts; Breakouts reads one batch snapshot
for every symbol's live price and fetches minute bars only for the few whose price broke out.
Live (the scheduler), the demo and replay drive this same object; they differ in their clock.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import TypeVar

from bot.alerts.model import Alert, Scanner
from bot.analytics.conditions import ConditionTable
from bot.config import BreakoutsSettings, DarkpoolSettings, ScannerSettings, Settings
from bot.market.bars import BarsService
from bot.market.calendar import ET, POST_MARKET_CLOSES, POST_MARKET_CLOSES_ON_HALF_DAYS, MarketCalendar, et_date
from bot.market.clock import Clock, epoch_ns
from bot.market.watchlist import WatchedSymbol
from bot.polygon.client import PolygonClient
from bot.polygon.errors import PolygonError
from bot.polygon.models import Agg, StockSnapshot
from bot.scanners import breakouts as rules
from bot.scanners.dark_levels import LevelBook
from bot.scanners.darkpool import (
    YEAR_SESSIONS,
    Block,
    DailyContext,
    PrintCursor,
    SymbolMemory,
    dark_print,
    daily_context,
    darkpool_alert,
    score_block,
    tally,
    where_it_sat,
)
from bot.scanners.scoring import total
from bot.store import DedupState, Store

log = logging.getLogger(__name__)

SettingsT = TypeVar("SettingsT", bound=ScannerSettings)
SettingsProvider = Callable[[Scanner], ScannerSettings]

# Calendar days that surely hold the pace sessions (weekends and holidays included).
PACE_CALENDAR_DAYS = 45


def darkpool_memory_key(symbol: str) -> str:
    return f"darkpool.memory.{symbol}"


def breakout_fired_key(symbol: str, direction: rules.Direction) -> str:
    return f"breakouts.fired.{symbol}.{direction}"


@dataclass
class StockScanReport:
    scanner: Scanner
    symbols: int = 0  # symbols read this round
    prints: int = 0  # new prints read (darkpool)
    candidates: int = 0  # blocks (darkpool) or price breaks awaiting the volume check (breakouts)
    alerts: list[Alert] = field(default_factory=list)
    suppressed: int = 0  # already alerted: a print seen before, a break already posted today
    failures: dict[str, str] = field(default_factory=dict)  # symbol -> error


class StockEngine:
    def __init__(
        self,
        settings: Settings,
        client: PolygonClient,
        clock: Clock,
        watchlist: Sequence[WatchedSymbol],
        store: Store,
        *,
        conditions: ConditionTable | None = None,
        bars: BarsService | None = None,
        calendar: MarketCalendar | None = None,
        darkpool_symbols: Sequence[str] | None = None,
        settings_for: SettingsProvider | None = None,
    ) -> None:
        self.client = client
        self.clock = clock
        self.store = store
        self.watchlist = [watched.symbol for watched in watchlist]
        self.settings_for = settings_for or settings.scanners.of
        # The watchlist is ordered most liquid first; trades pages of liquid names are large,
        # so darkpool reads only the head of it unless told otherwise.
        size = settings.scanners.darkpool.watchlist_size
        self.darkpool_symbols = list(darkpool_symbols) if darkpool_symbols is not None else self.watchlist[:size]
        self.conditions = conditions or ConditionTable.builtin()
        self.bars = bars or BarsService(client, clock)
        self.calendar = calendar or MarketCalendar()
        self._paces: dict[str, tuple[date, rules.VolumePace]] = {}

    def _settings(self, name: Scanner, kind: type[SettingsT]) -> SettingsT:
        chosen = self.settings_for(name)
        if not isinstance(chosen, kind):
            raise TypeError(f"settings for {name.value} must be {kind.__name__}, got {type(chosen).__name__}")
        return chosen

    # --- darkpool ------------------------------------------------------------------------------

    async def scan_darkpool(self) -> StockScanReport:
        """Read every darkpool symbol's new prints; alert each new block once."""
        settings = self._settings(Scanner.DARKPOOL, DarkpoolSettings)
        report = StockScanReport(Scanner.DARKPOOL)
        if not settings.enabled:
            return report
        for symbol in self.darkpool_symbols:
            try:
                await self._read_prints(symbol, settings, report)
            except PolygonError as error:
                report.failures[symbol] = str(error)
                log.warning("darkpool read failed: %s", error, extra={"context": {"symbol": symbol}})
        return report

    async def _read_prints(self, symbol: str, settings: DarkpoolSettings, report: StockScanReport) -> None:
        now = self.clock.now()
        today = et_date(now)
        stored = await self._stored_memory(symbol)
        if not self._darkpool_due(stored, now):
            return
        memory = stored if stored is not None and stored.session == today else self._fresh_memory(now, settings)
        trades = await self.client.trades(symbol, timestamp_gte=memory.cursor.from_ns, timestamp_lte=epoch_ns(now))
        unread = memory.cursor.unread(trades)
        report.symbols += 1
        report.prints += len(unread)
        prints = [found for trade in unread if (found := dark_print(symbol, trade, self.conditions, self.calendar))]
        blocks = tally(prints, memory.levels, settings)
        if blocks:
            await self._alert_blocks(symbol, blocks, settings, report)
        advanced = SymbolMemory(today, memory.cursor.advanced(unread), memory.levels, epoch_ns(now))
        await self.store.state.set(darkpool_memory_key(symbol), advanced.to_json())

    async def _stored_memory(self, symbol: str) -> SymbolMemory | None:
        stored = await self.store.state.get(darkpool_memory_key(symbol))
        return SymbolMemory.from_json(stored) if isinstance(stored, dict) else None

    def _darkpool_due(self, stored: SymbolMemory | None, now: datetime) -> bool:
        """Prints are read while anything trades; after the close, once more for a symbol whose
        last read ended before it, so prints reported in the final minutes are not lost."""
        if self.calendar.is_open(now, extended=True):
            return True
        today = et_date(now)
        if stored is None or stored.session != today:
            return False
        return stored.polled_through_ns < epoch_ns(self._trading_day_end(today))

    def _trading_day_end(self, day: date) -> datetime:
        closes = POST_MARKET_CLOSES_ON_HALF_DAYS if self.calendar.is_half_day(day) else POST_MARKET_CLOSES
        return datetime.combine(day, closes, tzinfo=ET)

    def _fresh_memory(self, now: datetime, settings: DarkpoolSettings) -> SymbolMemory:
        """A session's first read looks back `lookback_minutes`, never into the previous day."""
        midnight = datetime.combine(et_date(now), time(0), tzinfo=ET)
        start = max(now - timedelta(minutes=settings.lookback_minutes), midnight)
        return SymbolMemory(et_date(now), PrintCursor(epoch_ns(start)), LevelBook(), epoch_ns(start))

    async def _alert_blocks(
        self, symbol: str, blocks: list[Block], settings: DarkpoolSettings, report: StockScanReport
    ) -> None:
        report.candidates += len(blocks)
        unseen = [block for block in blocks if not await self._alerted_before(block)]
        report.suppressed += len(blocks) - len(unseen)
        if not unseen:
            return
        context = await self._daily_context(symbol)
        snapshot = await self._snapshot(symbol)
        for block in unseen:
            components = score_block(block, context)
            if total(components) < settings.min_score:
                continue
            now = self.clock.now()
            position = where_it_sat(block.print.price, snapshot)
            report.alerts.append(darkpool_alert(block, components, context, position, now))
            notional = block.print.notional
            await self.store.dedup.put(
                Scanner.DARKPOOL.value, block.print.dedup_key, DedupState(et_date(now), now, now, notional, notional, 1)
            )

    async def _alerted_before(self, block: Block) -> bool:
        return await self.store.dedup.get(Scanner.DARKPOOL.value, block.print.dedup_key) is not None

    async def _daily_context(self, symbol: str) -> DailyContext:
        # A block is worth posting without its history: the alert then says what is missing.
        try:
            return daily_context(await self.bars.daily_history(symbol, YEAR_SESSIONS))
        except PolygonError as error:
            log.warning("daily bars unavailable: %s", error, extra={"context": {"symbol": symbol}})
            return DailyContext(None, None)

    async def _snapshot(self, symbol: str) -> StockSnapshot | None:
        try:
            return await self.client.stock_snapshot(symbol)
        except PolygonError as error:
            log.warning("stock snapshot unavailable: %s", error, extra={"context": {"symbol": symbol}})
            return None

    # --- breakouts -----------------------------------------------------------------------------

    async def scan_breakouts(self) -> StockScanReport:
        """Check every watched symbol against its prior range during the regular session."""
        settings = self._settings(Scanner.BREAKOUTS, BreakoutsSettings)
        report = StockScanReport(Scanner.BREAKOUTS)
        now = self.clock.now()
        # Relative volume is a regular-session measure, so breakouts are too.
        if not settings.enabled or not self.calendar.is_open(now):
            return report
        today = et_date(now)
        hours = self._session_hours(today)
        prices = await self._live_prices()
        for symbol in self.watchlist:
            try:
                await self._check_breakout(symbol, prices.get(symbol), hours, settings, report)
            except PolygonError as error:
                report.failures[symbol] = str(error)
                log.warning("breakout check failed: %s", error, extra={"context": {"symbol": symbol}})
        return report

    async def _live_prices(self) -> dict[str, float]:
        """Every watched symbol's live price from one batch snapshot; a symbol missing here
        falls back to its latest minute bar."""
        try:
            snapshots = await self.client.stock_snapshots(self.watchlist)
        except PolygonError as error:
            log.warning("batch stock snapshot unavailable: %s", error)
            return {}
        prices = {snapshot.ticker: rules.live_price(snapshot, self.conditions) for snapshot in snapshots}
        return {symbol: price for symbol, price in prices.items() if price is not None}

    async def _check_breakout(
        self,
        symbol: str,
        price: float | None,
        hours: rules.SessionHours,
        settings: BreakoutsSettings,
        report: StockScanReport,
    ) -> None:
        report.symbols += 1
        levels = rules.prior_range(
            await self.bars.daily_history(symbol, YEAR_SESSIONS), hours.day, settings.lookback_sessions
        )
        if levels is None:
            return
        today_bars = None
        if price is None:
            today_bars = await self.bars.minute_bars(symbol)
            if not today_bars:
                return
            price = today_bars[-1].c
        direction = rules.crossed(price, levels, settings)
        if direction is None:
            return
        fired_key = breakout_fired_key(symbol, direction)
        if await self.store.state.get(fired_key) == hours.day.isoformat():
            report.suppressed += 1
            return
        report.candidates += 1
        if today_bars is None:
            today_bars = await self.bars.minute_bars(symbol)
        now = self.clock.now()
        volume = rules.relative_volume(today_bars, hours, now, await self._pace(symbol, hours.day))
        extremes = rules.session_extremes(today_bars, hours, price)
        breakout = rules.confirm(symbol, hours.day, price, levels, volume, extremes, settings)
        if breakout is None:
            return
        components = rules.score_breakout(breakout)
        if total(components) < settings.min_score:
            return
        await self.store.state.set(fired_key, hours.day.isoformat())
        report.alerts.append(rules.breakout_alert(breakout, components, now))

    def _session_hours(self, day: date) -> rules.SessionHours:
        return rules.SessionHours(day, self.calendar.open_at(day), self.calendar.close_at(day))

    async def _pace(self, symbol: str, today: date) -> rules.VolumePace:
        """The symbol's volume pace over the prior sessions, fetched once a day in one request."""
        cached = self._paces.get(symbol)
        if cached is not None and cached[0] == today:
            return cached[1]
        days = self.calendar.sessions_between(today - timedelta(days=PACE_CALENDAR_DAYS), today - timedelta(days=1))
        sessions = [self._session_hours(day) for day in days[-rules.PACE_SESSIONS :]]
        bars: list[Agg] = []
        if sessions:
            bars = await self.client.aggregates(symbol, 1, "minute", sessions[0].day, sessions[-1].day)
        pace = rules.VolumePace.from_bars(bars, sessions)
        self._paces[symbol] = (today, pace)
        return pace
