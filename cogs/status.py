"""`/status`: is ORAKL working, and if not, what is degraded.

Per scanner: its last run, what it saw and raised in the last hour, its failures; the options
feed's refresh lag per tier against its promise; the API's requests per minute against the
plan's budget, 429s and cache hits; this server's broken channels; memory and uptime.
"""

from __future__ import annotations

import resource
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import discord
from discord import app_commands

from bot.alerts import Scanner
from bot.alerts.embed import GREEN, RED
from bot.alerts.embed_limits import FIELD_VALUE_LIMIT, EmbedDraft, EmbedField, pack_lines, to_embed
from bot.alerts.text import count, et_time, percent, plural
from bot.scheduler import JobHealth
from cogs.common.cog import OraklCog
from cogs.scanners.base import ScannerCog

if TYPE_CHECKING:
    from bot.app import OraklBot

HOUR = timedelta(hours=1)
STATM = Path("/proc/self/statm")


class StatusCog(OraklCog, name="Status"):
    @app_commands.command(description="How ORAKL is doing: scanners, data feed, API budget, channels")
    async def status(self, interaction: discord.Interaction) -> None:
        await interaction.response.send_message(embed=await self.report(interaction.guild), ephemeral=True)

    async def report(self, guild: discord.Guild | None) -> discord.Embed:
        services = self.services
        now = services.clock.now()
        alerts = await services.store.alerts.counts_since(now - HOUR)
        cogs = {cog.scanner: cog for cog in self.bot.cogs.values() if isinstance(cog, ScannerCog)}
        scanners = [
            self.scanner_line(scanner, cogs.get(scanner), alerts.get(scanner.value, 0), now) for scanner in Scanner
        ]
        lines = [line for line, _ in scanners]
        broken = await self.broken_channels(guild)
        troubled = bool(broken or self.bot.failed_extensions or any(failing for _, failing in scanners))
        chunks = pack_lines(lines, FIELD_VALUE_LIMIT)
        fields = [
            EmbedField("Scanners" if i == 0 else "Scanners (continued)", chunk, inline=False)
            for i, chunk in enumerate(chunks)
        ]
        fields += [
            EmbedField("Options feed", self.feed_text(), inline=False),
            EmbedField("Polygon API", self.api_text(), inline=False),
            EmbedField("Channels", self.channels_text(broken, guild), inline=False),
            EmbedField("Bot", self.bot_text(now), inline=False),
        ]
        if self.bot.failed_extensions:
            failed = "\n".join(f"{name}: {error}" for name, error in self.bot.failed_extensions.items())
            fields.append(EmbedField("Not loaded", failed, inline=False))
        return to_embed(
            EmbedDraft(
                title="ORAKL status: degraded" if troubled else "ORAKL status: all good",
                colour=RED if troubled else GREEN,
                timestamp=now,
                footer="Scanner runs and feed lags are since the bot started; alert counts survive restarts.",
                fields=tuple(fields),
            )
        )

    def scanner_line(self, scanner: Scanner, cog: ScannerCog | None, alerts: int, now: datetime) -> tuple[str, bool]:
        """The scanner's line, and whether it is failing right now."""
        name = f"**{scanner.label}**"
        if cog is None:
            return f"{name} · ⚠️ not loaded", True
        health = self.services.scheduler.health.get(cog.job_id)
        if health is None:
            return f"{name} · disabled in settings", False
        seen = cog.last_hour(now)
        parts = [name, f"last run {et_time(health.last_run)}" if health.last_run else "not run yet"]
        parts.append(f"{plural(seen.events, 'event')}, {plural(alerts, 'alert')} in the last hour")
        parts += problems(health)
        return " · ".join(parts), health.last_error is not None

    def feed_text(self) -> str:
        planner = self.services.options.planner
        lags = planner.lag_by_tier()
        parts = []
        for tier in sorted(lags):
            lag = lags[tier]
            shown = "not refreshed yet" if lag is None else f"{lag:.0f} s"
            parts.append(f"tier {tier}: {shown} (every {planner.promised_interval(tier):.0f} s)")
        return " · ".join(parts) or "no symbols on the watchlist"

    def api_text(self) -> str:
        services = self.services
        stats = services.polygon.stats
        budget = services.settings.requests_per_second * 60
        lookups = stats.cache_hits + stats.cache_misses
        hits = percent(stats.cache_hits / lookups) if lookups else "n/a"
        errors = sum(stats.errors.values())
        return (
            f"{count(stats.requests_last_minute())} requests in the last minute (budget {budget:,.0f}/min) · "
            f"{count(stats.rate_limited)} rate-limited (429) · {count(errors)} errors · cache hits {hits}"
        )

    async def broken_channels(self, guild: discord.Guild | None) -> dict[int, str]:
        if guild is None:
            return {}
        found = await self.services.store.subscriptions.for_guild(guild.id)
        return {sub.channel_id: sub.last_error or "unknown" for sub in found if sub.status == "broken"}

    def channels_text(self, broken: dict[int, str], guild: discord.Guild | None) -> str:
        held = len(self.services.router.digests)
        queued = f"{count(held)} alerts held for the next digest" if held else "no digest pending"
        if guild is None:
            return queued
        if not broken:
            return f"every subscribed channel here is healthy · {queued}"
        lines = [f"⚠️ <#{channel}>: {reason}" for channel, reason in broken.items()]
        return "\n".join([*lines, "Fix the channel, then `/subscribe` it again.", queued])

    def bot_text(self, now: datetime) -> str:
        uptime = now - self.services.started_at
        return f"memory {rss_megabytes():.0f} MB · up {format_duration(uptime)} · {count(len(self.bot.guilds))} servers"


def problems(health: JobHealth) -> list[str]:
    found = []
    if health.last_error is not None:
        found.append(f"⚠️ failing ({plural(health.failures, 'failed run')}): {health.last_error}")
    elif health.failures:
        found.append(f"{plural(health.failures, 'failed run')} earlier, working again")
    if health.overruns:
        found.append(f"{plural(health.overruns, 'run')} skipped while the previous one ran")
    return found


def rss_megabytes() -> float:
    """Resident memory now (Linux), else the peak the OS reports."""
    try:
        resident_pages = int(STATM.read_text().split()[1])
        return resident_pages * resource.getpagesize() / 1e6
    except (OSError, IndexError, ValueError):
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e3


def format_duration(span: timedelta) -> str:
    minutes = int(span.total_seconds() // 60)
    days, minutes = divmod(minutes, 24 * 60)
    hours, minutes = divmod(minutes, 60)
    return f"{days}d {hours}h {minutes}m" if days else f"{hours}h {minutes}m"


async def setup(bot: OraklBot) -> None:
    await bot.add_cog(StatusCog(bot))
