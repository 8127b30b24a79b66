"""Manage Server, checked twice: Discord hides the command from members without it
(`default_permissions`), and ORAKL checks it again on every call, since a server can
override what Discord shows."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import discord
from discord import app_commands

T = TypeVar("T")
ADMIN_PERMISSION = "manage_guild"


def require_manage_guild(interaction: discord.Interaction) -> bool:
    if interaction.guild is None:
        raise app_commands.NoPrivateMessage()
    if not interaction.permissions.manage_guild:
        raise app_commands.MissingPermissions([ADMIN_PERMISSION])
    return True


def admin_only(command: T) -> T:
    """A command usable in servers only, by members with Manage Server."""
    decorators: list[Callable[[T], T]] = [
        app_commands.check(require_manage_guild),
        app_commands.default_permissions(manage_guild=True),
        app_commands.guild_only(),
    ]
    for decorate in decorators:
        command = decorate(command)
    return command
