"""Real chains from the simulator, fetched the way the feed fetches them.

The ingest benchmark needs the raw bytes of chain pages (the client decodes them as they
arrive and keeps no bytes), so those are read with aiohttp using the feed's own query: the
widest expiry window any scanner wants, ±30% strikes, 250 contracts a page. /flow reads the
table the feed keeps of a whole chain, which the real client assembles.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import aiohttp
import orjson

from bot.config import Settings
from bot.market.calendar import ET, MarketCalendar
from bot.market.clock import VirtualClock
from bot.market.feed import OptionsFeed
from bot.polygon.client import CHAIN_PAGE_LIMIT, PolygonClient
from bot.polygon.models import ChainSnapshot
from bot.scanners import OPTIONS_SCANNERS
from bot.sim.scenario import BackgroundSpec, Scenario, load_scenario
from bot.sim.server import SimServer



def feed_query(session_date: date, spot: float) -> dict[str, str]:
    """The chain query the feed sends for an underlying at `spot` (see OptionsFeed.refresh)."""
    scanners, window = Settings().scanners, OptionsFeed.strike_window
    max_dte = max(getattr(scanners, name.value).max_dte for name in OPTIONS_SCANNERS)
    return {
        "expiration_date.gte": session_date.isoformat(),
        "expiration_date.lte": (session_date + timedelta(days=max_dte)).isoformat(),
        "strike_price.gte": f"{spot * (1 - window):.2f}",
        "strike_price.lte": f"{spot * (1 + window):.2f}",
        "limit": str(CHAIN_PAGE_LIMIT),
    }


async def chain_pages(sim: SimServer, symbol: str, query: dict[str, str]) -> list[bytes]:
    """Every page of `symbol`'s chain as the server sent it, following `next_url`."""
    headers = {"Authorization": f"Bearer {sim.api_key}"}
    pages: list[bytes] = []
    async with aiohttp.ClientSession() as session:
        url, params = f"{sim.base_url}/v3/snapshot/options/{symbol}", query
        while url:
            async with session.get(url, params=params, headers=headers) as response:
                response.raise_for_status()
                pages.append(await response.read())
            url, params = orjson.loads(pages[-1]).get("next_url"), None
    return pages


async def pages_at(scenario: Scenario, symbol: str, moments: list[time]) -> list[list[bytes]]:
    """`symbol`'s chain pages at each moment of the scenario's session (same query each time)."""
    clock = VirtualClock(datetime.combine(scenario.session_date, moments[0], tzinfo=ET))
    spec = next(spec for spec in scenario.underlyings if spec.symbol == symbol)
    query = feed_query(scenario.session_date, spec.price)
    snapshots = []
    async with SimServer.start(scenario, clock=clock) as sim:
        for moment in moments:
            clock.set(datetime.combine(scenario.session_date, moment, tzinfo=ET))
            snapshots.append(await chain_pages(sim, symbol, query))
    return snapshots


def wide_spy_scenario(path: str, min_contracts: int) -> Scenario:
    """The scenario's SPY alone, listed with enough strikes for `min_contracts` contracts
    and traded at the simulator's default background rate (every strike near the money
    trades), so /flow has a big, busy chain to draw."""
    scenario = load_scenario(path)
    spy = next(spec for spec in scenario.underlyings if spec.symbol == "SPY")
    expirations = _daily_expirations(scenario, spy.max_days)
    strikes = -(-min_contracts // (2 * expirations))
    wide = spy.model_copy(update={"strikes_each_side": strikes // 2 + 1})
    return scenario.model_copy(update={"underlyings": [wide], "events": [], "background": BackgroundSpec()})


def _daily_expirations(scenario: Scenario, max_days: int) -> int:
    calendar = MarketCalendar()
    last = scenario.session_date + timedelta(days=max_days)
    return len(calendar.sessions_between(scenario.session_date, last))


async def whole_chain(scenario: Scenario, symbol: str, moment: time) -> ChainSnapshot:
    """`symbol`'s whole chain (no filters) at `moment`, through the real client."""
    clock = VirtualClock(datetime.combine(scenario.session_date, moment, tzinfo=ET))
    async with SimServer.start(scenario, clock=clock) as sim:
        async with PolygonClient(sim.base_url, sim.api_key, clock=clock, max_pages=200) as client:
            # The client's rate limiter sleeps on the virtual clock: `run` moves it along.
            return await clock.run(client.options_chain(symbol))
