"""The pipeline's jobs against the simulator: the options feed keeps to the session."""

from __future__ import annotations

from datetime import datetime, time
from pathlib import Path

from bot.config import load_settings
from bot.engine import OptionsEngine
from bot.market.calendar import ET
from bot.market.clock import VirtualClock
from bot.market.watchlist import WatchedSymbol
from bot.pipeline import Pipeline
from bot.polygon.client import PolygonClient
from bot.sim.scenario import load_scenario
from bot.sim.server import SimServer
from bot.store import Database, Store

QUICK = load_scenario(Path(__file__).resolve().parents[1] / "data" / "scenarios" / "quick.json")


def at(hour: int, minute: int) -> datetime:
    return datetime.combine(QUICK.session_date, time(hour, minute), tzinfo=ET)


async def test_the_options_feed_makes_no_request_outside_the_session(db_path: Path) -> None:
    clock = VirtualClock(at(7, 0))
    async with SimServer.start(QUICK, clock=clock) as sim, await Database.open(db_path, clock=clock) as db:
        settings = load_settings(polygon_base_url=sim.base_url, polygon_api_key=sim.api_key)
        async with PolygonClient.from_settings(settings, clock) as client:
            watchlist = [WatchedSymbol("SPY", 1), WatchedSymbol("C", 2)]
            options = OptionsEngine(settings, client, clock, watchlist, Store(db).dedup)

            async def publish(alerts: object) -> None:
                return None

            pipeline = Pipeline(options, None, clock, publish)

            async def run_every_job_at(moment: datetime) -> int:
                """Requests the simulator has answered, after the feed and every scanner ran."""
                clock.set(moment)
                await clock.run(pipeline.refresh())
                for name in options.scanners:
                    await clock.run(pipeline.run_scanner(name))
                return int(sim.stats()["total"])

            assert await run_every_job_at(at(7, 0)) == 0
            assert await run_every_job_at(at(9, 29)) == 0
            in_session = await run_every_job_at(at(9, 31))
            assert in_session > 0 and sim.stats()["requests"]["options_chain"]
            assert await run_every_job_at(at(16, 0)) == in_session
            assert await run_every_job_at(at(19, 30)) == in_session
