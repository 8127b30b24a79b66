"""`python -m bot run`: refuses to start without its secrets or with a key Polygon refuses,
saying which and where to set it, and never shows a secret."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import discord
import pytest

from bot.app import OraklBot
from bot.cli import main
from tests.cli.logging_setup import LoggingCalls, record_logging_setup
from tests.polygon.stub import PolygonStub, json_reply

TOKEN = "MTIzNDU2Nzg5.discord-token-SECRET"
KEY = "pk-run-test-SECRET-0042"
STATUS_PATH = "/v1/marketstatus/now"


@pytest.fixture
async def polygon() -> AsyncIterator[PolygonStub]:
    server = PolygonStub()
    await server.start()
    yield server
    await server.close()


@pytest.fixture
def configured(monkeypatch: pytest.MonkeyPatch, polygon: PolygonStub, tmp_path: Path) -> Path:
    monkeypatch.setenv("DISCORD_TOKEN", TOKEN)
    monkeypatch.setenv("POLYGON_API_KEY", KEY)
    monkeypatch.setenv("ORAKL_POLYGON_BASE_URL", polygon.url)
    monkeypatch.setenv("ORAKL_HTTP_MAX_RETRIES", "0")
    database = tmp_path / "orakl.db"
    monkeypatch.setenv("ORAKL_SQLITE_PATH", str(database))
    return database


@pytest.fixture(autouse=True)
def logging_setup(monkeypatch: pytest.MonkeyPatch) -> LoggingCalls:
    return record_logging_setup(monkeypatch, "run")


@pytest.fixture
def started(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The tokens the bot was started with (nothing connects to Discord in tests)."""
    tokens: list[str] = []

    async def start(self: OraklBot, token: str, *, reconnect: bool = True) -> None:
        tokens.append(token)

    monkeypatch.setattr(OraklBot, "start", start)
    return tokens


async def run_bot(*args: str) -> int:
    # `main` calls asyncio.run; run it in a thread so the stub keeps serving on this loop.
    return await asyncio.to_thread(main, ["run", *args])


@pytest.mark.parametrize("unset", ["DISCORD_TOKEN", "POLYGON_API_KEY"])
async def test_a_missing_secret_is_named_with_where_to_set_it(
    configured: Path,
    started: list[str],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    unset: str,
) -> None:
    monkeypatch.delenv(unset)
    assert await run_bot() == 2
    error = capsys.readouterr().err
    assert error == f"{unset} is not set: set it in .env (see .env.example) or in the environment.\n"
    assert started == [] and not configured.exists()


async def test_both_missing_are_both_named(started: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    assert await run_bot() == 2
    assert [line.split()[0] for line in capsys.readouterr().err.splitlines()] == ["DISCORD_TOKEN", "POLYGON_API_KEY"]


@pytest.mark.parametrize("status", [401, 403])
async def test_a_refused_key_stops_start_up_with_a_clear_message(
    configured: Path, started: list[str], polygon: PolygonStub, capsys: pytest.CaptureFixture[str], status: int
) -> None:
    polygon.route(STATUS_PATH, json_reply({"status": "ERROR", "error": "Unknown API Key"}, status=status))
    assert await run_bot() == 2
    output = capsys.readouterr()
    assert output.err.splitlines()[-1].startswith(f"Polygon refused POLYGON_API_KEY (HTTP {status}); check the key")
    assert KEY not in output.err + output.out and TOKEN not in output.err + output.out
    assert started == []
    assert polygon.requests_to(STATUS_PATH)[0].authorization == f"Bearer {KEY}"


async def test_an_accepted_key_starts_the_bot_with_the_token(
    configured: Path, started: list[str], polygon: PolygonStub
) -> None:
    polygon.route(STATUS_PATH, json_reply({"market": "open", "serverTime": "2025-06-12T14:31:20-04:00"}))
    assert await run_bot() == 0
    assert started == [TOKEN]


async def test_every_secret_is_redacted_from_the_logs(
    configured: Path, started: list[str], polygon: PolygonStub, monkeypatch: pytest.MonkeyPatch,
    logging_setup: LoggingCalls,
) -> None:  # fmt: skip
    webhook = "https://discord.com/api/webhooks/1/webhook-SECRET-token"
    monkeypatch.setenv("ORAKL_WEBHOOK_SWEEPS", webhook)
    polygon.route(STATUS_PATH, json_reply({"market": "open"}))
    assert await run_bot() == 0
    [(level, secrets)] = logging_setup
    assert level == "INFO" and set(secrets) == {TOKEN, KEY, webhook}


async def test_a_polygon_outage_at_start_up_does_not_stop_the_bot(
    configured: Path, started: list[str], polygon: PolygonStub
) -> None:
    polygon.route(STATUS_PATH, json_reply({"status": "ERROR"}, status=503))
    assert await run_bot() == 0
    assert started == [TOKEN]


async def test_a_missing_watchlist_stops_start_up_with_its_path(
    configured: Path, polygon: PolygonStub, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
) -> None:  # fmt: skip
    polygon.route(STATUS_PATH, json_reply({"market": "open"}))
    monkeypatch.setenv("ORAKL_WATCHLIST_PATH", str(tmp_path / "nowhere.txt"))

    async def start(self: OraklBot, token: str, *, reconnect: bool = True) -> None:
        await self.setup_hook()  # what login() does before connecting to the gateway

    monkeypatch.setattr(OraklBot, "start", start)
    assert await run_bot() == 2
    assert capsys.readouterr().err.splitlines()[-1].startswith(f"cannot start: cannot read watchlist {tmp_path}")


async def test_a_token_discord_refuses_is_a_clear_message(
    configured: Path, polygon: PolygonStub, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    polygon.route(STATUS_PATH, json_reply({"market": "open"}))

    async def refused(self: OraklBot, token: str, *, reconnect: bool = True) -> None:
        raise discord.LoginFailure("Improper token has been passed.")

    monkeypatch.setattr(OraklBot, "start", refused)
    assert await run_bot() == 2
    err = capsys.readouterr().err
    assert err.startswith("Discord rejected DISCORD_TOKEN") and TOKEN not in err
