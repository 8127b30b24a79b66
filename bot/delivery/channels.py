"""Posting to a Discord channel: the permission check first, then Discord's answer, classified.

Nothing here raises on a Discord failure: each one becomes an outcome the router acts on
(mark the channel broken, wait out a 429, keep the delivery for later).
"""

from __future__ import annotations

from typing import Protocol

import aiohttp
import discord

from bot.delivery.outcomes import ChannelBroken, Posted, PostOutcome, RateLimited, Refused, Unavailable

# What posting an alert embed needs, as Discord names them in its client.
REQUIRED_PERMISSIONS = {
    "view_channel": "View Channel",
    "send_messages": "Send Messages",
    "embed_links": "Embed Links",
}
DEFAULT_RETRY_AFTER = 1.0
UNKNOWN_CHANNEL = "unknown channel (deleted, or the bot was removed from the server)"


class ChannelPoster(Protocol):
    async def post(self, channel_id: int, embed: discord.Embed) -> PostOutcome: ...


def missing_permissions(channel: discord.abc.GuildChannel | discord.Thread, member: discord.Member) -> list[str]:
    """The permissions `member` lacks to post alerts in `channel`, as Discord names them."""
    granted = channel.permissions_for(member)
    return [name for flag, name in REQUIRED_PERMISSIONS.items() if not getattr(granted, flag)]


def missing_permissions_reason(missing: list[str]) -> str:
    return "missing permissions: " + ", ".join(missing)


class DiscordChannels:
    """The Discord channel sink: one message per call, mentions never pinged."""

    def __init__(self, client: discord.Client) -> None:
        self._client = client

    async def post(self, channel_id: int, embed: discord.Embed) -> PostOutcome:
        try:
            channel = self._client.get_channel(channel_id) or await self._client.fetch_channel(channel_id)
            if not isinstance(channel, discord.TextChannel | discord.Thread):
                return ChannelBroken("not a text channel")
            # A channel fetched before its guild is cached has no `me` to check yet; Discord's
            # own answer to the post then says what is missing.
            member = getattr(channel.guild, "me", None)
            if isinstance(member, discord.Member) and (missing := missing_permissions(channel, member)):
                return ChannelBroken(missing_permissions_reason(missing))
            message = await channel.send(embed=embed, allowed_mentions=discord.AllowedMentions.none())
        except discord.RateLimited as error:
            return RateLimited(error.retry_after)
        except discord.HTTPException as error:
            return classify(error)
        except (TimeoutError, aiohttp.ClientError, OSError) as error:
            return Unavailable(f"could not reach Discord ({type(error).__name__})")
        return Posted(message.id)


def classify(error: discord.HTTPException) -> PostOutcome:
    if isinstance(error, discord.NotFound):
        return ChannelBroken(UNKNOWN_CHANNEL)
    if isinstance(error, discord.Forbidden):
        return ChannelBroken(f"{error.text or 'forbidden'} (HTTP 403)")
    if error.status == 429:
        return RateLimited(retry_after(error))
    if error.status >= 500:
        return Unavailable(f"Discord failed (HTTP {error.status})")
    return Refused(f"Discord refused the message (HTTP {error.status}): {error.text}")


def retry_after(error: discord.HTTPException) -> float:
    headers = getattr(error.response, "headers", None) or {}
    try:
        return max(0.0, float(headers.get("Retry-After", DEFAULT_RETRY_AFTER)))
    except ValueError:
        return DEFAULT_RETRY_AFTER
