"""`/config ...`: what this server receives from each scanner (Manage Server only).

A server stores only what it changes; `/config show` marks which values are its own and
which follow ORAKL's defaults, and `/config reset` goes back to the defaults.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from bot.alerts import Scanner
from bot.alerts.embed import GREY
from bot.alerts.embed_limits import EmbedDraft, EmbedField, to_embed
from bot.alerts.text import money
from bot.delivery.filters import (
    MAX_DTE,
    MAX_DTE_KEY,
    MAX_SCORE,
    MIN_DTE_KEY,
    MIN_SCORE_KEY,
    has_expiry,
    numeric,
    threshold_key,
)
from bot.delivery.guild_config import GuildConfig
from cogs.common.checks import require_manage_guild
from cogs.common.cog import OraklCog
from cogs.common.errors import BadInput
from cogs.common.transformers import BoundedInteger, PremiumAmount, ScannerChoice, TickerList

if TYPE_CHECKING:
    from bot.app import OraklBot

DaysToExpiry = app_commands.Transform[int, BoundedInteger(0, MAX_DTE, "Days to expiry")]
Score = app_commands.Transform[int, BoundedInteger(0, MAX_SCORE, "A score")]
ChosenScanner = app_commands.Transform[Scanner, ScannerChoice]
THRESHOLD_NAMES = {"min_premium": "premium", "min_notional": "notional"}


@app_commands.guild_only()
@app_commands.default_permissions(manage_guild=True)
class ConfigCog(
    OraklCog, commands.GroupCog, name="Config", group_name="config", group_description="Tune what this server receives"
):
    tickers = app_commands.Group(name="tickers", description="Receive alerts for some tickers only")

    async def interaction_check(self, interaction: discord.Interaction) -> bool:
        return require_manage_guild(interaction)

    @property
    def config(self) -> GuildConfig:
        return self.services.guild_config

    @app_commands.command(description="Lowest premium (dark pool: notional) posted in this server")
    @app_commands.describe(premium="from $1K to $100M, e.g. 50000, 50k or $1.5M")
    async def threshold(
        self,
        interaction: discord.Interaction,
        scanner: ChosenScanner,
        premium: app_commands.Transform[float, PremiumAmount],
    ) -> None:
        key = threshold_key(scanner)
        if key is None:
            raise BadInput(f"{scanner.label} alerts have no dollar amount; filter them with `/config score`.")
        await self.config.set_values(guild_id(interaction), scanner, {key: premium})
        await answer(
            interaction, f"{scanner.label} alerts here now need a {THRESHOLD_NAMES[key]} of at least {money(premium)}."
        )

    @app_commands.command(description="Days-to-expiry range posted in this server (options scanners)")
    @app_commands.rename(fewest="min", most="max")
    @app_commands.describe(fewest="fewest days to expiry (0 = expiring today)", most="most days to expiry")
    async def dte(
        self, interaction: discord.Interaction, scanner: ChosenScanner, fewest: DaysToExpiry, most: DaysToExpiry
    ) -> None:
        if not has_expiry(scanner):
            raise BadInput(
                f"{scanner.label} alerts are stock alerts, with no expiry; `/config dte` is for options scanners."
            )
        if fewest > most:
            raise BadInput(f"The minimum ({fewest} days) is above the maximum ({most} days).")
        await self.config.set_values(guild_id(interaction), scanner, {MIN_DTE_KEY: fewest, MAX_DTE_KEY: most})
        await answer(interaction, f"{scanner.label} alerts here now need {fewest} to {most} days to expiry.")

    @app_commands.command(description="Lowest score (0-100) posted in this server")
    @app_commands.rename(lowest="min")
    @app_commands.describe(lowest="from 0 to 100")
    async def score(self, interaction: discord.Interaction, scanner: ChosenScanner, lowest: Score) -> None:
        await self.config.set_values(guild_id(interaction), scanner, {MIN_SCORE_KEY: lowest})
        await answer(interaction, f"{scanner.label} alerts here now need a score of at least {lowest}.")

    @app_commands.command(description="This server's settings, and which differ from the defaults")
    async def show(self, interaction: discord.Interaction) -> None:
        guild = guild_id(interaction)
        fields = [EmbedField(scanner.label, describe(self.config, guild, scanner)) for scanner in Scanner]
        tickers = self.config.overrides(guild).tickers
        shown = ", ".join(sorted(tickers)) if tickers else "every ticker"
        fields.append(EmbedField("Ticker filter", shown, inline=False))
        draft = EmbedDraft(
            title="ORAKL settings for this server",
            colour=GREY,
            timestamp=self.services.clock.now(),
            footer="* = changed here. /config reset goes back to the defaults.",
            fields=tuple(fields),
        )
        await interaction.response.send_message(embed=to_embed(draft), ephemeral=True)

    @app_commands.command(description="Back to the defaults: one scanner, or everything")
    @app_commands.describe(scanner="leave empty to reset every scanner and the ticker filter")
    async def reset(self, interaction: discord.Interaction, scanner: ChosenScanner | None = None) -> None:
        changed = await self.config.reset(guild_id(interaction), scanner)
        if scanner is None:
            done = "Every setting and the ticker filter follow ORAKL's defaults again."
            nothing = "Nothing to reset: this server already follows every default."
        else:
            done = f"{scanner.label} follows ORAKL's defaults again."
            nothing = f"Nothing to reset: {scanner.label} already follows the defaults."
        await answer(interaction, done if changed else nothing)

    @tickers.command(name="add", description="Receive alerts for these tickers only")
    @app_commands.describe(symbols="one or more, e.g. SPY QQQ NVDA")
    async def tickers_add(
        self, interaction: discord.Interaction, symbols: app_commands.Transform[list[str], TickerList]
    ) -> None:
        now = await self.config.add_tickers(guild_id(interaction), symbols)
        await answer(interaction, f"Only these tickers' alerts reach this server now: {', '.join(sorted(now))}.")

    @tickers.command(name="remove", description="Take tickers out of the filter")
    @app_commands.describe(symbols="one or more, e.g. SPY QQQ")
    async def tickers_remove(
        self, interaction: discord.Interaction, symbols: app_commands.Transform[list[str], TickerList]
    ) -> None:
        guild = guild_id(interaction)
        absent = sorted(set(symbols) - self.config.overrides(guild).tickers)
        if absent:
            raise BadInput(f"Not in the ticker filter: {', '.join(absent)}. Nothing was changed.")
        now = await self.config.remove_tickers(guild, symbols)
        left = f"only {', '.join(sorted(now))}" if now else "every ticker (the filter is empty)"
        await answer(interaction, f"Removed {', '.join(symbols)}. This server now receives {left}.")

    @tickers.command(name="clear", description="Receive every ticker again")
    async def tickers_clear(self, interaction: discord.Interaction) -> None:
        if await self.config.clear_tickers(guild_id(interaction)):
            await answer(interaction, "Ticker filter cleared: every ticker's alerts reach this server again.")
        else:
            await answer(interaction, "There was no ticker filter: every ticker's alerts already reach this server.")


def guild_id(interaction: discord.Interaction) -> int:
    assert interaction.guild_id is not None  # guild_only, and checked by require_manage_guild
    return interaction.guild_id


async def answer(interaction: discord.Interaction, text: str) -> None:
    await interaction.response.send_message(text, ephemeral=True)


def describe(config: GuildConfig, guild: int, scanner: Scanner) -> str:
    """ "Premium ≥ $100K* · DTE 1-90 · Score ≥ 0": the values this server receives with."""

    def marked(key: str, text: str) -> str:
        return text + ("*" if config.is_overridden(guild, scanner, key) else "")

    def number(key: str) -> float:
        return numeric(config.value(guild, scanner, key))

    parts = []
    key = threshold_key(scanner)
    if key is not None:
        parts.append(marked(key, f"{THRESHOLD_NAMES[key].capitalize()} ≥ {money(number(key))}"))
    if has_expiry(scanner):
        low, high = int(number(MIN_DTE_KEY)), int(number(MAX_DTE_KEY))
        overridden = config.is_overridden(guild, scanner, MIN_DTE_KEY)
        parts.append(f"DTE {low}-{high}" + ("*" if overridden else ""))
    parts.append(marked(MIN_SCORE_KEY, f"Score ≥ {number(MIN_SCORE_KEY):g}"))
    return " · ".join(parts)


async def setup(bot: OraklBot) -> None:
    await bot.add_cog(ConfigCog(bot))
