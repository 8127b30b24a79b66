"""`/status`: is ORAKL working, and if not, what is degraded.

Drawn from the bot's status snapshot (`bot.status`), the same one `python -m bot status` and
the health endpoint show: per scanner its interval, last run, what it saw and raised in the
last hour and its failures; the options feed's refresh lag per tier against its promise and the
VolumeCache hit rate; the API's requests per minute against the plan's budget, 429s, errors
and cache hits; memory and uptime. Only this server's broken channels are looked up here.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import discord
from discord import app_commands

from bot.alerts.embed import GREEN, RED
from bot.alerts.embed_limits import FIELD_VALUE_LIMIT, EmbedDraft, EmbedField, pack_lines, to_embed
from cogs.common.cog import OraklCog

if TYPE_CHECKING:
    from bot.app import OraklBot


class StatusCog(OraklCog, name="Status"):
    @app_commands.command(description="How ORAKL is doing: scanners, data feed, API budget, channels")
    async def status(self, interaction: discord.Interaction) -> None:
        await interaction.response.send_message(embed=await self.report(interaction.guild), ephemeral=True)

    async def report(self, guild: discord.Guild | None) -> discord.Embed:
        snapshot = await self.bot.status_snapshot()
        lines = [f"**{scanner.scanner.label}** · {scanner.summary()}" for scanner in snapshot.scanners]
        broken = await self.broken_channels(guild)
        troubled = snapshot.degraded or bool(broken)
        fields = [
            EmbedField("Scanners" if i == 0 else "Scanners (continued)", chunk, inline=False)
            for i, chunk in enumerate(pack_lines(lines, FIELD_VALUE_LIMIT))
        ]
        fields += [
            EmbedField("Options feed", snapshot.feed.summary(), inline=False),
            EmbedField("Polygon API", snapshot.api.summary(), inline=False),
            EmbedField("Channels", channels_text(broken, guild, snapshot.held_summary()), inline=False),
            EmbedField("Bot", snapshot.bot_summary(), inline=False),
        ]
        if snapshot.not_loaded:
            failed = "\n".join(f"{name}: {error}" for name, error in snapshot.not_loaded.items())
            fields.append(EmbedField("Not loaded", failed, inline=False))
        return to_embed(
            EmbedDraft(
                title="ORAKL status: degraded" if troubled else "ORAKL status: all good",
                colour=RED if troubled else GREEN,
                timestamp=snapshot.taken_at,
                footer="Scanner runs and feed lags are since the bot started; alert counts survive restarts.",
                fields=tuple(fields),
            )
        )

    async def broken_channels(self, guild: discord.Guild | None) -> dict[int, str]:
        if guild is None:
            return {}
        found = await self.services.store.subscriptions.for_guild(guild.id)
        return {sub.channel_id: sub.last_error or "unknown" for sub in found if sub.status == "broken"}


def channels_text(broken: dict[int, str], guild: discord.Guild | None, held: str) -> str:
    if guild is None:
        return held
    if not broken:
        return f"every subscribed channel here is healthy · {held}"
    lines = [f"⚠️ <#{channel}>: {reason}" for channel, reason in broken.items()]
    return "\n".join([*lines, "Fix the channel, then `/subscribe` it again.", held])


async def setup(bot: OraklBot) -> None:
    await bot.add_cog(StatusCog(bot))
