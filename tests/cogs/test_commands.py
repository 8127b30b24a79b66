"""Every slash command as Discord receives it: valid definitions, choices from the scanner
registry, ranges and channel types declared, admin commands hidden and server-only."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import discord
import pytest

from bot.alerts import Scanner
from bot.config import Settings
from tests.support.discord_bot import World, start_bot, stop_bot
from tests.support.discord_schema import assert_valid_command
from tests.support.interactions import ADMIN_PERMISSIONS, invoke

GUILD_ONLY = [0]  # Discord's interaction context types: 0 = in a server


def definitions(world: World) -> dict[str, dict[str, Any]]:
    tree = world.bot.tree
    return {command.name: command.to_dict(tree) for command in tree.get_commands()}


def option(definition: dict[str, Any], *path: str) -> dict[str, Any]:
    found = definition
    for name in path:
        [found] = [item for item in found["options"] if item["name"] == name]
    return found


def test_every_command_definition_is_valid(world: World) -> None:
    found = definitions(world)
    assert sorted(found) == ["config", "flow", "help", "status", "subscribe", "subscriptions", "unsubscribe"]
    for payload in found.values():
        assert_valid_command(payload)


def test_admin_commands_are_hidden_without_manage_server_and_work_in_servers_only(world: World) -> None:
    found = definitions(world)
    manage_server = discord.Permissions(manage_guild=True).value
    for name in ("config", "subscribe", "unsubscribe"):
        assert found[name]["default_member_permissions"] == manage_server, name
        assert found[name]["contexts"] == GUILD_ONLY, name
    assert found["subscriptions"]["contexts"] == GUILD_ONLY
    assert found["flow"]["default_member_permissions"] is None


def test_scanner_choices_come_from_the_registry(world: World) -> None:
    found = definitions(world)
    registry = [{"name": scanner.label, "value": scanner.value} for scanner in Scanner]
    for subcommand in ("threshold", "dte", "score", "reset"):
        assert option(found["config"], subcommand, "scanner")["choices"] == registry, subcommand
    assert option(found["subscribe"], "scanner")["choices"] == [*registry, {"name": "All scanners", "value": "all"}]


def test_limits_are_declared_to_discord_too(world: World) -> None:
    found = definitions(world)
    low, high = option(found["config"], "dte", "min"), option(found["config"], "dte", "max")
    assert (low["min_value"], low["max_value"], high["min_value"], high["max_value"]) == (0, 730, 0, 730)
    score = option(found["config"], "score", "min")
    assert (score["min_value"], score["max_value"]) == (0, 100)
    text_channels = [discord.ChannelType.text.value, discord.ChannelType.news.value]
    assert option(found["subscribe"], "channel")["channel_types"] == text_channels
    assert option(found["flow"], "ticker")["autocomplete"] is True


@pytest.fixture
async def commands_only() -> AsyncIterator[World]:
    started = await start_bot(Settings(), open_services=None)
    yield started
    await stop_bot(started)


def test_sync_publishes_exactly_the_commands_the_running_bot_serves(world: World, commands_only: World) -> None:
    assert definitions(commands_only) == definitions(world)


async def test_admin_commands_refuse_direct_messages(world: World) -> None:
    admin = world.member("admin")
    direct = await admin.create_dm()
    before = await world.bot.services.store.guild_settings.all()
    conversation = await invoke(
        world.bot, "config threshold", member=admin._user, where=direct, permissions=ADMIN_PERMISSIONS,
        scanner="sweeps", premium="1M",
    )  # fmt: skip
    assert conversation.reply.ephemeral
    assert conversation.reply.content == "This command works in a server, not in direct messages."
    assert await world.bot.services.store.guild_settings.all() == before
