"""`python -m bot sync [--guild ID]`: publish the slash commands to Discord.

Run once after installing or upgrading (the bot never syncs on start). Without `--guild` the
commands go everywhere, and Discord may take up to an hour to show them; with it they are
copied to that one server and show at once, which is how to try a change.
"""

from __future__ import annotations

import argparse
import asyncio
import sys

import discord

from bot.app import OraklBot
from bot.cli.run import WHERE
from bot.config import Settings, load_settings


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--guild", type=int, metavar="ID", help="sync to this server only (shows at once)")


async def sync(settings: Settings, guild_id: int | None) -> int:
    assert settings.discord_token is not None
    # No services: the command tree needs the command cogs only, not the database or the API.
    bot = OraklBot(settings, open_services=None)
    try:
        async with bot:
            await bot.login(settings.discord_token.get_secret_value())
            guild = discord.Object(guild_id) if guild_id is not None else None
            if guild is not None:
                bot.tree.copy_global_to(guild=guild)
            synced = await bot.tree.sync(guild=guild)
    except discord.LoginFailure:
        print(f"Discord rejected DISCORD_TOKEN: {WHERE}.", file=sys.stderr)
        return 2
    except discord.Forbidden:
        print(
            f"The bot is not in server {guild_id}, or may not create commands there: invite it first.", file=sys.stderr
        )
        return 2
    where = f"server {guild_id}" if guild_id is not None else "every server (Discord may take up to an hour)"
    print(f"Synced {len(synced)} commands to {where}: {', '.join('/' + command.name for command in synced)}")
    return 0


def run(args: argparse.Namespace) -> int:
    settings = load_settings()
    if settings.discord_token is None or not settings.discord_token.get_secret_value():
        print(f"DISCORD_TOKEN is not set: {WHERE}.", file=sys.stderr)
        return 2
    return asyncio.run(sync(settings, args.guild))
