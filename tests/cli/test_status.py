"""`python -m bot status`: what a running bot recorded, read from its SQLite file by another
process; clear when there is nothing to read or what there is has gone stale."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path

import pytest

from bot.alerts import Scanner
from bot.app import STATUS_JOB, open_services
from bot.cli import main
from bot.config import Settings
from bot.market.clock import VirtualClock
from bot.scanners.base import ScanReport
from bot.status import StatusSnapshot, load_snapshot, save_snapshot
from bot.store import Database, Store
from tests.support.discord_bot import API_KEY, World, polygon, settings, start_bot, stop_bot

__all__ = ["polygon", "settings"]  # the fixtures this module uses


@pytest.fixture
def clock() -> VirtualClock:
    """The bot's clock at the wall's time: the command judges staleness by the wall."""
    return VirtualClock(datetime.now(UTC))


@pytest.fixture
async def world(settings: Settings, clock: VirtualClock) -> AsyncIterator[World]:
    started = await start_bot(settings, partial(open_services, clock=clock))
    yield started
    await stop_bot(started)


async def run_job(world: World, job_id: str) -> None:
    """One run of a job exactly as the scheduler makes it, in a task of its own as APScheduler
    runs it (stopping the scheduler waits for its runs' tasks: never the test's own)."""
    await asyncio.create_task(world.bot.services.scheduler._scheduler.get_job(job_id).func())


async def record_status(world: World) -> None:
    """One run of the status job while the scheduler runs."""
    scheduler = world.bot.services.scheduler
    scheduler.start()
    try:
        await run_job(world, STATUS_JOB)
    finally:
        await scheduler.stop(grace_seconds=1)


async def status(db: Path, monkeypatch: pytest.MonkeyPatch, *args: str) -> int:
    monkeypatch.setenv("ORAKL_SQLITE_PATH", str(db))
    # `main` calls asyncio.run; a thread of its own keeps it off the test's loop.
    return await asyncio.to_thread(main, ["status", *args])


async def test_it_shows_what_the_running_bot_recorded(
    world: World, db_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    await record_status(world)
    assert await status(db_path, monkeypatch) == 0
    out = capsys.readouterr().out
    first, *rest = out.splitlines()
    assert first.startswith("ORAKL status: all good · recorded ") and first.endswith("· scheduler running")
    assert "  ORAKL Flow     every 15 s · not run yet · 0 events, 0 alerts in the last hour" in rest
    assert any(line.startswith("Options feed   tier 1: not refreshed yet (every 15 s)") for line in rest)
    assert any(line.startswith("Polygon API    0 requests in the last minute (budget 1,200/min)") for line in rest)
    assert any(line.startswith("Bot            memory ") for line in rest)


async def test_json_is_the_recorded_snapshot_exactly(
    world: World, db_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    await record_status(world)
    recorded = await load_snapshot(world.bot.services.store.state)
    assert await status(db_path, monkeypatch, "--json") == 0
    out = capsys.readouterr().out
    assert StatusSnapshot.model_validate_json(out) == recorded
    assert json.loads(out)["interval_seconds"] == 60


async def test_a_degraded_bot_says_so_and_exits_1_without_showing_secrets(
    world: World, db_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    async def failing(scanner: Scanner) -> ScanReport:
        raise RuntimeError(f"refused key {API_KEY}")

    monkeypatch.setattr(world.bot.services.pipeline, "run_scanner", failing)
    await run_job(world, "scanner:flow")
    await record_status(world)
    assert await status(db_path, monkeypatch) == 1
    out = capsys.readouterr().out
    assert out.startswith("ORAKL status: degraded")
    assert "⚠️ failing (1 failed run): RuntimeError: refused key ***" in out and API_KEY not in out


async def test_a_snapshot_the_bot_stopped_refreshing_is_called_stale(
    world: World, clock: VirtualClock, db_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    # Recorded ten minutes ago by the wall: ten intervals missed.
    snapshot = await world.bot.status_snapshot()
    old = snapshot.model_copy(update={"taken_at": clock.now() - timedelta(minutes=10)})
    await save_snapshot(world.bot.services.store.state, old)
    assert await status(db_path, monkeypatch) == 1
    first = capsys.readouterr().out.splitlines()[0]
    assert first.startswith("⚠️ stale: recorded 10 min ago, and the bot records one every 60 s"), first
    assert "it has missed 3 and is probably not running" in first
    assert await status(db_path, monkeypatch, "--json") == 1
    output = capsys.readouterr()
    assert StatusSnapshot.model_validate_json(output.out).taken_at < clock.now()
    assert output.err.startswith("⚠️ stale")


async def test_no_database_is_a_clear_message_and_creates_none(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "nowhere" / "orakl.db"
    assert await status(missing, monkeypatch) == 1
    assert capsys.readouterr().err == (
        f"no ORAKL database at {missing}: the bot has not run with this ORAKL_SQLITE_PATH.\n"
    )
    assert not missing.parent.exists()


async def test_a_database_without_a_snapshot_says_how_one_gets_there(
    db_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    async with await Database.open(db_path) as db:
        assert await Store(db).state.get("status.snapshot") is None
    assert await status(db_path, monkeypatch) == 1
    err = capsys.readouterr().err
    assert err.startswith(f"no status recorded in {db_path} yet: a running bot (`python -m bot run`)")
