"""`python -m bot invite`: the link with the permissions ORAKL needs, for the configured app."""

from __future__ import annotations

import pytest

from bot.cli import main


def test_invite_prints_the_oauth_link(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("ORAKL_DISCORD_APPLICATION_ID", "987654321098765432")
    assert main(["invite"]) == 0
    assert capsys.readouterr().out == (
        "https://discord.com/oauth2/authorize?client_id=987654321098765432"
        "&scope=bot+applications.commands&permissions=117760\n"
    )


def test_without_an_application_id_it_says_where_to_find_one(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["invite"]) == 2
    assert capsys.readouterr().err.startswith("ORAKL_DISCORD_APPLICATION_ID is not set: copy the Application ID")
