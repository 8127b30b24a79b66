"""The scanning pipeline wired once for the headless runs: replay, the demo and `scan`.

They differ only in their clock, their database and where the alerts go, so the client,
the store, both engines and the pipeline are built here the same way for all three. (The
Discord bot adds per-guild settings and the router, and wires itself in `bot.app`.)
"""

from __future__ import annotations

import tempfile
from collections.abc import Awaitable, Callable, Sequence
from contextlib import AsyncExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from bot.alerts.model import Alert
from bot.config import Settings
from bot.engine import OptionsEngine
from bot.market.calendar import MarketCalendar
from bot.market.clock import Clock
from bot.market.watchlist import WatchedSymbol
from bot.pipeline import Pipeline
from bot.polygon.client import PolygonClient
from bot.stocks import StockEngine
from bot.store import Database, Store

OnAlert = Callable[[Alert], Awaitable[None] | None]


class AlertOutlet:
    """Where a headless run's alerts go: kept in order, recorded in the store, written as
    JSON lines (flushed, so a reader following the file sees each alert as it comes) and
    handed to `on_alert`."""

    def __init__(self, store: Store, *, jsonl: TextIO | None = None, on_alert: OnAlert | None = None) -> None:
        self.store = store
        self.jsonl = jsonl
        self.on_alert = on_alert
        self.alerts: list[Alert] = []

    async def publish(self, alerts: Sequence[Alert]) -> None:
        for alert in alerts:
            self.alerts.append(alert)
            payload = alert.to_json()
            await self.store.alerts.add(
                scanner=alert.scanner.value, ticker=alert.ticker, dedup_key=alert.dedup_key, payload=payload
            )
            if self.jsonl is not None:
                self.jsonl.write(payload + "\n")
                self.jsonl.flush()
            if self.on_alert is not None:
                shown = self.on_alert(alert)
                if shown is not None:
                    await shown


@dataclass
class HeadlessPipeline:
    client: PolygonClient
    store: Store
    options: OptionsEngine
    stocks: StockEngine
    pipeline: Pipeline
    outlet: AlertOutlet


async def open_headless(
    stack: AsyncExitStack,
    settings: Settings,
    clock: Clock,
    watchlist: Sequence[WatchedSymbol],
    *,
    db_path: Path | None = None,
    jsonl: Path | None = None,
    on_alert: OnAlert | None = None,
    calendar: MarketCalendar | None = None,
) -> HeadlessPipeline:
    """Open the client and the database on `clock` and build the pipeline over them; `stack`
    closes everything. Without `db_path` the database is a temporary file, so a run never
    shares dedup state or dark-pool cursors with the bot's own database. `calendar` decides
    the options session's hours (replaced by `scan --ignore-hours`)."""
    client = await stack.enter_async_context(PolygonClient.from_settings(settings, clock))
    if db_path is None:
        db_path = Path(stack.enter_context(tempfile.TemporaryDirectory())) / "orakl.db"
    db = await Database.open(db_path, clock=clock)
    stack.push_async_callback(db.close)
    store = Store(db)
    sink = stack.enter_context(jsonl.open("w", encoding="utf-8")) if jsonl is not None else None
    options = OptionsEngine(settings, client, clock, watchlist, store.dedup)
    # One bars service for both engines: a symbol's daily history is fetched once a day.
    stocks = StockEngine(settings, client, clock, watchlist, store, bars=options.context.bars)
    outlet = AlertOutlet(store, jsonl=sink, on_alert=on_alert)
    pipeline = Pipeline(options, stocks, clock, outlet.publish, calendar=calendar or MarketCalendar())
    return HeadlessPipeline(client, store, options, stocks, pipeline, outlet)
