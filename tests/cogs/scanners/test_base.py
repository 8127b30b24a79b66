"""Scanner cogs (dpytest): each registers its staggered job, and a run posts each alert to the
channels that asked for it, as each server configured it."""

from __future__ import annotations

import importlib
from collections import defaultdict
from datetime import timedelta

import discord
import pytest

from bot.alerts import Alert, Scanner, render_embed
from bot.app import SCANNER_EXTENSIONS
from bot.market.clock import VirtualClock
from bot.scanners.base import ScanReport
from bot.stocks import StockScanReport
from cogs.scanners.base import ScannerCog
from tests.cogs.helpers import as_admin, as_member
from tests.support import alert_examples as examples
from tests.support.alert_examples import variant
from tests.support.discord_bot import World, posted
from tests.support.discord_schema import assert_valid_message


class ScriptedScans:
    """What the next scan of each scanner finds: alerts a test puts in."""

    def __init__(self) -> None:
        self.found: dict[Scanner, list[Alert]] = defaultdict(list)
        self.scans: list[Scanner] = []

    def find(self, *alerts: Alert) -> None:
        for alert in alerts:
            self.found[alert.scanner].append(alert)

    def take(self, scanner: Scanner) -> list[Alert]:
        self.scans.append(scanner)
        return self.found.pop(scanner, [])

    async def options_scan(self, scanner: Scanner) -> ScanReport:
        alerts = self.take(scanner)
        return ScanReport(events=40, candidates=len(alerts), alerts=alerts)

    async def darkpool_scan(self) -> StockScanReport:
        return StockScanReport(Scanner.DARKPOOL, prints=900, alerts=self.take(Scanner.DARKPOOL))

    async def breakouts_scan(self) -> StockScanReport:
        return StockScanReport(Scanner.BREAKOUTS, symbols=6, alerts=self.take(Scanner.BREAKOUTS))


@pytest.fixture
def scans(world: World, monkeypatch: pytest.MonkeyPatch) -> ScriptedScans:
    scripted = ScriptedScans()
    services = world.bot.services
    monkeypatch.setattr(services.options, "scan", scripted.options_scan)
    monkeypatch.setattr(services.stocks, "scan_darkpool", scripted.darkpool_scan)
    monkeypatch.setattr(services.stocks, "scan_breakouts", scripted.breakouts_scan)
    return scripted


def cog(world: World, scanner: Scanner) -> ScannerCog:
    found = [each for each in world.bot.cogs.values() if isinstance(each, ScannerCog) and each.scanner is scanner]
    assert len(found) == 1, f"{scanner} has {len(found)} cogs"
    return found[0]


def sweep(number: int, premium: float) -> Alert:
    return variant(examples.sweeps(), dedup_key=f"O:SPY251219C00{600 + number}000", premium=premium)


def test_every_scanner_of_the_registry_has_its_own_extension_and_cog() -> None:
    for scanner, extension in zip(Scanner, SCANNER_EXTENSIONS):
        module = importlib.import_module(extension)
        cogs = [value for value in vars(module).values() if isinstance(value, type) and issubclass(value, ScannerCog)]
        assert [found.scanner for found in cogs if found.__module__ == extension] == [scanner]


async def test_each_scanner_registers_its_job_at_its_interval_and_stagger(world: World) -> None:
    scheduler = world.bot.services.scheduler
    assert {f"scanner:{scanner.value}" for scanner in Scanner} <= set(scheduler.job_ids())
    sweeps = world.bot.services.settings.scanners.sweeps
    job = scheduler._scheduler.get_job("scanner:sweeps")
    assert job.trigger.interval == timedelta(seconds=sweeps.interval_seconds)
    assert job.trigger.start_date.second == sweeps.stagger_seconds
    assert (job.max_instances, job.coalesce) == (1, True)


async def test_unloading_a_scanner_removes_its_job_and_reloading_adds_it_back(world: World) -> None:
    scheduler = world.bot.services.scheduler
    await world.bot.unload_extension("cogs.scanners.scalps")
    assert "scanner:scalps" not in scheduler.job_ids()
    assert "scanner:sweeps" in scheduler.job_ids()
    await world.bot.load_extension("cogs.scanners.scalps")
    assert "scanner:scalps" in scheduler.job_ids()


@pytest.mark.usefixtures("scans")
async def test_a_run_posts_one_embed_to_each_subscribed_channel_and_nothing_elsewhere(
    world: World, scans: ScriptedScans
) -> None:
    await as_admin(world, "subscribe", scanner="sweeps", channel=world.channel("alerts"))
    await as_admin(world, "subscribe", scanner="darkpool", channel=world.channel("general"))
    await as_admin(world, "subscribe", scanner="sweeps", channel=world.channel("general", 1), guild=1)
    alert = examples.sweeps()
    scans.find(alert)
    await cog(world, Scanner.SWEEPS).run()
    messages = posted()
    assert sorted((message.guild.name, message.channel.name) for message in messages) == [  # type: ignore[union-attr]
        ("Alpha Traders", "alerts"),
        ("Beta Desk", "general"),
    ]
    for message in messages:
        assert [embed.to_dict() for embed in message.embeds] == [render_embed(alert).to_dict()]
        assert_valid_message({"embeds": [embed.to_dict() for embed in message.embeds]})


@pytest.mark.usefixtures("scans")
async def test_two_servers_with_different_thresholds_get_different_alerts_from_one_run(
    world: World, scans: ScriptedScans
) -> None:
    await as_admin(world, "subscribe", scanner="sweeps", channel=world.channel("alerts"))
    await as_admin(world, "subscribe", scanner="sweeps", channel=world.channel("alerts", 1), guild=1)
    await as_admin(world, "config threshold", scanner="sweeps", premium="1M", guild=1)
    small, large = sweep(1, premium=120_000), sweep(2, premium=3_400_000)
    scans.find(small, large)
    await cog(world, Scanner.SWEEPS).run()
    received: dict[str, list[str | None]] = defaultdict(list)
    for message in posted():
        received[message.guild.name].append(message.embeds[0].title)  # type: ignore[union-attr]
    assert received == {
        "Alpha Traders": [render_embed(small).title, render_embed(large).title],
        "Beta Desk": [render_embed(large).title],
    }


@pytest.mark.usefixtures("scans")
async def test_stock_scanners_post_through_the_same_router(world: World, scans: ScriptedScans) -> None:
    await as_admin(world, "subscribe", scanner="all", channel=world.channel("alerts"))
    scans.find(examples.darkpool(), examples.breakouts())
    await cog(world, Scanner.DARKPOOL).run()
    await cog(world, Scanner.BREAKOUTS).run()
    titles = [message.embeds[0].title for message in posted()]
    assert titles == [render_embed(examples.darkpool()).title, render_embed(examples.breakouts()).title]


@pytest.mark.usefixtures("scans")
async def test_options_scanners_do_not_scan_outside_the_options_session(
    world: World, scans: ScriptedScans, clock: VirtualClock
) -> None:
    clock.advance(3 * 3600)  # 17:31 ET: the options session closed at 16:00
    await cog(world, Scanner.SWEEPS).run()
    await cog(world, Scanner.DARKPOOL).run()
    assert scans.scans == [Scanner.DARKPOOL]


@pytest.mark.usefixtures("scans")
async def test_a_run_remembers_what_it_saw_for_the_last_hour(world: World, scans: ScriptedScans) -> None:
    sweeps = cog(world, Scanner.SWEEPS)
    scans.find(sweep(1, 60_000), sweep(2, 70_000))
    await sweeps.run()
    await sweeps.run()
    now = world.bot.services.clock.now()
    assert (sweeps.last_hour(now).events, sweeps.last_hour(now).alerts) == (80, 2)
    assert sweeps.last_hour(now + timedelta(hours=1, seconds=1)).events == 0


async def test_a_disabled_scanner_registers_no_job(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(world.bot.services.settings.scanners.bullseye, "enabled", False)
    await world.bot.reload_extension("cogs.scanners.bullseye")
    assert "scanner:bullseye" not in world.bot.services.scheduler.job_ids()
    assert "scanner:scalps" in world.bot.services.scheduler.job_ids()


@pytest.mark.usefixtures("scans")
async def test_a_channel_that_lost_its_permissions_breaks_alone_and_says_why(
    world: World, scans: ScriptedScans
) -> None:
    alerts, general = world.channel("alerts"), world.channel("general")
    await as_admin(world, "subscribe", scanner="sweeps", channel=alerts)
    await as_admin(world, "subscribe", scanner="sweeps", channel=general)
    # Later someone takes Embed Links away from ORAKL in #alerts.
    world.deny_bot(alerts, discord.Permissions(embed_links=True))
    scans.find(sweep(1, 80_000))
    await cog(world, Scanner.SWEEPS).run()
    scans.find(sweep(2, 90_000))
    await cog(world, Scanner.SWEEPS).run()
    assert [message.channel.name for message in posted()] == ["general", "general"]  # type: ignore[union-attr]
    listing = await as_member(world, "subscriptions")
    fields = {field["name"]: field["value"] for field in listing.reply.embeds[0]["fields"]}
    assert fields["#alerts"] == "Sweeps\n⚠️ broken: missing permissions: Embed Links"
    assert fields["#general"] == "Sweeps\n✅ healthy"
