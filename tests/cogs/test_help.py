"""`/help`: every scanner of the registry and every command of the tree, and this server's values."""

from __future__ import annotations

from typing import Any

from bot.alerts import Scanner
from tests.cogs.helpers import as_admin, as_member
from tests.support.discord_bot import World
from tests.support.discord_schema import assert_valid_embed


def command_paths(payloads: list[dict[str, Any]], parent: str = "") -> list[str]:
    """Every invocable command path in Discord's own definitions (type 1 = subcommand, 2 = group)."""
    paths = []
    for payload in payloads:
        name = f"{parent}{payload['name']}"
        nested = [option for option in payload.get("options", []) if option["type"] in (1, 2)]
        paths += command_paths(nested, f"{name} ") if nested else [name]
    return paths


async def test_help_explains_every_scanner_and_lists_every_command(world: World) -> None:
    conversation = await as_member(world, "help")
    assert conversation.reply.ephemeral
    [embed] = conversation.reply.embeds
    assert_valid_embed(embed)
    fields = {field["name"]: field["value"] for field in embed["fields"]}
    assert [name for name in fields if name != "Commands"] == [scanner.label for scanner in Scanner]
    tree = world.bot.tree
    for path in command_paths([command.to_dict(tree) for command in tree.get_commands()]):
        assert f"`/{path}`" in fields["Commands"]


async def test_help_shows_what_this_server_receives(world: World) -> None:
    await as_admin(world, "config threshold", scanner="golden_sweeps", premium="5M")
    conversation = await as_member(world, "help")
    golden = next(
        field["value"] for field in conversation.reply.embeds[0]["fields"] if field["name"] == "Golden Sweeps"
    )
    assert "Here: Premium ≥ $5.00M*" in golden


async def test_a_scanner_that_is_not_loaded_is_said_to_be_not_running(world: World) -> None:
    await world.bot.unload_extension("cogs.scanners.darkpool")
    conversation = await as_member(world, "help")
    darkpool = next(field["value"] for field in conversation.reply.embeds[0]["fields"] if field["name"] == "Darkpool")
    assert darkpool == "not running on this bot right now"
