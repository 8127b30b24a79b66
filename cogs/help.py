"""`/help`: what each scanner looks for, what this server receives from it, and the commands.

Scanners come from the registry and the commands from the command tree itself, so this page
cannot fall behind what the bot does.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands

from bot.alerts import Scanner
from bot.alerts.embed import GREY
from bot.alerts.embed_limits import EmbedDraft, EmbedField, to_embed
from cogs.common.cog import OraklCog
from cogs.config import describe
from cogs.scanners.base import ScannerCog

if TYPE_CHECKING:
    from bot.app import OraklBot

INTRO = (
    "ORAKL watches US options and stock flow and posts one embed per alert in the channels "
    "subscribed to each scanner. Admins (Manage Server) choose channels with `/subscribe` and "
    "tune thresholds with `/config`."
)


class HelpCog(OraklCog, name="Help"):
    @app_commands.command(description="What each scanner looks for, and ORAKL's commands")
    async def help(self, interaction: discord.Interaction) -> None:
        await interaction.response.send_message(embed=self.page(interaction.guild_id), ephemeral=True)

    def page(self, guild_id: int | None) -> discord.Embed:
        cogs = {cog.scanner: cog for cog in self.bot.cogs.values() if isinstance(cog, ScannerCog)}
        fields = [self.scanner_field(scanner, cogs.get(scanner), guild_id) for scanner in Scanner]
        fields.append(EmbedField("Commands", "\n".join(command_lines(self.bot.tree.get_commands())), inline=False))
        return to_embed(
            EmbedDraft(
                title="ORAKL help",
                colour=GREY,
                timestamp=self.services.clock.now(),
                description=INTRO,
                footer="Not financial advice. Data: Polygon/Massive.",
                fields=tuple(fields),
            )
        )

    def scanner_field(self, scanner: Scanner, cog: ScannerCog | None, guild_id: int | None) -> EmbedField:
        if cog is None:
            return EmbedField(scanner.label, "not running on this bot right now", inline=False)
        text = cog.looks_for[0].upper() + cog.looks_for[1:] + "."
        if guild_id is not None:
            text += f"\nHere: {describe(self.services.guild_config, guild_id, scanner)}"
        return EmbedField(scanner.label, text, inline=False)


def command_lines(found: Iterable[Any], parents: str = "") -> list[str]:
    """`/config threshold` — Lowest premium ...: every command, subcommands included."""
    lines = []
    for command in found:
        name = f"{parents}{command.name}"
        if isinstance(command, app_commands.Group):
            lines += command_lines(command.commands, f"{name} ")
        else:
            lines.append(f"`/{name}` {command.description}")
    return lines


async def setup(bot: OraklBot) -> None:
    await bot.add_cog(HelpCog(bot))
