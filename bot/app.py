"""The Discord bot: ORAKL's services opened in `setup_hook`, then its cogs loaded one by one.

`OraklBot` is a `commands.AutoShardedBot` with no privileged intents. `setup_hook` opens the
database (running migrations), the Polygon client, the engines, the router and the scheduler,
then loads each extension in its own try/except, so a broken cog is logged and the rest
start, and last the health endpoint when `ORAKL_HEALTH_PORT` is set. The scheduler starts once
the gateway is ready (posting needs the channel cache); one of its jobs records the status
snapshot for `python -m bot status`. `close()` shuts everything down in reverse order: the
health endpoint, the scheduler (runs in flight, deliveries half-sent included, get
`SHUTDOWN_GRACE_SECONDS`), webhooks, the Polygon client, the database last. The command tree
is never synced here: `python -m bot sync` or the owner's `@ORAKL sync` does that.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from contextlib import AsyncExitStack
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

import discord
from discord.ext import commands

from bot.alerts import Alert, Scanner
from bot.config import OptionsScannerSettings, Settings
from bot.delivery import DiscordChannels, GuildConfig, Router, WebhookSink
from bot.delivery.router import AlertSink
from bot.engine import OptionsEngine
from bot.health import HealthServer
from bot.market.calendar import MarketCalendar
from bot.market.clock import Clock, WallClock
from bot.market.watchlist import WatchedSymbol, load_watchlist
from bot.pipeline import CLEANUP_JOB, FEED_JOB, Pipeline, schedule
from bot.polygon.client import PolygonClient
from bot.scheduler import Scheduler
from bot.status import StatusSnapshot, save_snapshot, take_snapshot
from bot.stocks import StockEngine
from bot.store import Database, Store
from cogs.common.errors import on_app_command_error
from cogs.scanners.base import ScannerCog

log = logging.getLogger(__name__)

# Guilds for the channel cache and our own member (permission checks); messages only for the
# owner's `@ORAKL sync`, which works without the privileged message-content intent.
INTENTS = discord.Intents(guilds=True, guild_messages=True, dm_messages=True)
COMMAND_EXTENSIONS = ("cogs.config", "cogs.subscriptions", "cogs.flow", "cogs.status", "cogs.help", "cogs.owner")
SCANNER_EXTENSIONS = tuple(f"cogs.scanners.{scanner.value}" for scanner in Scanner)
# What the bot needs in a channel, and no more: 117760.
INVITE_PERMISSIONS = discord.Permissions(
    view_channel=True, send_messages=True, embed_links=True, attach_files=True, read_message_history=True
)
INVITE_SCOPES = ("bot", "applications.commands")
# discord.py waits out shorter Discord rate limits itself; longer ones come back to the
# router, which waits on its own clock and records the retry on the delivery.
MAX_RATELIMIT_TIMEOUT = 10.0
RETRY_SECONDS = 30
# How long runs in flight (a delivery half-sent) may take to finish when the bot stops.
SHUTDOWN_GRACE_SECONDS = 10.0
STATUS_JOB = "status:snapshot"


@dataclass
class Services:
    settings: Settings
    clock: Clock
    calendar: MarketCalendar
    store: Store
    watchlist: list[WatchedSymbol]
    polygon: PolygonClient
    options: OptionsEngine
    stocks: StockEngine
    pipeline: Pipeline
    scheduler: Scheduler
    guild_config: GuildConfig
    router: Router
    started_at: datetime


ServicesOpener = Callable[[commands.Bot, Settings, AsyncExitStack, Sequence[AlertSink]], Awaitable[Services]]


async def open_services(
    bot: commands.Bot,
    settings: Settings,
    stack: AsyncExitStack,
    sinks: Sequence[AlertSink] = (),
    *,
    clock: Clock | None = None,
) -> Services:
    """Open everything the cogs use; `stack` closes it all in reverse order. The clock is
    the wall's unless a replay or a test brings its own."""
    clock = clock or WallClock()
    watchlist = await asyncio.to_thread(load_watchlist, settings.watchlist_path)
    db = await Database.open(settings.sqlite_path, clock=clock)
    stack.push_async_callback(db.close)
    store = Store(db)
    guild_config = GuildConfig(store.guild_settings, settings.scanners)
    await guild_config.load()
    polygon = PolygonClient.from_settings(settings, clock)
    stack.push_async_callback(polygon.close)
    webhooks = WebhookSink({Scanner(name): url for name, url in settings.webhooks.items()}, clock)
    stack.push_async_callback(webhooks.close)
    scheduler = Scheduler()
    stack.push_async_callback(scheduler.stop, SHUTDOWN_GRACE_SECONDS)

    def options_settings(scanner: Scanner) -> OptionsScannerSettings:
        return cast(OptionsScannerSettings, guild_config.scan_settings(scanner))

    # The first calendar builds the exchange's schedule (a child process, about a second).
    calendar = await asyncio.to_thread(MarketCalendar)
    options = OptionsEngine(settings, polygon, clock, watchlist, store.dedup, settings_for=options_settings)
    stocks = StockEngine(settings, polygon, clock, watchlist, store, settings_for=guild_config.scan_settings)
    router = Router(
        store,
        guild_config,
        DiscordChannels(bot),
        clock,
        budget_per_hour=settings.channel_budget_per_hour,
        sinks=[webhooks, *sinks],
    )
    async def publish(alerts: Sequence[Alert]) -> None:
        await router.route(alerts)

    pipeline = Pipeline(options, stocks, clock, publish, calendar=calendar)
    for name in options.scanners:  # in the bot a scanner scans while its cog is loaded: the cog resumes it
        pipeline.pause(name)
    return Services(
        settings=settings,
        clock=clock,
        calendar=calendar,
        store=store,
        watchlist=watchlist,
        polygon=polygon,
        options=options,
        stocks=stocks,
        pipeline=pipeline,
        scheduler=scheduler,
        guild_config=guild_config,
        router=router,
        started_at=clock.now(),
    )


class OraklCore:
    """ORAKL's behaviour, on top of a discord.py bot class (see `OraklBot`).

    With `open_services=None` only the command cogs load and nothing is opened: that is how
    `python -m bot sync` builds the command tree without a database or an API key.
    """

    services: Services

    def __init__(
        self,
        settings: Settings,
        *,
        open_services: ServicesOpener | None = open_services,
        sinks: Sequence[AlertSink] = (),
        extensions: Sequence[str] | None = None,
        **options: Any,
    ) -> None:
        super().__init__(  # type: ignore[call-arg]
            command_prefix=commands.when_mentioned,
            intents=INTENTS,
            allowed_mentions=discord.AllowedMentions.none(),
            help_command=None,
            max_ratelimit_timeout=MAX_RATELIMIT_TIMEOUT,
            **options,
        )
        self.settings = settings
        self._open_services = open_services
        self._sinks = list(sinks)
        default = COMMAND_EXTENSIONS + (SCANNER_EXTENSIONS if open_services else ())
        self.extensions_to_load = tuple(default if extensions is None else extensions)
        self.failed_extensions: dict[str, str] = {}
        self._exit_stack = AsyncExitStack()
        # A stop signal and the end of `async with bot` both close; the second waits for the first.
        self._closing = asyncio.Lock()
        self._started = False

    @property
    def bot(self) -> commands.Bot:
        return cast(commands.Bot, self)

    async def setup_hook(self) -> None:
        self.bot.tree.error(on_app_command_error)
        if self._open_services is not None:
            self.services = await self._open_services(self.bot, self.settings, self._exit_stack, self._sinks)
            self._schedule_core_jobs()
        for name in self.extensions_to_load:
            try:
                await self.bot.load_extension(name)
            except Exception as error:  # one broken cog must not keep the others from starting
                self.failed_extensions[name] = f"{type(error).__name__}: {error}"
                log.exception("extension failed to load; starting without it", extra={"context": {"extension": name}})
        if self._open_services is not None and self.settings.health_port is not None:
            health = await HealthServer.start(self.status_snapshot, self.settings.health_host, self.settings.health_port)
            self._exit_stack.push_async_callback(health.close)

    async def on_ready(self) -> None:
        if self._started or self._open_services is None:
            return
        self._started = True
        leftovers = await self.services.router.resume()
        self.services.scheduler.start()
        log.info("ready", extra={"context": {"guilds": len(self.bot.guilds), "pending_deliveries": leftovers}})

    async def on_command_error(self, context: commands.Context[Any], error: commands.CommandError) -> None:
        """Mentions that are not commands are conversation, not errors; the owner cog answers its own."""
        if isinstance(error, commands.CommandNotFound) or (context.cog and context.cog.has_error_handler()):
            return
        log.error("command failed", exc_info=error, extra={"context": {"command": context.invoked_with}})

    async def close(self) -> None:
        async with self._closing:
            await self._exit_stack.aclose()
        await super().close()  # type: ignore[misc]

    async def status_snapshot(self) -> StatusSnapshot:
        """How the bot is doing now: what `/status`, `/health` and the status job show."""
        now = self.services.clock.now()
        scanners = [cog for cog in self.bot.cogs.values() if isinstance(cog, ScannerCog)]
        return await take_snapshot(
            self.services,
            events_last_hour={cog.scanner: cog.last_hour(now).events for cog in scanners},
            not_loaded=self.failed_extensions,
            guilds=len(self.bot.guilds),
        )

    async def record_status(self) -> None:
        """The status job: the snapshot into the database, for `python -m bot status`."""
        await save_snapshot(self.services.store.state, await self.status_snapshot())

    def _schedule_core_jobs(self) -> None:
        """The feed and the VolumeCache cleanup as the pipeline defines them (the scanner cogs
        register their own jobs), the router's retries and digests, and the status record."""
        services = self.services
        shared = [job for job in services.pipeline.jobs() if job.id in (FEED_JOB, CLEANUP_JOB)]
        schedule(shared, services.scheduler)
        services.scheduler.every("delivery:retry", RETRY_SECONDS, services.router.retry_pending)
        services.scheduler.every(
            "delivery:digest", services.settings.digest_interval_seconds, services.router.flush_digests
        )
        services.scheduler.every(STATUS_JOB, services.settings.status_interval_seconds, self.record_status)


class OraklBot(OraklCore, commands.AutoShardedBot):
    """The bot as it runs: sharded automatically once Discord asks for it."""


def invite_url(application_id: int) -> str:
    return discord.utils.oauth_url(application_id, permissions=INVITE_PERMISSIONS, scopes=INVITE_SCOPES)
