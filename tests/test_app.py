"""The bot as a whole: what it asks Discord for, how it starts and stops, its own jobs, and
what survives a restart."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import timedelta
from functools import partial
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from discord.ext import commands

from bot.alerts import Scanner, render_embed
from bot.app import COMMAND_EXTENSIONS, OraklBot, invite_url, open_services
from bot.config import Settings
from bot.delivery import WebhookSink
from bot.engine import RefreshRound
from bot.market.clock import VirtualClock
from bot.polygon.client import PolygonClient
from bot.scanners.base import ScanReport
from bot.scheduler import Scheduler
from bot.store import Database
from cogs.scanners.base import ScannerCog
from tests.cogs.helpers import as_admin, as_member
from tests.scanners.events import flow_event
from tests.support import alert_examples as examples
from tests.support.alert_examples import variant
from tests.support.discord_bot import World, clock, polygon, posted, settings, start_bot, stop_bot, world

__all__ = ["clock", "polygon", "settings", "world"]  # the fixtures this module uses

CORE_JOBS = {"feed:refresh": 1, "volume_cache:cleanup": 300, "delivery:retry": 30, "delivery:digest": 300}


def test_the_bot_is_sharded_and_asks_for_no_privileged_intent() -> None:
    bot = OraklBot(Settings())
    assert isinstance(bot, commands.AutoShardedBot)
    assert not (bot.intents.members or bot.intents.presences or bot.intents.message_content)
    assert bot.intents.guilds
    assert bot.allowed_mentions is not None and bot.allowed_mentions.to_dict() == {"parse": []}


def test_the_invite_asks_for_exactly_what_posting_needs() -> None:
    url = urlsplit(invite_url(1234567890))
    query = parse_qs(url.query)
    assert query["client_id"] == ["1234567890"]
    # View Channel + Send Messages + Embed Links + Attach Files + Read Message History.
    assert query["permissions"] == [str(1024 + 2048 + 16384 + 32768 + 65536)] == ["117760"]
    assert query["scope"] == ["bot applications.commands"]


async def test_start_up_opens_the_services_loads_every_cog_and_registers_every_job(world: World) -> None:
    assert world.bot.failed_extensions == {}
    scanners = {cog.scanner for cog in world.bot.cogs.values() if isinstance(cog, ScannerCog)}
    assert scanners == set(Scanner)
    scheduler = world.bot.services.scheduler
    for job_id, seconds in CORE_JOBS.items():
        assert scheduler._scheduler.get_job(job_id).trigger.interval == timedelta(seconds=seconds), job_id
    assert not scheduler.running  # it starts once the gateway is ready


async def test_one_broken_cog_is_logged_and_the_others_start(
    settings: Settings, clock: VirtualClock, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    load = ScannerCog.cog_load

    async def sweeps_cannot_schedule(self: ScannerCog) -> None:
        if self.scanner is Scanner.SWEEPS:
            raise RuntimeError("scheduler is gone")
        await load(self)

    monkeypatch.setattr(ScannerCog, "cog_load", sweeps_cannot_schedule)
    extensions = ("cogs.moonshots", "cogs.scanners.sweeps", "cogs.scanners.golden_sweeps", *COMMAND_EXTENSIONS)
    world = await start_bot(settings, partial(open_services, clock=clock), extensions)
    try:
        assert set(world.bot.failed_extensions) == {"cogs.moonshots", "cogs.scanners.sweeps"}
        assert {"Config", "Subscriptions", "Flow", "Status", "Help", "Owner"} <= set(world.bot.cogs)
        failed = [record for record in caplog.records if "extension failed to load" in record.getMessage()]
        assert [record.context["extension"] for record in failed] == ["cogs.moonshots", "cogs.scanners.sweeps"]  # type: ignore[attr-defined]
        conversation = await as_member(world, "status")
        embed = conversation.reply.embeds[0]
        assert embed["title"] == "ORAKL status: degraded"
        not_loaded = next(field["value"] for field in embed["fields"] if field["name"] == "Not loaded")
        assert "cogs.scanners.sweeps: ExtensionFailed" in not_loaded

        # What "not loaded" means: a refresh's flow is scanned by the loaded scanners only.
        services = world.bot.services

        async def a_refresh_with_flow(budget_requests: float, after_each: Callable[[], Awaitable[None]]) -> RefreshRound:
            services.options.log.append([flow_event()])
            await after_each()
            return RefreshRound()

        monkeypatch.setattr(services.options, "refresh", a_refresh_with_flow)
        await services.scheduler._scheduler.get_job("feed:refresh").func()
        assert services.pipeline.stats.scanner_runs == {"golden_sweeps": 1}
        assert not services.options.log.pending("sweeps"), "nothing saved up to be posted late"
    finally:
        await stop_bot(world)


async def test_the_feed_job_refreshes_within_its_budget_in_the_options_session_only(
    world: World, clock: VirtualClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    budgets: list[float] = []

    async def refresh(budget_requests: float, after_each: object) -> RefreshRound:
        budgets.append(budget_requests)
        return RefreshRound()

    monkeypatch.setattr(world.bot.services.options, "refresh", refresh)
    feed_job = world.bot.services.scheduler._scheduler.get_job("feed:refresh").func
    await feed_job()
    clock.advance(timedelta(hours=2).total_seconds())  # 16:31 ET
    await feed_job()
    assert budgets == [world.bot.services.settings.requests_per_second]


async def test_ready_takes_up_leftover_deliveries_then_starts_the_scheduler_once(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    events: list[str] = []
    services = world.bot.services

    async def resume() -> int:
        events.append("resume")
        return 0

    monkeypatch.setattr(services.router, "resume", resume)
    monkeypatch.setattr(services.scheduler, "start", lambda: events.append("start"))
    await world.bot.on_ready()
    await world.bot.on_ready()  # a reconnect
    assert events == ["resume", "start"]


async def test_close_shuts_everything_down_in_reverse_order(
    settings: Settings, clock: VirtualClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    closed: list[str] = []

    def recording(name: str, close: Callable[..., Any]) -> Callable[..., Any]:
        def wrapper(self: object, *args: Any) -> Any:
            closed.append(name)
            return close(self, *args)

        return wrapper

    monkeypatch.setattr(Database, "close", recording("database", Database.close))
    monkeypatch.setattr(PolygonClient, "close", recording("polygon", PolygonClient.close))
    monkeypatch.setattr(WebhookSink, "close", recording("webhooks", WebhookSink.close))
    monkeypatch.setattr(Scheduler, "stop", recording("scheduler", Scheduler.stop))
    world = await start_bot(settings, partial(open_services, clock=clock))
    await stop_bot(world)
    assert closed == ["scheduler", "webhooks", "polygon", "database"]


async def test_the_commands_only_bot_opens_nothing(db_path: Path) -> None:
    world = await start_bot(Settings(sqlite_path=db_path), open_services=None)
    try:
        assert not hasattr(world.bot, "services")
        assert not any(isinstance(cog, ScannerCog) for cog in world.bot.cogs.values())
        assert not db_path.exists()
    finally:
        await stop_bot(world)


async def test_settings_and_subscriptions_survive_a_restart(
    settings: Settings, clock: VirtualClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    opener = partial(open_services, clock=clock)
    first = await start_bot(settings, opener)
    await as_admin(first, "subscribe", scanner="sweeps", channel=first.channel("alerts"))
    await as_admin(first, "config threshold", scanner="sweeps", premium="2M")
    await stop_bot(first)

    second = await start_bot(settings, opener)
    try:
        shown = await as_admin(second, "config show")
        assert any(field["value"].startswith("Premium ≥ $2.00M*") for field in shown.reply.embeds[0]["fields"])
        listed = await as_member(second, "subscriptions")
        assert listed.reply.embeds[0]["fields"][0]["name"] == "#alerts"

        small = examples.sweeps()  # $1.2M: under this server's $2M
        large = variant(examples.golden_sweeps(), scanner=Scanner.SWEEPS)  # $2.35M

        async def found(scanner: Scanner) -> ScanReport:
            return ScanReport(alerts=[small, large] if scanner is Scanner.SWEEPS else [])

        monkeypatch.setattr(second.bot.services.options, "scan", found)
        sweeps = next(
            cog for cog in second.bot.cogs.values() if isinstance(cog, ScannerCog) and cog.scanner is Scanner.SWEEPS
        )
        posted()
        await sweeps.run()
        assert [message.embeds[0].title for message in posted()] == [render_embed(large).title]
    finally:
        await stop_bot(second)
