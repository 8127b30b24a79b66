"""The owner's commands, by mention (`@ORAKL sync`), so they work before any slash command
is registered and without the message-content intent.

`@ORAKL sync` publishes the slash commands everywhere (Discord takes up to an hour to show
them); `@ORAKL sync here` copies them to the current server only, which shows at once.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from discord.ext import commands

from cogs.common.cog import OraklCog

if TYPE_CHECKING:
    from bot.app import OraklBot

log = logging.getLogger(__name__)

HERE = "here"


class OwnerCog(OraklCog, name="Owner"):
    @commands.command(name="sync")
    @commands.is_owner()
    async def sync(self, context: commands.Context[OraklBot], scope: str = "") -> None:
        tree = self.bot.tree
        if scope == HERE:
            if context.guild is None:
                await context.reply("`sync here` works in a server; plain `sync` publishes everywhere.")
                return
            tree.copy_global_to(guild=context.guild)
            synced = await tree.sync(guild=context.guild)
            await context.reply(f"Synced {len(synced)} commands to this server.")
            return
        if scope:
            await context.reply(f"Unknown scope {scope!r}: use `sync` or `sync {HERE}`.")
            return
        synced = await tree.sync()
        await context.reply(f"Synced {len(synced)} commands globally; Discord may take up to an hour to show them.")

    async def cog_command_error(self, context: commands.Context[OraklBot], error: Exception) -> None:  # type: ignore[override]
        if isinstance(error, commands.NotOwner):
            await context.reply("Only the bot's owner can do that.")
        else:
            log.error("owner command failed", exc_info=error, extra={"context": {"command": context.invoked_with}})


async def setup(bot: OraklBot) -> None:
    await bot.add_cog(OwnerCog(bot))
