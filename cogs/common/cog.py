"""The base of every ORAKL cog: the bot, and the services it opened."""

from __future__ import annotations

from typing import TYPE_CHECKING

from discord.ext import commands

if TYPE_CHECKING:
    from bot.app import OraklBot, Services


class OraklCog(commands.Cog):
    def __init__(self, bot: OraklBot) -> None:
        self.bot = bot
        super().__init__()

    @property
    def services(self) -> Services:
        return self.bot.services
