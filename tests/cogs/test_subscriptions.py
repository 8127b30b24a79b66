"""`/subscribe`, `/unsubscribe`, `/subscriptions`: channels are checked before anything is
stored, and a broken channel shows why until it is subscribed again."""

from __future__ import annotations

import discord
import discord.ext.test as dpytest
import pytest
from discord.ext.test import backend

from bot.alerts import Scanner
from bot.store import Store
from tests.cogs.helpers import as_admin, as_member, stored
from tests.support.discord_bot import World
from tests.support.discord_schema import assert_valid_embed, assert_valid_interaction_response


def store_of(world: World) -> Store:
    return world.bot.services.store


async def subscribed(world: World, guild: int = 0) -> set[tuple[str, str, str]]:
    """(channel name, scanner, status) of the server's subscriptions."""
    target = world.guild(guild)
    found = await store_of(world).subscriptions.for_guild(target.id)
    return {(target.get_channel(sub.channel_id).name, sub.scanner, sub.status) for sub in found}  # type: ignore[union-attr]


async def test_an_admin_subscribes_a_channel_to_one_scanner(world: World) -> None:
    conversation = await as_admin(world, "subscribe", scanner="sweeps", channel=world.channel("alerts"))
    assert conversation.reply.ephemeral
    assert conversation.reply.content == f"{world.channel('alerts').mention} now receives Sweeps."
    assert_valid_interaction_response(conversation.first.payload)
    assert await subscribed(world) == {("alerts", "sweeps", "active")}
    assert await subscribed(world, guild=1) == set()


async def test_all_subscribes_every_scanner_of_the_registry(world: World) -> None:
    conversation = await as_admin(world, "subscribe", scanner="all", channel=world.channel("alerts"))
    assert "every scanner" in conversation.reply.content
    assert await subscribed(world) == {("alerts", scanner.value, "active") for scanner in Scanner}


async def test_subscribing_a_broken_channel_again_repairs_it(world: World) -> None:
    alerts = world.channel("alerts")
    await as_admin(world, "subscribe", scanner="sweeps", channel=alerts)
    await store_of(world).subscriptions.mark_broken(alerts.id, "Missing Access (HTTP 403)")
    conversation = await as_admin(world, "subscribe", scanner="sweeps", channel=alerts)
    assert "It was marked broken (Missing Access (HTTP 403)); posting there resumes now." in conversation.reply.content
    assert await subscribed(world) == {("alerts", "sweeps", "active")}


async def test_unsubscribe_stops_one_scanner_and_keeps_the_others(world: World) -> None:
    alerts = world.channel("alerts")
    await as_admin(world, "subscribe", scanner="all", channel=alerts)
    conversation = await as_admin(world, "unsubscribe", scanner="darkpool", channel=alerts)
    assert conversation.reply.content == f"{alerts.mention} no longer receives Darkpool."
    assert ("alerts", "darkpool", "active") not in await subscribed(world)
    assert len(await subscribed(world)) == len(Scanner) - 1


async def test_subscriptions_lists_each_channel_and_its_health(world: World) -> None:
    await as_admin(world, "subscribe", scanner="sweeps", channel=world.channel("alerts"))
    await as_admin(world, "subscribe", scanner="darkpool", channel=world.channel("general"))
    await store_of(world).subscriptions.mark_broken(world.channel("general").id, "missing permissions: Embed Links")
    conversation = await as_member(world, "subscriptions")
    [embed] = conversation.reply.embeds
    assert conversation.reply.ephemeral
    assert_valid_embed(embed)
    fields = {field["name"]: field["value"] for field in embed["fields"]}
    assert fields == {
        "#alerts": "Sweeps\n✅ healthy",
        "#general": "Darkpool\n⚠️ broken: missing permissions: Embed Links",
    }


async def test_a_server_without_subscriptions_is_told_how_to_start(world: World) -> None:
    conversation = await as_member(world, "subscriptions")
    assert "/subscribe" in conversation.reply.embeds[0]["description"]


async def test_a_deleted_channel_is_forgotten(world: World) -> None:
    alerts = world.channel("alerts")
    await as_admin(world, "subscribe", scanner="sweeps", channel=alerts)
    backend.delete_channel(alerts)
    await dpytest.run_all_events()
    found = await store_of(world).subscriptions.for_guild(world.guild().id)
    assert found == []


def other_guilds_channel(world: World) -> discord.TextChannel:
    channel: discord.TextChannel = world.channel("alerts", guild=1)
    return channel


@pytest.mark.parametrize(
    ("command", "channel", "message"),
    [
        ("subscribe", other_guilds_channel, "That channel is not in this server"),
        ("subscribe", lambda world: world.channel("trading-floor"), "is a voice channel; alerts go to text channels"),
        (
            "subscribe",
            lambda world: world.add_text_channel("read-only", deny_bot=discord.Permissions(embed_links=True)),
            "it is missing Embed Links there",
        ),
        ("unsubscribe", other_guilds_channel, "That channel is not in this server"),
        ("unsubscribe", lambda world: world.channel("general"), "does not receive Sweeps; nothing was changed"),
    ],
    ids=["other server", "voice channel", "cannot post", "unsubscribe other server", "not subscribed"],
)
async def test_a_channel_that_cannot_receive_alerts_is_refused_before_anything_is_stored(
    world: World, command: str, channel: object, message: str
) -> None:
    await as_admin(world, "subscribe", scanner="sweeps", channel=world.channel("alerts"))
    target = channel(world)  # type: ignore[operator]
    before = await stored(store_of(world))
    conversation = await as_admin(world, command, scanner="sweeps", channel=target)
    assert conversation.reply.ephemeral
    assert message in conversation.reply.content
    assert await stored(store_of(world)) == before


@pytest.mark.parametrize("command", ["subscribe", "unsubscribe"])
async def test_a_member_without_manage_server_cannot_change_subscriptions(world: World, command: str) -> None:
    before = await stored(store_of(world))
    conversation = await as_member(world, command, scanner="sweeps", channel=world.channel("alerts"))
    assert conversation.reply.content == "You need the Manage Server permission to use this command."
    assert await stored(store_of(world)) == before


async def test_a_server_with_more_channels_than_an_embed_holds_still_gets_a_valid_listing(world: World) -> None:
    subscriptions = store_of(world).subscriptions
    long_reason = "Missing Access (HTTP 403): " + "the role that let ORAKL see this channel was removed " * 12
    for number in range(30):
        channel = world.add_text_channel(f"desk-{number:02d}-" + "x" * 80)
        await subscriptions.subscribe(world.guild().id, channel.id, [scanner.value for scanner in Scanner])
        await subscriptions.mark_broken(channel.id, long_reason)
    [embed] = (await as_member(world, "subscriptions")).reply.embeds
    assert_valid_embed(embed)
    assert embed["title"] == "Subscriptions: 30 channels"
    assert embed["fields"][0]["value"].startswith("every scanner\n⚠️ broken: Missing Access (HTTP 403)")
