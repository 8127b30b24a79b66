"""`python -m bot sync [--guild ID]`: publishes the command tree, without the database or API."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import discord
import pytest
from discord import app_commands

from bot.app import OraklBot
from bot.cli import main

TOKEN = "MTIzNDU2Nzg5.sync-token-SECRET"


@pytest.fixture
def discord_api(monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """Login and sync as Discord would answer them, recorded."""
    seen: dict[str, Any] = {}

    async def login(self: OraklBot, token: str) -> None:
        seen["token"] = token
        await self.setup_hook()

    async def sync(self: app_commands.CommandTree[Any], *, guild: discord.abc.Snowflake | None = None) -> list[Any]:
        seen["guild"] = guild
        seen["synced"] = self.get_commands(guild=guild)
        return seen["synced"]

    monkeypatch.setattr(OraklBot, "login", login)
    monkeypatch.setattr(app_commands.CommandTree, "sync", sync)
    return seen


def test_sync_publishes_every_command_globally(
    discord_api: dict[str, Any], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    monkeypatch.setenv("DISCORD_TOKEN", TOKEN)
    monkeypatch.setenv("ORAKL_SQLITE_PATH", str(tmp_path / "orakl.db"))
    assert main(["sync"]) == 0
    assert discord_api["token"] == TOKEN and discord_api["guild"] is None
    names = sorted(command.name for command in discord_api["synced"])
    assert names == ["config", "flow", "help", "status", "subscribe", "subscriptions", "unsubscribe"]
    assert capsys.readouterr().out.startswith("Synced 7 commands to every server")
    assert not (tmp_path / "orakl.db").exists()  # no database, and no Polygon key needed


def test_sync_to_one_server_copies_the_commands_there(
    discord_api: dict[str, Any], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DISCORD_TOKEN", TOKEN)
    assert main(["sync", "--guild", "123456789012345678"]) == 0
    assert discord_api["guild"].id == 123456789012345678
    assert len(discord_api["synced"]) == 7
    assert capsys.readouterr().out.startswith("Synced 7 commands to server 123456789012345678")


def test_sync_needs_the_token(discord_api: dict[str, Any], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["sync"]) == 2
    assert capsys.readouterr().err.startswith("DISCORD_TOKEN is not set")
    assert discord_api == {}
