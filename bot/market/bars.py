"""Daily and intraday bars of underlyings, fetched once and shared by every scanner.

Daily history is complete sessions before today (today excluded), cached for the ET day.
Minute bars are today's so far; the client's short TTL cache makes concurrent asks by
several scanners one request.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta, timezone

from bot.analytics.ta import Bar, Candle, resample
from bot.market.calendar import MarketCalendar, et_date
from bot.market.clock import Clock, from_epoch_ns
from bot.polygon.client import PolygonClient
from bot.polygon.models import Agg

# Calendar days that surely hold the sessions asked for (weekends and holidays included).
CALENDAR_DAYS_PER_SESSION = 1.6
MIN_CALENDAR_DAYS = 10


def as_bar(agg: Agg) -> Bar:
    return (from_epoch_ns(agg.t * 1_000_000).astimezone(timezone.utc), agg.o, agg.h, agg.l, agg.c, agg.v)


@dataclass
class BarsService:
    client: PolygonClient
    clock: Clock
    calendar: MarketCalendar = field(default_factory=MarketCalendar)
    _daily: dict[str, tuple[date, int, list[Agg]]] = field(default_factory=dict)

    async def daily_history(self, symbol: str, sessions: int) -> list[Agg]:
        """The last `sessions` complete daily bars before today, oldest first."""
        today = et_date(self.clock.now())
        cached = self._daily.get(symbol)
        if cached is not None and cached[0] == today and cached[1] >= sessions:
            return cached[2][-sessions:]
        span = max(MIN_CALENDAR_DAYS, int(sessions * CALENDAR_DAYS_PER_SESSION) + 7)
        bars = await self.client.aggregates(
            symbol, 1, "day", today - timedelta(days=span), today - timedelta(days=1)
        )
        complete = [bar for bar in bars if et_date(from_epoch_ns(bar.t * 1_000_000)) < today]
        self._daily[symbol] = (today, sessions, complete)
        return complete[-sessions:]

    async def minute_bars(self, symbol: str) -> list[Agg]:
        """Today's 1-minute bars so far, oldest first."""
        today = et_date(self.clock.now())
        return await self.client.aggregates(symbol, 1, "minute", today, today)

    async def closed_candles(self, symbol: str, minutes: int) -> list[Candle]:
        """Closed N-minute candles from the previous session's open to now (a forming candle
        never counts). The previous session is there so indicators such as RSI(14) read the
        same continuous series a chart shows, not one restarted at every open."""
        today = et_date(self.clock.now())
        previous = self.calendar.previous_session(today)
        bars = await self.client.aggregates(symbol, 1, "minute", previous, today)
        return resample((as_bar(bar) for bar in bars), minutes, closed_by=self.clock.now())

    def forget_before(self, day: date) -> None:
        """Drop daily caches of earlier sessions (daily housekeeping)."""
        for symbol in [s for s, (cached_day, _, _) in self._daily.items() if cached_day < day]:
            del self._daily[symbol]
