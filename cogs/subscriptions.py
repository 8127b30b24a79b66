"""`/subscribe`, `/unsubscribe`, `/subscriptions`: which channels receive which scanners.

A channel is checked before anything is stored: it must be a text channel of this server
that ORAKL can post in. A channel that broke later (permissions removed, deleted) shows here
with the reason, and subscribing it again is how an admin says it is fixed.
"""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from bot.alerts import Scanner
from bot.alerts.embed import GREEN, RED
from bot.alerts.embed_limits import EmbedDraft, EmbedField, to_embed
from bot.store import Subscription
from cogs.common.checks import admin_only
from cogs.common.cog import OraklCog
from cogs.common.errors import BadInput
from cogs.common.transformers import GuildTextChannel, ScannersChoice

if TYPE_CHECKING:
    from bot.app import OraklBot

ChosenScanners = app_commands.Transform[tuple[Scanner, ...], ScannersChoice]
PostableChannel = app_commands.Transform[discord.TextChannel, GuildTextChannel(postable=True)]
ServerChannel = app_commands.Transform[discord.TextChannel, GuildTextChannel(postable=False)]


def labels(scanners: tuple[Scanner, ...] | list[Scanner]) -> str:
    return "every scanner" if len(scanners) == len(Scanner) else ", ".join(scanner.label for scanner in scanners)


class SubscriptionsCog(OraklCog, name="Subscriptions"):
    @app_commands.command(description="Post a scanner's alerts in a channel")
    @app_commands.describe(scanner="one scanner, or all of them", channel="a text channel ORAKL can post in")
    @admin_only
    async def subscribe(
        self, interaction: discord.Interaction, scanner: ChosenScanners, channel: PostableChannel
    ) -> None:
        before = await self.subscribed(channel)
        await self.services.store.subscriptions.subscribe(
            channel.guild.id, channel.id, [name.value for name in scanner]
        )
        repaired = [
            before[name.value] for name in scanner if name.value in before and before[name.value].status == "broken"
        ]
        text = f"{channel.mention} now receives {labels(scanner)}."
        if repaired:
            text += f" It was marked broken ({repaired[0].last_error}); posting there resumes now."
        await interaction.response.send_message(text, ephemeral=True)

    @app_commands.command(description="Stop posting a scanner's alerts in a channel")
    @app_commands.describe(scanner="one scanner, or all of them", channel="the channel to stop")
    @admin_only
    async def unsubscribe(
        self, interaction: discord.Interaction, scanner: ChosenScanners, channel: ServerChannel
    ) -> None:
        current = await self.subscribed(channel)
        stopping = [name for name in scanner if name.value in current]
        if not stopping:
            raise BadInput(f"{channel.mention} does not receive {labels(scanner)}; nothing was changed.")
        for name in stopping:
            await self.services.store.subscriptions.unsubscribe(channel.guild.id, channel.id, name.value)
        await interaction.response.send_message(
            f"{channel.mention} no longer receives {labels(stopping)}.", ephemeral=True
        )

    @app_commands.command(description="This server's subscriptions, and whether each channel is healthy")
    @app_commands.guild_only()
    async def subscriptions(self, interaction: discord.Interaction) -> None:
        if interaction.guild is None:
            raise app_commands.NoPrivateMessage()
        found = await self.services.store.subscriptions.for_guild(interaction.guild.id)
        await interaction.response.send_message(embed=self.listing(interaction.guild, found), ephemeral=True)

    def listing(self, guild: discord.Guild, found: list[Subscription]) -> discord.Embed:
        by_channel: dict[int, list[Subscription]] = defaultdict(list)
        for subscription in found:
            by_channel[subscription.channel_id].append(subscription)
        fields = [channel_field(guild, channel_id, subs) for channel_id, subs in by_channel.items()]
        broken = sum(1 for subs in by_channel.values() if subs[0].status == "broken")
        return to_embed(
            EmbedDraft(
                title=f"Subscriptions: {len(by_channel)} channel{'' if len(by_channel) == 1 else 's'}",
                colour=RED if broken else GREEN,
                timestamp=self.services.clock.now(),
                description=None if fields else "No channel receives alerts yet. Start with `/subscribe`.",
                footer="A broken channel gets nothing until it is fixed and subscribed again.",
                fields=tuple(fields),
            )
        )

    @commands.Cog.listener()
    async def on_guild_channel_delete(self, channel: discord.abc.GuildChannel) -> None:
        """A deleted channel can no longer be picked in `/unsubscribe`, so forget it here."""
        await self.services.store.subscriptions.unsubscribe(channel.guild.id, channel.id)

    async def subscribed(self, channel: discord.TextChannel) -> dict[str, Subscription]:
        """The channel's subscriptions, by scanner name."""
        found = await self.services.store.subscriptions.for_guild(channel.guild.id)
        return {sub.scanner: sub for sub in found if sub.channel_id == channel.id}


def channel_field(guild: discord.Guild, channel_id: int, subs: list[Subscription]) -> EmbedField:
    channel = guild.get_channel(channel_id)
    name = f"#{channel.name}" if channel is not None else f"channel {channel_id} (gone)"
    scanners = labels([Scanner(sub.scanner) for sub in subs])
    # Breaking is per channel: every subscription of a broken channel shares its reason.
    health = f"⚠️ broken: {subs[0].last_error}" if subs[0].status == "broken" else "✅ healthy"
    return EmbedField(name, f"{scanners}\n{health}", inline=False)


async def setup(bot: OraklBot) -> None:
    await bot.add_cog(SubscriptionsCog(bot))
