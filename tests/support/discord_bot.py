"""ORAKL's bot on dpytest's fake Discord: two servers, their channels and members, and the
fixtures that start it with the real services on a temp database, a virtual clock in the
options session and a Polygon stub on 127.0.0.1 (import them into a conftest to use them).

dpytest 0.7 refuses sharded clients (`runner.configure` raises TypeError for an
`AutoShardedClient`), so tests run `OraklCore` — all of ORAKL's behaviour — on a plain
`commands.Bot`; `OraklBot` is the same behaviour on `AutoShardedBot`.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any

import discord
import discord.ext.test as dpytest
import pytest
from discord.ext import commands
from discord.ext.test import backend
from discord.ext.test import factories as facts

from bot.app import OraklCore, ServicesOpener, open_services
from bot.config import Settings, load_settings
from bot.market.clock import VirtualClock
from tests.polygon.stub import PolygonStub

GUILDS = ("Alpha Traders", "Beta Desk")
TEXT_CHANNELS = ("alerts", "general")
VOICE_CHANNELS = ("trading-floor",)
MEMBERS = ("admin", "member")
# Fixed ids, so a bot started again on the same database finds the same servers and channels.
FIRST_ID = 800_000_000_000_000_000


class LocalOraklBot(OraklCore, commands.Bot):
    """ORAKL's behaviour on the unsharded bot class dpytest can drive."""


@dataclass
class World:
    bot: LocalOraklBot
    guilds: list[discord.Guild]

    def guild(self, index: int = 0) -> discord.Guild:
        return self.guilds[index]

    def channel(self, name: str, guild: int = 0) -> Any:
        found = discord.utils.get(self.guilds[guild].channels, name=name)
        assert found is not None, f"no channel #{name} in {self.guilds[guild].name}"
        return found

    def member(self, name: str, guild: int = 0) -> discord.Member:
        found = discord.utils.get(self.guilds[guild].members, name=name)
        assert found is not None, f"no member {name} in {self.guilds[guild].name}"
        return found

    def add_text_channel(
        self, name: str, *, guild: int = 0, deny_bot: discord.Permissions | None = None
    ) -> discord.TextChannel:
        """A new text channel, optionally with permissions denied to ORAKL by an overwrite."""
        target = self.guilds[guild]
        overwrites = [] if deny_bot is None else [bot_overwrite(target, deny_bot)]
        # dpytest annotates the overwrites as one object; Discord (and dpytest's code) use a list.
        return backend.make_text_channel(name, target, permission_overwrites=overwrites)  # type: ignore[arg-type]

    def deny_bot(self, channel: discord.TextChannel, denied: discord.Permissions) -> None:
        """Take permissions from ORAKL in an existing channel, as Discord's CHANNEL_UPDATE would
        (dpytest's own update writes overwrite types as strings, which discord.py 2 ignores)."""
        data: Any = facts.dict_from_channel(channel)
        data["permission_overwrites"] = [bot_overwrite(channel.guild, denied)]
        backend.get_state().parse_channel_update(data)


def bot_overwrite(guild: discord.Guild, denied: discord.Permissions) -> dict[str, Any]:
    """A channel overwrite denying `denied` to the bot's member (type 1 = member)."""
    return {"id": guild.me.id, "type": 1, "allow": "0", "deny": str(denied.value)}


def cache_member(guild: discord.Guild, user: discord.User | discord.ClientUser) -> None:
    """Put a member where the real gateway would. Discord's GUILD_CREATE always lists the
    bot's own member (discord.py's `guild.me`) and interactions carry their member, so ORAKL
    needs no members intent; dpytest adds members as join events, which those minimal
    intents ignore."""
    state = backend.get_state()
    data: Any = facts.make_member_dict(guild, user, [])  # type: ignore[arg-type]
    guild._add_member(discord.Member(data=data, guild=guild, state=state))


async def start_bot(
    settings: Settings, open_services: ServicesOpener | None, extensions: Sequence[str] | None = None
) -> World:
    bot = LocalOraklBot(settings, open_services=open_services, extensions=extensions)
    await bot._async_setup_hook()  # what `login` does first: bind the bot to the running loop
    dpytest.configure(bot, guilds=0, text_channels=0, voice_channels=0, members=0)
    users = [backend.make_user(name, number, id_num=FIRST_ID + number) for number, name in enumerate(MEMBERS, start=1)]
    guilds = []
    for number, name in enumerate(GUILDS, start=1):
        guild = backend.make_guild(name, id_num=FIRST_ID + 1000 * number)
        for offset, channel in enumerate(TEXT_CHANNELS, start=1):
            backend.make_text_channel(channel, guild, id_num=guild.id + offset)
        for offset, channel in enumerate(VOICE_CHANNELS, start=len(TEXT_CHANNELS) + 1):
            backend.make_voice_channel(channel, guild, id_num=guild.id + offset)
        for user in [bot.user, *users]:
            assert user is not None
            cache_member(guild, user)
        guilds.append(guild)
    bot._connection._command_tree = bot.tree  # dpytest's state never linked the tree
    bot._connection.application_id = bot.user.id  # type: ignore[union-attr]
    await bot.setup_hook()
    return World(bot, guilds)


async def stop_bot(world: World) -> None:
    """`close()` as in production, minus the gateway socket dpytest never opened."""
    world.bot.ws = None  # type: ignore[assignment]
    await world.bot.close()
    await dpytest.empty_queue()


def posted() -> list[discord.Message]:
    """Every message the bot posted to a channel since the last call (dpytest's queue)."""
    messages = []
    while not dpytest.sent_queue.empty():
        messages.append(dpytest.sent_queue.get_nowait())
    return messages


# Thursday 12 June 2025, 14:31:20 in New York: the options session is open.
IN_SESSION = datetime(2025, 6, 12, 18, 31, 20, tzinfo=UTC)
WATCHLIST = "SPY 1\nQQQ 1\nNVDA 2\nAAPL 2\nAMD 3\nBRK.B 3\n"
API_KEY = "pk-test-cogs-7Hq2SECRET"


@pytest.fixture
def clock() -> VirtualClock:
    return VirtualClock(IN_SESSION)


@pytest.fixture
async def polygon(clock: VirtualClock) -> AsyncIterator[PolygonStub]:
    server = PolygonStub(clock)
    await server.start()
    yield server
    await server.close()


@pytest.fixture
def settings(tmp_path: Path, db_path: Path, polygon: PolygonStub) -> Settings:
    watchlist = tmp_path / "watchlist.txt"
    watchlist.write_text(WATCHLIST)
    return load_settings(
        sqlite_path=db_path, watchlist_path=watchlist, polygon_base_url=polygon.url, polygon_api_key=API_KEY,
        requests_per_second=20,
    )  # fmt: skip


@pytest.fixture
async def world(settings: Settings, clock: VirtualClock) -> AsyncIterator[World]:
    started = await start_bot(settings, partial(open_services, clock=clock))
    yield started
    await stop_bot(started)
