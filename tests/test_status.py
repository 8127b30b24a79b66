"""The status snapshot: what the running services measured, secrets scrubbed, recorded in the
database by the status job and read back whole."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest

from bot.alerts import Scanner
from bot.app import STATUS_JOB
from bot.market.clock import VirtualClock
from bot.scanners.base import ScanReport
from bot.status import (
    STATE_KEY,
    ApiStatus,
    FeedStatus,
    ScannerState,
    StatusSnapshot,
    TierLag,
    load_snapshot,
    save_snapshot,
)
from tests.polygon.stub import PolygonStub, json_reply
from tests.support import alert_examples as examples
from tests.support.discord_bot import API_KEY, World, clock, polygon, settings, world

__all__ = ["clock", "polygon", "settings", "world"]  # the fixtures this module uses

STATUS_PATH = "/v1/marketstatus/now"
FAILURE = f"chain fetch refused for key {API_KEY}"


async def run_job(world: World, job_id: str) -> None:
    """One run of a scheduled job exactly as the scheduler makes it (health recorded)."""
    await world.bot.services.scheduler._scheduler.get_job(job_id).func()


async def measurable_day(world: World, clock: VirtualClock, polygon: PolygonStub, monkeypatch: pytest.MonkeyPatch) -> None:
    """A bot that did something of everything the snapshot measures:
    - 90 s of uptime in all;
    - 3 Polygon requests in the last 10 s: one refused as not found (an error), one 429, one answered;
    - a VolumeCache that found a baseline on 3 of 4 lookups;
    - every tier-1 symbol (SPY, QQQ) refreshed 6 s ago, no other tier refreshed yet;
    - Sweeps raised one alert from 40 events; Scalps failed, its error naming the API key;
    - one broken subscription."""
    services = world.bot.services
    clock.advance(80)
    polygon.route(STATUS_PATH, json_reply({"status": "ERROR", "error": "gone"}, status=404))
    with pytest.raises(Exception):
        await clock.run(services.polygon.market_status())
    polygon.route(STATUS_PATH, json_reply({}, status=429), json_reply({"market": "open"}))
    await clock.run(services.polygon.market_status())

    cache = services.options.cache
    for volume in (100, 110, 120, 130):
        cache.observe("SPY", "O:SPY250620C00600000", date(2025, 6, 12), volume, 2.0, clock.now(),
                      refreshed_at=clock.monotonic())  # fmt: skip

    clock.advance(84 - clock.monotonic())
    for symbol in ("SPY", "QQQ"):
        services.options.planner.record(symbol, pages=1, events=0)
    clock.advance(6)

    async def scan(scanner: Scanner) -> ScanReport:
        if scanner is Scanner.SCALPS:
            raise RuntimeError(FAILURE)
        return ScanReport(events=40, alerts=[examples.sweeps()] if scanner is Scanner.SWEEPS else [])

    monkeypatch.setattr(services.options, "scan", scan)
    await run_job(world, "scanner:sweeps")
    await run_job(world, "scanner:scalps")

    await services.store.subscriptions.subscribe(1, 2, ["sweeps"])
    await services.store.subscriptions.mark_broken(2, "Missing Access (HTTP 403)")


def scanner(snapshot: StatusSnapshot, name: Scanner) -> dict[str, object]:
    [found] = [entry for entry in snapshot.scanners if entry.scanner is name]
    return found.model_dump()


async def test_the_snapshot_reports_what_the_bot_measured(
    world: World, clock: VirtualClock, polygon: PolygonStub, monkeypatch: pytest.MonkeyPatch
) -> None:
    await measurable_day(world, clock, polygon, monkeypatch)
    snapshot = await world.bot.status_snapshot()

    assert snapshot.api.requests == 3 and snapshot.api.requests_last_minute == 3
    assert snapshot.api.rate_limited == 1
    assert snapshot.api.errors == {"not_found": 1}
    assert snapshot.api.error_rate == pytest.approx(1 / 3)
    assert snapshot.api.budget_per_minute == 20 * 60
    assert snapshot.feed.volume_cache_hit_rate == pytest.approx(0.75)
    lags = {tier.tier: tier.lag_seconds for tier in snapshot.feed.tiers}
    assert lags[1] == pytest.approx(6.0) and lags[2] is None and lags[3] is None
    sweeps = scanner(snapshot, Scanner.SWEEPS)
    assert sweeps["runs"] == 1 and sweeps["events_last_hour"] == 40 and sweeps["alerts_last_hour"] == 1
    assert sweeps["interval_seconds"] == 15 and sweeps["last_error"] is None
    scalps = scanner(snapshot, Scanner.SCALPS)
    assert scalps["failures"] == 1 and scalps["alerts_last_hour"] == 0
    assert snapshot.broken_subscriptions == 1
    assert snapshot.uptime == timedelta(seconds=90)
    assert snapshot.degraded  # Scalps is failing



async def test_memory_is_what_the_process_holds_now(world: World) -> None:
    before = (await world.bot.status_snapshot()).rss_bytes
    held = b"x" * 80_000_000  # written, so resident
    after = (await world.bot.status_snapshot()).rss_bytes
    assert len(held) and after - before >= 70_000_000


async def test_no_secret_reaches_the_snapshot(
    world: World, clock: VirtualClock, polygon: PolygonStub, monkeypatch: pytest.MonkeyPatch
) -> None:
    await measurable_day(world, clock, polygon, monkeypatch)
    world.bot.failed_extensions["cogs.flow"] = f"ExtensionFailed: token {API_KEY} refused"
    snapshot = await world.bot.status_snapshot()
    text = snapshot.model_dump_json()
    assert API_KEY not in text
    assert scanner(snapshot, Scanner.SCALPS)["last_error"] == "RuntimeError: chain fetch refused for key ***"
    assert snapshot.not_loaded == {"cogs.flow": "ExtensionFailed: token *** refused"}


async def test_the_status_job_records_the_snapshot_and_it_reads_back_whole(
    world: World, clock: VirtualClock, polygon: PolygonStub, monkeypatch: pytest.MonkeyPatch
) -> None:
    await measurable_day(world, clock, polygon, monkeypatch)
    state = world.bot.services.store.state
    assert await load_snapshot(state) is None
    await run_job(world, STATUS_JOB)
    recorded = await load_snapshot(state)
    assert recorded is not None
    assert recorded.taken_at == clock.now()
    now = await world.bot.status_snapshot()
    # Nothing moved on the clock since, so only memory may differ.
    assert recorded == now.model_copy(update={"rss_bytes": recorded.rss_bytes})
    assert json.loads(recorded.model_dump_json())["scanners"][0]["scanner"] == "flow"


async def test_a_disabled_scanner_and_one_that_did_not_load_say_so(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(world.bot.services.settings.scanners.breakouts, "enabled", False)
    await world.bot.reload_extension("cogs.scanners.breakouts")
    await world.bot.unload_extension("cogs.scanners.darkpool")
    snapshot = await world.bot.status_snapshot()
    states = {entry.scanner: entry.state for entry in snapshot.scanners}
    assert states[Scanner.BREAKOUTS] is ScannerState.DISABLED
    assert states[Scanner.DARKPOOL] is ScannerState.NOT_LOADED
    assert states[Scanner.FLOW] is ScannerState.RUNNING
    assert snapshot.degraded


async def test_a_snapshot_from_another_version_is_refused_not_misread(world: World) -> None:
    state = world.bot.services.store.state
    await state.set(STATE_KEY, {"taken_at": "2025-06-12T18:31:20Z", "rss_megabytes": 120})
    with pytest.raises(ValueError):
        await load_snapshot(state)


async def test_a_snapshot_is_stale_after_three_missed_intervals(world: World, clock: VirtualClock) -> None:
    snapshot = await world.bot.status_snapshot()
    interval = world.bot.services.settings.status_interval_seconds
    assert not snapshot.is_stale(clock.now() + timedelta(seconds=3 * interval))
    assert snapshot.is_stale(clock.now() + timedelta(seconds=3 * interval + 1))


def hand_written(**changes: object) -> StatusSnapshot:
    base = StatusSnapshot.model_validate_json(SNAPSHOT_JSON)
    return base.model_copy(update=changes)


# A snapshot as the bot records it (hand-written: the renderings are tested against it).
SNAPSHOT_JSON = json.dumps({
    "taken_at": "2025-06-12T18:31:20Z", "started_at": "2025-06-12T16:00:00Z", "interval_seconds": 60,
    "scheduler_running": True, "scanners": [], "rss_bytes": 120_000_000, "broken_subscriptions": 0,
    "held_for_digest": 0, "guilds": 3, "not_loaded": {},
    "feed": {"tiers": [{"tier": 1, "lag_seconds": 12.4, "promised_seconds": 15.0}], "volume_cache_hit_rate": 0.82},
    "api": {"requests_last_minute": 240, "budget_per_minute": 300.0, "requests": 5000, "rate_limited": 2,
            "retries": 2, "errors": {"timeout": 5}, "response_cache_hit_rate": 0.4},
})  # fmt: skip


def test_the_renderings_say_what_is_off_target() -> None:
    healthy = hand_written()
    assert healthy.feed.summary() == "tier 1: 12 s (every 15 s) · VolumeCache hits 82% (target > 70%)"
    assert healthy.api.summary() == (
        "240 requests in the last minute (budget 300/min) · 2 rate-limited (429) · 5 errors (0% of requests)"
        " · cache hits 40%"
    )
    assert healthy.bot_summary() == "memory 120 MB (target < 300 MB) · up 2h 31m · 3 servers"
    strained = hand_written(
        rss_bytes=412_000_000, feed=FeedStatus(tiers=[], volume_cache_hit_rate=0.55),
        api=ApiStatus.model_validate({**healthy.api.model_dump(), "errors": {"timeout": 500}}),
    )  # fmt: skip
    assert strained.bot_summary().startswith("⚠️ memory 412 MB (target < 300 MB)")
    assert strained.feed.summary() == "no symbols on the watchlist · ⚠️ VolumeCache hits 55% (target > 70%)"
    assert "500 errors (10% of requests)" in strained.api.summary()


async def test_save_and_load_round_trip_a_hand_written_snapshot(world: World) -> None:
    snapshot = hand_written()
    await save_snapshot(world.bot.services.store.state, snapshot)
    assert await load_snapshot(world.bot.services.store.state) == snapshot


def test_a_feed_far_behind_in_session_is_degraded_but_not_overnight() -> None:
    stalled = [TierLag(tier=1, lag_seconds=300.0, promised_seconds=15.0)]
    in_session = hand_written(feed=FeedStatus(tiers=stalled, volume_cache_hit_rate=0.8, options_open=True))
    overnight = hand_written(feed=FeedStatus(tiers=stalled, volume_cache_hit_rate=0.8, options_open=False))
    assert in_session.degraded and in_session.feed.summary().startswith("⚠️ behind its promised refresh")
    assert not overnight.degraded
    assert not hand_written().degraded  # 12 s against a 15 s promise
