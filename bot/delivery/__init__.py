"""Delivery: from an alert to the channels, webhooks and files that asked for it.

`Router` (filters per guild, records, budgets, posts), `GuildConfig` (cached per-guild
overrides) and the sinks (`DiscordChannels`, `WebhookSink`, `ConsoleSink`, `JsonlSink`).
"""

from bot.delivery.channels import ChannelPoster, DiscordChannels, missing_permissions
from bot.delivery.files import ConsoleSink, JsonlSink
from bot.delivery.filters import AlertFilter
from bot.delivery.guild_config import GuildConfig
from bot.delivery.router import AlertSink, Router
from bot.delivery.webhooks import WebhookSink

__all__ = [
    "AlertFilter",
    "AlertSink",
    "ChannelPoster",
    "ConsoleSink",
    "DiscordChannels",
    "GuildConfig",
    "JsonlSink",
    "Router",
    "WebhookSink",
    "missing_permissions",
]
