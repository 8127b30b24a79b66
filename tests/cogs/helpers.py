"""Small helpers so a command test reads like what a server admin or member does."""

from __future__ import annotations

from typing import Any

from discord import Permissions

from bot.store import Store
from bot.store.db import fetch_all
from tests.support.discord_bot import World
from tests.support.interactions import ADMIN_PERMISSIONS, MEMBER_PERMISSIONS, Conversation, invoke

STORED_TABLES = ("guild_overrides", "guild_tickers", "subscriptions", "alerts", "deliveries")


async def as_admin(
    world: World, command: str, *, guild: int = 0, where: str = "general", **options: Any
) -> Conversation:
    """`/command` run by a member with Manage Server."""
    return await _run(world, command, "admin", ADMIN_PERMISSIONS, guild, where, options)


async def as_member(
    world: World, command: str, *, guild: int = 0, where: str = "general", **options: Any
) -> Conversation:
    """`/command` run by an ordinary member (no Manage Server)."""
    return await _run(world, command, "member", MEMBER_PERMISSIONS, guild, where, options)


async def _run(
    world: World, command: str, who: str, permissions: Permissions, guild: int, where: str, options: dict[str, Any]
) -> Conversation:
    member, channel = world.member(who, guild), world.channel(where, guild)
    return await invoke(world.bot, command, member=member, where=channel, permissions=permissions, **options)


async def stored(store: Store) -> dict[str, list[tuple[Any, ...]]]:
    """Everything a command could have written, to compare before and after."""
    found = {}
    async with store.db.read() as connection:
        for table in STORED_TABLES:
            found[table] = [tuple(row) for row in await fetch_all(connection, f"SELECT * FROM {table}")]
    return found
