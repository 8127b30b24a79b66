"""Posting to a Discord channel (dpytest): the permission check, and every answer Discord can
give turned into what the router does next."""

from __future__ import annotations

from collections.abc import AsyncIterator
from types import SimpleNamespace
from typing import Any

import discord
import pytest

from bot.alerts import render_embed
from bot.config import Settings
from bot.delivery import DiscordChannels
from bot.delivery.channels import UNKNOWN_CHANNEL
from bot.delivery.outcomes import ChannelBroken, Posted, RateLimited, Refused, Unavailable
from tests.support import alert_examples as examples
from tests.support.discord_bot import World, posted, start_bot, stop_bot
from tests.support.discord_schema import assert_valid_message

EMBED = render_embed(examples.sweeps())


@pytest.fixture
async def world() -> AsyncIterator[World]:
    started = await start_bot(Settings(), open_services=None, extensions=())
    yield started
    await stop_bot(started)


def failing_send(monkeypatch: pytest.MonkeyPatch, world: World, error: Exception) -> None:
    async def send_message(channel_id: int, **_: Any) -> None:
        raise error

    monkeypatch.setattr(world.bot.http, "send_message", send_message)


def http_error(kind: type[discord.HTTPException], status: int, text: str, **headers: str) -> discord.HTTPException:
    response = SimpleNamespace(status=status, reason=text, headers=headers)
    return kind(response, {"code": 0, "message": text})


async def test_an_embed_is_posted_with_mentions_disabled(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    sent: list[dict[str, Any]] = []
    build = discord.abc.handle_message_parameters

    def spy(*args: Any, **kwargs: Any) -> Any:
        params = build(*args, **kwargs)
        sent.append(params.payload or {})
        return params

    monkeypatch.setattr(discord.abc, "handle_message_parameters", spy)
    outcome = await DiscordChannels(world.bot).post(world.channel("alerts").id, EMBED)
    [message] = posted()
    assert outcome == Posted(message.id)
    assert message.channel == world.channel("alerts")
    assert message.embeds[0].to_dict() == EMBED.to_dict()
    assert_valid_message(sent[0])
    assert sent[0]["allowed_mentions"] == {"parse": []}


@pytest.mark.parametrize(
    ("denied", "named"),
    [
        # Discord's rules: no Send Messages means no Embed Links; no View Channel means nothing.
        (discord.Permissions(send_messages=True), "Send Messages, Embed Links"),
        (discord.Permissions(embed_links=True), "Embed Links"),
        (discord.Permissions(view_channel=True), "View Channel, Send Messages, Embed Links"),
    ],
)
async def test_a_channel_missing_a_permission_is_broken_before_anything_is_sent(
    world: World, denied: discord.Permissions, named: str
) -> None:
    locked = world.add_text_channel("locked", deny_bot=denied)
    outcome = await DiscordChannels(world.bot).post(locked.id, EMBED)
    assert outcome == ChannelBroken(f"missing permissions: {named}")
    assert posted() == []


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        (http_error(discord.Forbidden, 403, "Missing Access"), ChannelBroken("Missing Access (HTTP 403)")),
        (http_error(discord.NotFound, 404, "Unknown Channel"), ChannelBroken(UNKNOWN_CHANNEL)),
        (http_error(discord.HTTPException, 429, "Too Many Requests", **{"Retry-After": "7"}), RateLimited(7.0)),
        (discord.RateLimited(42.5), RateLimited(42.5)),
        (http_error(discord.DiscordServerError, 503, "Service Unavailable"), Unavailable("Discord failed (HTTP 503)")),
        (
            http_error(discord.HTTPException, 400, "Invalid Form Body"),
            Refused("Discord refused the message (HTTP 400): Invalid Form Body"),
        ),
        (OSError("connection reset"), Unavailable("could not reach Discord (OSError)")),
    ],
    ids=["403", "404", "429", "rate limited", "503", "400", "network"],
)
async def test_discord_answers_become_outcomes(
    world: World, monkeypatch: pytest.MonkeyPatch, error: Exception, expected: object
) -> None:
    failing_send(monkeypatch, world, error)
    assert await DiscordChannels(world.bot).post(world.channel("alerts").id, EMBED) == expected


async def test_a_channel_discord_no_longer_knows_is_broken(world: World) -> None:
    deleted_channel_id = 4242
    assert await DiscordChannels(world.bot).post(deleted_channel_id, EMBED) == ChannelBroken(UNKNOWN_CHANNEL)


async def test_a_voice_channel_is_never_posted_to(world: World) -> None:
    outcome = await DiscordChannels(world.bot).post(world.channel("trading-floor").id, EMBED)
    assert outcome == ChannelBroken("not a text channel")
