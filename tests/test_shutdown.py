"""Stopping on SIGTERM (what Docker, Render and systemd send): runs in flight finish within the
grace, what could not go out stays due, the database is closed whole, and the exit is 0."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from functools import partial
from pathlib import Path

import discord
import pytest

from bot.alerts import Alert
from bot.app import OraklBot
from bot.cli.run import serve
from bot.config import load_settings
from bot.delivery import DiscordChannels
from bot.delivery.outcomes import Posted, PostOutcome
from bot.store import Database, Store
from tests.polygon.stub import PolygonStub, json_reply
from tests.support import alert_examples as examples

REPO = Path(__file__).resolve().parents[1]
GUILD, CHANNEL, MESSAGE = 1001, 2002, 3003
FIRST_ALERT_WITHIN_SECONDS = 120


async def consistent(db_path: Path) -> Store:
    """The database after the process is gone: sound, every alert whole, nothing pending
    that points nowhere. Returns the store, still open, for more questions."""
    db = await Database.open(db_path)
    assert await db.integrity_check() == []  # pages, and every delivery's alert exists
    store = Store(db)
    for stored in await store.alerts.recent(limit=10_000):
        Alert.model_validate_json(stored.payload)
    for delivery in await store.deliveries.pending():
        assert await store.alerts.get(delivery.alert_id) is not None
    return store


def test_sigterm_mid_demo_exits_0_with_every_alert_stored_whole(tmp_path: Path) -> None:
    db, alerts = tmp_path / "demo.db", tmp_path / "alerts.jsonl"
    process = subprocess.Popen(
        [
            sys.executable, "-m", "bot", "demo", "--scenario", str(REPO / "data" / "scenarios" / "quick.json"),
            "--start", "09:58", "--speed", "60", "--duration", "300", "--db", str(db), "--jsonl", str(alerts),
        ],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=tmp_path,
    )  # fmt: skip
    try:
        # Mid-run: once the first alert is out, while scanners and the feed keep going.
        deadline = time.monotonic() + FIRST_ALERT_WITHIN_SECONDS
        while not (alerts.exists() and alerts.read_text()) and process.poll() is None and time.monotonic() < deadline:
            time.sleep(0.2)
        assert process.poll() is None, "the demo ended before it was stopped"
        process.send_signal(signal.SIGTERM)
        out, err = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 0, err[-2000:]
    assert "summary" in out  # it stopped the way the end of its duration does

    async def check() -> tuple[set[str], set[str]]:
        store = await consistent(db)
        stored = {Alert.model_validate_json(row.payload).id for row in await store.alerts.recent(limit=10_000)}
        await store.db.close()
        written = {Alert.model_validate_json(line).id for line in alerts.read_text().splitlines()}
        return stored, written

    stored, written = asyncio.run(check())
    assert stored and stored == written  # each alert both stored and shown, none cut in half


@pytest.fixture
async def polygon() -> AsyncIterator[PolygonStub]:
    server = PolygonStub()
    await server.start()
    server.route("/v1/marketstatus/now", json_reply({"market": "open"}))
    yield server
    await server.close()


@pytest.fixture
def configured(monkeypatch: pytest.MonkeyPatch, polygon: PolygonStub, tmp_path: Path, db_path: Path) -> Path:
    """`python -m bot run`'s settings, from the environment as in production."""
    watchlist = tmp_path / "watchlist.txt"
    watchlist.write_text("SPY 1\n")
    for name, value in {
        "DISCORD_TOKEN": "MTIzNDU2Nzg5.shutdown-token-SECRET", "POLYGON_API_KEY": "pk-shutdown-SECRET-77",
        "ORAKL_POLYGON_BASE_URL": polygon.url, "ORAKL_SQLITE_PATH": str(db_path),
        "ORAKL_WATCHLIST_PATH": str(watchlist),
    }.items():  # fmt: skip
        monkeypatch.setenv(name, value)
    return db_path


@pytest.fixture
def sigterm_guard() -> Iterator[list[int]]:
    """If the command installs no handler of its own, SIGTERM lands here instead of killing
    the test run; the test then sees it in the list."""
    unhandled: list[int] = []
    previous = signal.signal(signal.SIGTERM, lambda signum, frame: unhandled.append(signum))
    yield unhandled
    signal.signal(signal.SIGTERM, previous)


def run_until_closed(routing: asyncio.Event) -> Callable[..., Awaitable[None]]:
    """`OraklBot.start` without Discord: what login and the gateway's READY do, then one
    Sweeps alert routed to a subscribed channel as a scheduled run, then wait to be closed."""

    async def start(self: OraklBot, token: str, *, reconnect: bool = True) -> None:
        await self.setup_hook()
        await self.on_ready()
        services = self.services
        await services.store.subscriptions.subscribe(GUILD, CHANNEL, ["sweeps"])
        run = services.scheduler.guarded("scanner:sweeps", partial(services.router.route, [examples.sweeps()]))
        asyncio.create_task(run())  # the scheduler holds its runs' tasks
        routing.set()
        while not self.is_closed():
            await asyncio.sleep(0.01)

    return start


def posting(into: asyncio.Event, takes: asyncio.Event | None) -> Callable[..., Awaitable[PostOutcome]]:
    """A channel post that is on its way when the signal comes: it finishes after a moment,
    or, with `takes`, only when that is set."""

    async def post(self: DiscordChannels, channel_id: int, embed: discord.Embed) -> PostOutcome:
        into.set()
        if takes is None:
            await asyncio.sleep(0.3)
        else:
            await takes.wait()
        return Posted(MESSAGE)

    return post


async def stop_mid_post(monkeypatch: pytest.MonkeyPatch, takes: asyncio.Event | None = None) -> int:
    routing, in_flight = asyncio.Event(), asyncio.Event()
    monkeypatch.setattr(OraklBot, "start", run_until_closed(routing))
    monkeypatch.setattr(DiscordChannels, "post", posting(in_flight, takes))
    served = asyncio.create_task(serve(load_settings(), None))
    await asyncio.wait_for(in_flight.wait(), 30)
    os.kill(os.getpid(), signal.SIGTERM)
    return await asyncio.wait_for(served, 60)


async def test_sigterm_lets_a_delivery_in_flight_finish_then_closes_the_database(
    configured: Path, monkeypatch: pytest.MonkeyPatch, sigterm_guard: list[int]
) -> None:
    assert await stop_mid_post(monkeypatch) == 0
    assert sigterm_guard == []
    store = await consistent(configured)
    [alert] = await store.alerts.recent()
    async with store.db.read() as connection:
        rows = await (await connection.execute("SELECT status, message_id FROM deliveries")).fetchall()
    await store.db.close()
    assert alert.scanner == "sweeps" and [tuple(row) for row in rows] == [("sent", MESSAGE)]


async def test_a_delivery_that_outlasts_the_grace_stays_due_for_the_next_start(
    configured: Path, monkeypatch: pytest.MonkeyPatch, sigterm_guard: list[int]
) -> None:
    monkeypatch.setattr("bot.app.SHUTDOWN_GRACE_SECONDS", 0.2)
    assert await stop_mid_post(monkeypatch, takes=asyncio.Event()) == 0  # never answers
    assert sigterm_guard == []
    store = await consistent(configured)
    [due] = await store.deliveries.pending()
    [alert] = await store.alerts.recent()
    await store.db.close()
    assert (due.alert_id, due.channel_id) == (alert.id, CHANNEL)
