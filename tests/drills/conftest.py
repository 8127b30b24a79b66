"""A live ORAKL for the fault drills: the real bot (dpytest's Discord, the real services, the
APScheduler jobs) against the simulator, both on one scaled clock — a market minute a wall
second — with two channels subscribed to every scanner.

The market: SPY and C on a short chain, a golden sweep on SPY at 10:05 and a dark-pool block
on C at 10:06. A drill starts at 10:02 and reads both chains once, so the bot knows the
volumes before the sweep (a chain first seen after it could not tell the sweep from the
day's volume); then the drill breaks something, starts the scheduler, and watches.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from datetime import datetime, time
from functools import partial
from pathlib import Path
from typing import Any

import discord
import pytest

from bot.alerts import Scanner
from bot.app import Services, open_services
from bot.config import SCANNER_NAMES, load_settings
from bot.market.calendar import ET
from bot.market.clock import ScaledClock
from bot.sim.scenario import Scenario
from bot.sim.server import SimServer
from tests.cogs.helpers import as_admin, as_member
from tests.support.discord_bot import World, posted, start_bot, stop_bot

MARKET_SECONDS_PER_WALL_SECOND = 60.0
STARTS_AT = time(10, 2)
GOLDEN_SWEEP_AT = time(10, 5)
DARK_BLOCK_AT = time(10, 6)
# Past both planted events: the Polygon drills keep their fault on until then.
FAULT_HELD_UNTIL = time(10, 7)
# Wall seconds a drill waits for an outcome before it fails (a stuck bot, not a slow one).
PATIENCE_SECONDS = 40.0
POLL_SECONDS = 0.05
STATUS_POLL_SECONDS = 0.5
HTTP_TIMEOUT_SECONDS = 0.5

SCENARIO: dict[str, Any] = {
    "name": "drills",
    "session_date": "2026-03-30",
    "seed": 7,
    "history_sessions": 60,
    "underlyings": [
        {"symbol": "SPY", "price": 640.0, "volatility": 0.16, "strike_step": 1, "strikes_each_side": 6,
         "expirations": "daily", "max_days": 4, "avg_daily_volume": 60000000, "tape": 2, "seed": 11},
        {"symbol": "C", "price": 95.0, "volatility": 0.28, "strikes_each_side": 5, "max_days": 10,
         "avg_daily_volume": 14000000, "tape": 1, "seed": 1},
    ],
    "events": [
        {"kind": "option_flow", "id": "drill-golden-spy", "time": GOLDEN_SWEEP_AT.isoformat("minutes"),
         "symbol": "SPY", "contract": {"type": "call", "dte": 3, "strike_offset": 0}, "size": 3000,
         "style": "sweep", "prints": 5, "expect": ["sweeps", "golden_sweeps"]},
        {"kind": "stock_print", "id": "drill-dark-c", "time": DARK_BLOCK_AT.isoformat("minutes"), "symbol": "C",
         "size": 60000, "expect": ["darkpool"]},
    ],
}  # fmt: skip


@dataclass
class StatusReply:
    title: str
    fields: dict[str, str]


@dataclass
class LiveBot:
    world: World
    sim: SimServer
    clock: ScaledClock
    channels: list[discord.TextChannel]
    _posted: list[discord.Message] = field(default_factory=list)

    @property
    def services(self) -> Services:
        return self.world.bot.services

    def market_time(self, moment: time) -> datetime:
        return datetime.combine(self.sim.scenario.session_date, moment, tzinfo=ET)

    async def start(self) -> None:
        """What the gateway's READY does: leftover deliveries resumed, the scheduler started."""
        await self.world.bot.on_ready()

    async def until(self, condition: Callable[[], bool], what: str) -> None:
        """Wait (on the wall) until `condition` holds; fail naming `what` after the patience."""
        deadline = asyncio.get_running_loop().time() + PATIENCE_SECONDS
        while not condition():
            assert asyncio.get_running_loop().time() < deadline, f"still waiting for {what}"
            await asyncio.sleep(POLL_SECONDS)

    async def until_market(self, moment: time) -> None:
        await self.until(lambda: self.clock.now() >= self.market_time(moment), f"{moment} ET")

    async def until_status(self, title: str) -> StatusReply:
        """Ask `/status` every half second until its title reads `title`; fail after the
        patience with the last reply."""
        deadline = asyncio.get_running_loop().time() + PATIENCE_SECONDS
        while (reply := await self.status()).title != title:
            assert asyncio.get_running_loop().time() < deadline, "\n".join(
                [reply.title, *(f"{name}: {value}" for name, value in reply.fields.items())]
            )
            await asyncio.sleep(STATUS_POLL_SECONDS)
        return reply

    def messages(self) -> list[discord.Message]:
        """Every message the bot posted so far, in any channel."""
        self._posted += posted()  # dpytest's queue of sent messages empties as it is read
        return list(self._posted)

    def posts(self, channel: discord.TextChannel, scanner: Scanner) -> list[discord.Message]:
        """The alerts of `scanner` posted in `channel` so far."""
        return [
            message
            for message in self.messages()
            if message.channel.id == channel.id and message.embeds and message.embeds[0].author.name == scanner.label
        ]

    async def status(self) -> StatusReply:
        """`/status` as a member of the first server sees it."""
        conversation = await as_member(self.world, "status")
        [embed] = conversation.reply.embeds
        return StatusReply(embed["title"], {item["name"]: item["value"] for item in embed["fields"]})


def ticker(alert: discord.Message) -> str:
    """The symbol an alert's embed is about (its title reads "<sentiment> <ticker> ...")."""
    return str(alert.embeds[0].title).split()[1]


@pytest.fixture
async def live(tmp_path: Path, db_path: Path) -> AsyncIterator[LiveBot]:
    scenario = Scenario.model_validate(SCENARIO)
    clock = ScaledClock(datetime.combine(scenario.session_date, STARTS_AT, tzinfo=ET), MARKET_SECONDS_PER_WALL_SECOND)
    async with SimServer.start(scenario, clock=clock) as sim:
        await sim.prepare()
        watchlist = tmp_path / "watchlist.txt"
        watchlist.write_text("SPY 1\nC 2\n")
        # Every scanner once a wall second (a market minute); HTTP timeouts short enough for
        # a hung response to be given up on within a drill.
        every_second = {name: {"interval_seconds": 1, "stagger_seconds": 0} for name in SCANNER_NAMES}
        settings = load_settings(
            sqlite_path=db_path, watchlist_path=watchlist, polygon_base_url=sim.base_url,
            polygon_api_key=sim.api_key, requests_per_second=20, http_timeout_seconds=HTTP_TIMEOUT_SECONDS,
            scanners=every_second,
        )  # fmt: skip
        world = await start_bot(settings, partial(open_services, clock=clock))
        try:
            channels = [world.channel("alerts"), world.channel("general")]
            for channel in channels:
                await as_admin(world, "subscribe", scanner="all", channel=channel)
            clock.restart()  # setting up took wall time: the market starts at 10:02 now
            await world.bot.services.pipeline.refresh()  # the chains' volumes before the sweep
            assert set(world.bot.services.options.feed.latest) == {"SPY", "C"}, "the warm-up missed a chain"
            yield LiveBot(world, sim, clock, channels)
        finally:
            sim.clear_faults()
            await stop_bot(world)
