"""A Polygon-shaped stock market on 127.0.0.1 for the stock-engine tests.

It serves what the stock scanners read — `/v3/trades` (timestamp filters, ascending, paged
through `next_url`), daily and minute aggregates by date range, single and batch stock
snapshots — from data a test planted, and records every request so a test can say what was
asked. A print or a bar is served only once the clock has reached its timestamp.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from urllib.parse import urlencode

import msgspec
from aiohttp import web
from aiohttp.test_utils import TestServer

from bot.market.calendar import ET
from bot.market.clock import Clock, epoch_ns
from bot.polygon.models import Agg, StockSnapshot, Trade

TRADES = "/v3/trades/"
AGGS = "/v2/aggs/ticker/"
SNAPSHOTS = "/v2/snapshot/locale/us/markets/stocks/tickers"


@dataclass(frozen=True)
class Asked:
    path: str
    query: dict[str, str]


def _json(payload: object, status: int = 200) -> web.Response:
    return web.Response(status=status, body=msgspec.json.encode(payload), content_type="application/json")


class FakeStockApi:
    def __init__(self, clock: Clock, page_size: int = 4) -> None:
        self.clock = clock
        self.page_size = page_size
        self.asked: list[Asked] = []
        self.trades: dict[str, list[Trade]] = defaultdict(list)
        self.bars: dict[tuple[str, str], dict[int, Agg]] = defaultdict(dict)  # (symbol, timespan) -> start -> bar
        self.snapshots: dict[str, StockSnapshot] = {}
        self.failing: dict[str, int] = {}  # symbol -> HTTP status of every trades request
        app = web.Application()
        app.router.add_get("/{tail:.*}", self._handle)
        self._server = TestServer(app, host="127.0.0.1")

    async def start(self) -> None:
        await self._server.start_server()

    async def close(self) -> None:
        await self._server.close()

    @property
    def url(self) -> str:
        return str(self._server.make_url("")).rstrip("/")

    # --- planting ------------------------------------------------------------------------------

    def add_trades(self, symbol: str, *trades: Trade) -> None:
        self.trades[symbol] = sorted([*self.trades[symbol], *trades], key=lambda trade: trade.sip_timestamp)

    def add_bars(self, symbol: str, timespan: str, bars: list[Agg]) -> None:
        """Plant bars; a bar starting where one already is replaces it."""
        self.bars[(symbol, timespan)].update((bar.t, bar) for bar in bars)

    # --- what was asked ------------------------------------------------------------------------

    def trades_asked(self, symbol: str) -> list[dict[str, str]]:
        """The first page of every trades read of `symbol` (continuations left out)."""
        return [asked.query for asked in self.asked if asked.path == TRADES + symbol and "offset" not in asked.query]

    def aggregates_asked(self, symbol: str, timespan: str) -> list[str]:
        prefix = f"{AGGS}{symbol}/range/1/{timespan}/"
        return [asked.path.removeprefix(prefix) for asked in self.asked if asked.path.startswith(prefix)]

    # --- serving -------------------------------------------------------------------------------

    async def _handle(self, request: web.Request) -> web.Response:
        query = dict(request.query)
        self.asked.append(Asked(request.path, query))
        path = request.path
        if path.startswith(TRADES):
            return self._trades(path.removeprefix(TRADES), query)
        if path.startswith(AGGS):
            symbol, _, _, timespan, start, end = path.removeprefix(AGGS).split("/")
            return self._aggregates(symbol, timespan, start, end)
        if path == SNAPSHOTS:
            wanted = query.get("tickers", "").split(",")
            return _json({"status": "OK", "tickers": [self.snapshots[s] for s in wanted if s in self.snapshots]})
        if path.startswith(SNAPSHOTS + "/"):
            found = self.snapshots.get(path.removeprefix(SNAPSHOTS + "/"))
            if found is None:
                return _json({"status": "NOT_FOUND", "message": "Ticker not found."}, 404)
            return _json({"status": "OK", "ticker": found})
        return _json({"status": "NOT_FOUND", "message": "no such route"}, 404)

    def _trades(self, symbol: str, query: dict[str, str]) -> web.Response:
        if symbol in self.failing:
            return _json({"status": "ERROR", "message": "failing on purpose"}, self.failing[symbol])
        now = epoch_ns(self.clock.now())
        bounds = {name: int(query[f"timestamp.{name}"]) for name in ("gt", "gte", "lt", "lte") if f"timestamp.{name}" in query}
        matching = [
            trade
            for trade in self.trades[symbol]
            if trade.sip_timestamp <= now
            and trade.sip_timestamp > bounds.get("gt", -1)
            and trade.sip_timestamp >= bounds.get("gte", -1)
            and trade.sip_timestamp < bounds.get("lt", 2**63)
            and trade.sip_timestamp <= bounds.get("lte", 2**63)
        ]
        offset = int(query.get("offset", 0))
        page_end = offset + min(self.page_size, int(query.get("limit", 1000)))
        payload: dict[str, object] = {"status": "OK", "results": matching[offset:page_end]}
        if page_end < len(matching):
            following = {name: value for name, value in query.items() if name != "offset"}
            payload["next_url"] = f"{self.url}{TRADES}{symbol}?{urlencode({**following, 'offset': page_end})}"
        return _json(payload)

    def _aggregates(self, symbol: str, timespan: str, start: str, end: str) -> web.Response:
        first, last = date.fromisoformat(start), date.fromisoformat(end)
        now_ms = epoch_ns(self.clock.now()) // 1_000_000
        bars = [
            bar
            for _, bar in sorted(self.bars[(symbol, timespan)].items())
            if bar.t <= now_ms and first <= datetime.fromtimestamp(bar.t / 1000, tz=ET).date() <= last
        ]
        return _json({"status": "OK", "ticker": symbol, "results": bars, "resultsCount": len(bars)})
