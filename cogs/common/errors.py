"""The one `tree.on_error`: each kind of failure gets a short ephemeral reply.

A refused input (`BadInput`) says exactly what was wrong; a missing permission says which;
anything unexpected is logged with its context and an error id, and the user gets that id.
"""

from __future__ import annotations

import logging
import secrets

import discord
from discord import app_commands

log = logging.getLogger(__name__)

GENERIC = "Something went wrong on ORAKL's side (error id `{error_id}`). It has been logged."


class BadInput(app_commands.AppCommandError):
    """An input ORAKL refuses; the message says what was wrong and what it accepts."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def permission_names(permissions: list[str]) -> str:
    return ", ".join(name.replace("_", " ").title().replace("Guild", "Server") for name in permissions)


def known_reply(error: app_commands.AppCommandError) -> str | None:
    """The reply to a failure the user can act on, or None for one that is ORAKL's fault."""
    if isinstance(error, BadInput):
        return error.message
    if isinstance(error, app_commands.MissingPermissions):
        return f"You need the {permission_names(error.missing_permissions)} permission to use this command."
    if isinstance(error, app_commands.BotMissingPermissions):
        return f"ORAKL needs the {permission_names(error.missing_permissions)} permission here."
    if isinstance(error, app_commands.NoPrivateMessage):
        return "This command works in a server, not in direct messages."
    if isinstance(error, app_commands.CommandOnCooldown):
        return f"Slow down: try again in {error.retry_after:.0f} s."
    if isinstance(error, app_commands.TransformerError):
        return f"{error.value!r} is not a valid {error.type.name.replace('_', ' ')}."
    if isinstance(error, app_commands.CheckFailure):
        return "You cannot use this command here."
    return None


async def on_app_command_error(interaction: discord.Interaction, error: app_commands.AppCommandError) -> None:
    reply = known_reply(error)
    if reply is None:
        error_id = secrets.token_hex(4)
        cause = error.original if isinstance(error, app_commands.CommandInvokeError) else error
        command = interaction.command.qualified_name if interaction.command else "?"
        context = {"error_id": error_id, "command": command, "guild": interaction.guild_id, "user": interaction.user.id}
        log.error("command failed", exc_info=cause, extra={"context": context})
        reply = GENERIC.format(error_id=error_id)
    await send_ephemeral(interaction, reply)


async def send_ephemeral(interaction: discord.Interaction, text: str) -> None:
    if interaction.response.is_done():
        await interaction.followup.send(text, ephemeral=True)
    else:
        await interaction.response.send_message(text, ephemeral=True)
