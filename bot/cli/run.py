"""`python -m bot run`: the bot, in production.

Refuses to start without `DISCORD_TOKEN` and `POLYGON_API_KEY` (one line each, saying where
to set it) and checks the Polygon key once before connecting to Discord, so a wrong key is a
clear message and a non-zero exit instead of a crash loop. Logs are one line per event with
every secret of the settings scrubbed.

SIGTERM or Ctrl-C stops it gracefully and exits 0: no new runs start, runs in flight
(deliveries half-sent included) get `bot.app.SHUTDOWN_GRACE_SECONDS` to finish, what is still
unsent stays pending for the next start, and the database is closed cleanly.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from collections.abc import Callable
from pathlib import Path

import discord

from bot.app import OraklBot
from bot.config import Settings, load_settings
from bot.delivery import JsonlSink
from bot.health import HealthServerError
from bot.logs import configure_logging
from bot.market.watchlist import WatchlistError
from bot.polygon.client import PolygonClient
from bot.polygon.errors import AuthError, NotEntitledError, PolygonError
from bot.signals import on_stop_signal
from bot.store import StoreError

log = logging.getLogger(__name__)

WHERE = "set it in .env (see .env.example) or in the environment"
REFUSED_KEY = "Polygon refused POLYGON_API_KEY ({detail}); check the key in your Polygon/Massive dashboard and {where}."


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--jsonl", type=Path, metavar="PATH", help="also append every alert to PATH as a JSON line")


def missing_secrets(settings: Settings) -> list[str]:
    required = {"DISCORD_TOKEN": settings.discord_token, "POLYGON_API_KEY": settings.polygon_api_key}
    return [
        f"{name} is not set: {WHERE}." for name, value in required.items() if not value or not value.get_secret_value()
    ]


async def polygon_key_problem(settings: Settings) -> str | None:
    """Why Polygon refuses the key, or None when it accepts it (or cannot be asked right now)."""
    async with PolygonClient.from_settings(settings) as client:
        try:
            await client.market_status()
        except (AuthError, NotEntitledError) as error:
            return REFUSED_KEY.format(detail=f"HTTP {error.status}", where=WHERE)
        except PolygonError as error:
            log.warning("could not check the Polygon key now, starting anyway: %s", error)
    return None


async def serve(settings: Settings, jsonl: Path | None) -> int:
    problem = await polygon_key_problem(settings)
    if problem is not None:
        print(problem, file=sys.stderr)
        return 2
    assert settings.discord_token is not None  # checked by missing_secrets
    bot = OraklBot(settings, sinks=[JsonlSink(jsonl)] if jsonl else [])
    try:
        async with bot:
            with on_stop_signal(closer(bot)):
                await bot.start(settings.discord_token.get_secret_value())
    except discord.LoginFailure:
        print(
            f"Discord rejected DISCORD_TOKEN: copy the bot token from the developer portal and {WHERE}.",
            file=sys.stderr,
        )
        return 2
    except (WatchlistError, StoreError, HealthServerError) as error:
        # Raised while the services open: a file or a port to fix, not a crash to retry.
        print(f"cannot start: {error}", file=sys.stderr)
        return 2
    return 0


def closer(bot: OraklBot) -> Callable[[], None]:
    """What a stop signal does: close the bot once (`start` then returns); a second signal
    while it closes changes nothing, the grace is bounded anyway."""
    closing: list[asyncio.Task[None]] = []  # held here: the loop keeps only weak references

    def close() -> None:
        if not closing:
            log.info("stop signal: finishing the runs in flight, then closing the database")
            closing.append(asyncio.create_task(bot.close()))

    return close


def run(args: argparse.Namespace) -> int:
    settings = load_settings()
    missing = missing_secrets(settings)
    if missing:
        print("\n".join(missing), file=sys.stderr)
        return 2
    configure_logging(settings.log_level, secrets=settings.secrets())
    return asyncio.run(serve(settings, args.jsonl))
