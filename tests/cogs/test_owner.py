"""`@ORAKL sync`: only the owner publishes the slash commands, by mention."""

from __future__ import annotations

from typing import Any

import discord
import discord.ext.test as dpytest
import pytest
from discord.ext import commands

from tests.support.discord_bot import World, posted


class SyncSpy:
    """The tree's sync, which would call Discord (and fails under dpytest), recorded instead."""

    def __init__(self, world: World) -> None:
        self.calls: list[discord.abc.Snowflake | None] = []
        self.world = world

    async def __call__(self, *, guild: discord.abc.Snowflake | None = None) -> list[Any]:
        self.calls.append(guild)
        return self.world.bot.tree.get_commands(guild=guild)


@pytest.fixture
def sync_spy(world: World, monkeypatch: pytest.MonkeyPatch) -> SyncSpy:
    spy = SyncSpy(world)
    monkeypatch.setattr(world.bot.tree, "sync", spy)
    world.bot.owner_id = world.member("admin").id
    return spy


async def say(world: World, text: str, author: str) -> None:
    assert world.bot.user is not None
    await dpytest.message(
        f"<@{world.bot.user.id}> {text}", channel=world.channel("general"), member=world.member(author)
    )


async def test_the_owner_syncs_globally(world: World, sync_spy: SyncSpy) -> None:
    await say(world, "sync", "admin")
    assert sync_spy.calls == [None]
    [reply] = posted()
    assert reply.content.startswith(f"Synced {len(world.bot.tree.get_commands())} commands globally")


async def test_the_owner_syncs_to_this_server_at_once(world: World, sync_spy: SyncSpy) -> None:
    await say(world, "sync here", "admin")
    assert sync_spy.calls == [world.guild()]
    assert posted()[0].content == f"Synced {len(world.bot.tree.get_commands())} commands to this server."


async def test_anyone_else_is_refused_and_nothing_is_synced(world: World, sync_spy: SyncSpy) -> None:
    with pytest.raises(commands.NotOwner):  # dpytest re-raises what the command raised
        await say(world, "sync", "member")
    assert sync_spy.calls == []
    assert posted()[0].content == "Only the bot's owner can do that."
