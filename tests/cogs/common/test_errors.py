"""The one `tree.on_error`: a short private answer per kind of failure, and ORAKL's own
failures logged with an id the user can quote."""

from __future__ import annotations

import logging
import re

import discord
import pytest
from discord import app_commands

from cogs.common.errors import known_reply
from tests.cogs.helpers import as_member
from tests.support.discord_bot import World


def test_each_kind_of_refusal_has_its_own_answer() -> None:
    cooldown = app_commands.CommandOnCooldown(app_commands.Cooldown(1, 30), retry_after=12.2)
    assert known_reply(cooldown) == "Slow down: try again in 12 s."
    assert (
        known_reply(app_commands.BotMissingPermissions(["embed_links"]))
        == "ORAKL needs the Embed Links permission here."
    )
    assert known_reply(app_commands.MissingPermissions(["manage_guild"])) == (
        "You need the Manage Server permission to use this command."
    )
    assert known_reply(app_commands.NoPrivateMessage()) == "This command works in a server, not in direct messages."
    assert known_reply(app_commands.CheckFailure()) == "You cannot use this command here."
    transform = app_commands.TransformerError("abc", discord.AppCommandOptionType.integer, app_commands.Transformer())
    assert known_reply(transform) == "'abc' is not a valid integer."
    assert known_reply(app_commands.AppCommandError("boom")) is None


async def test_an_unexpected_failure_is_logged_with_an_id_the_user_is_given(
    world: World, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    async def broken(guild_id: int) -> list[object]:
        raise RuntimeError("database is locked")

    monkeypatch.setattr(world.bot.services.store.subscriptions, "for_guild", broken)
    with caplog.at_level(logging.ERROR):
        conversation = await as_member(world, "subscriptions")
    assert conversation.reply.ephemeral
    match = re.fullmatch(r"Something went wrong on ORAKL's side \(error id `([0-9a-f]{8})`\)\. It has been logged\.",
                         conversation.reply.content)  # fmt: skip
    assert match is not None
    [record] = [record for record in caplog.records if record.name == "cogs.common.errors"]
    assert record.context == {  # type: ignore[attr-defined]
        "error_id": match[1], "command": "subscriptions", "guild": world.guild().id, "user": world.member("member").id,
    }  # fmt: skip
    assert record.exc_info is not None and "database is locked" in str(record.exc_info[1])
    assert "database is locked" not in conversation.reply.content
