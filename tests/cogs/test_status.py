"""`/status`: what runs, what fails, what is broken, and the API budget, in one private embed."""

from __future__ import annotations

import pytest

from bot.alerts import Scanner
from bot.scanners.base import ScanReport
from tests.cogs.helpers import as_admin, as_member
from tests.support import alert_examples as examples
from tests.support.discord_bot import World
from tests.support.discord_schema import assert_valid_embed


async def run_job(world: World, job_id: str) -> None:
    """One run of a scheduled job exactly as the scheduler makes it (health recorded)."""
    await world.bot.services.scheduler._scheduler.get_job(job_id).func()


async def status_fields(world: World) -> tuple[str, dict[str, str]]:
    conversation = await as_member(world, "status")
    assert conversation.reply.ephemeral
    [embed] = conversation.reply.embeds
    assert_valid_embed(embed)
    return embed["title"], {field["name"]: field["value"] for field in embed["fields"]}


def line_of(scanners: str, scanner: Scanner) -> str:
    [line] = [line for line in scanners.splitlines() if line.startswith(f"**{scanner.label}**")]
    return line


async def test_a_healthy_bot_reports_each_scanner_and_the_budget(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    async def found_one(scanner: Scanner) -> ScanReport:
        return ScanReport(events=40, alerts=[examples.sweeps()] if scanner is Scanner.SWEEPS else [])

    monkeypatch.setattr(world.bot.services.options, "scan", found_one)
    await run_job(world, "scanner:sweeps")
    title, fields = await status_fields(world)
    assert title == "ORAKL status: all good"
    sweeps = line_of(fields["Scanners"], Scanner.SWEEPS)
    assert "last run" in sweeps and "40 events, 1 alert in the last hour" in sweeps
    assert "not run yet" in line_of(fields["Scanners"], Scanner.BULLSEYE)
    assert fields["Options feed"].startswith("tier 1: not refreshed yet (every 15 s)")
    assert fields["Polygon API"].startswith("0 requests in the last minute (budget 1,200/min) · 0 rate-limited (429)")
    assert fields["Channels"].startswith("every subscribed channel here is healthy")


async def test_a_failing_scanner_shows_its_error_and_the_bot_as_degraded(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def failing(scanner: Scanner) -> ScanReport:
        raise RuntimeError("chain decode failed")

    monkeypatch.setattr(world.bot.services.options, "scan", failing)
    await run_job(world, "scanner:scalps")
    title, fields = await status_fields(world)
    assert title == "ORAKL status: degraded"
    assert "⚠️ failing (1 failed run): RuntimeError: chain decode failed" in line_of(fields["Scanners"], Scanner.SCALPS)


async def test_a_broken_channel_is_listed_with_its_reason(world: World) -> None:
    alerts = world.channel("alerts")
    await as_admin(world, "subscribe", scanner="sweeps", channel=alerts)
    await world.bot.services.store.subscriptions.mark_broken(alerts.id, "Missing Access (HTTP 403)")
    title, fields = await status_fields(world)
    assert title == "ORAKL status: degraded"
    assert f"⚠️ <#{alerts.id}>: Missing Access (HTTP 403)" in fields["Channels"]


async def test_another_servers_broken_channel_is_not_shown_here(world: World) -> None:
    theirs = world.channel("alerts", guild=1)
    await as_admin(world, "subscribe", scanner="sweeps", channel=theirs, guild=1)
    await world.bot.services.store.subscriptions.mark_broken(theirs.id, "Missing Access (HTTP 403)")
    title, fields = await status_fields(world)
    assert str(theirs.id) not in fields["Channels"] and title == "ORAKL status: all good"


async def test_a_disabled_scanner_says_so(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(world.bot.services.settings.scanners.breakouts, "enabled", False)
    await world.bot.reload_extension("cogs.scanners.breakouts")
    _, fields = await status_fields(world)
    assert line_of(fields["Scanners"], Scanner.BREAKOUTS) == "**Breakouts** · disabled in settings"
