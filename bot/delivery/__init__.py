"""Delivery: from an alert to the channels, webhooks and files that asked for it.

`Router` (filters per guild, records, budgets, posts), `GuildConfig` (cached per-guild
overrides), the sinks (`DiscordChannels`, `WebhookSink`, `ConsoleSink`, `JsonlSink`) and
`DeliverySettings`.
"""

from bot.delivery.channels import ChannelPoster, DiscordChannels, missing_permissions
from bot.delivery.files import ConsoleSink, JsonlSink
from bot.delivery.filters import AlertFilter
from bot.delivery.guild_config import GuildConfig
from bot.delivery.router import AlertSink, Router
from bot.delivery.settings import DeliverySettings, load_delivery_settings
from bot.delivery.webhooks import WebhookSink

__all__ = [
    "AlertFilter",
    "AlertSink",
    "ChannelPoster",
    "ConsoleSink",
    "DeliverySettings",
    "DiscordChannels",
    "GuildConfig",
    "JsonlSink",
    "Router",
    "WebhookSink",
    "load_delivery_settings",
    "missing_permissions",
]
