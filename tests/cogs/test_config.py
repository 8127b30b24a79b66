"""`/config`: an admin tunes what the server receives; bad input and non-admins change nothing."""

from __future__ import annotations

from typing import Any

import pytest

from bot.alerts import Scanner
from bot.store import Store
from tests.cogs.helpers import as_admin, as_member, stored
from tests.support.discord_bot import World
from tests.support.discord_schema import assert_valid_embed, assert_valid_interaction_response


def store_of(world: World) -> Store:
    return world.bot.services.store


async def overrides(world: World, guild: int = 0) -> dict[str, dict[str, Any]]:
    found = await store_of(world).guild_settings.get(world.guild(guild).id)
    return {scanner: dict(values) for scanner, values in found.scanners.items()}


@pytest.mark.parametrize(
    ("typed", "dollars"), [("50000", 50_000), ("50k", 50_000), ("$1.5M", 1_500_000), ("2,500,000", 2_500_000)]
)
async def test_threshold_accepts_amounts_as_people_type_them(world: World, typed: str, dollars: float) -> None:
    conversation = await as_admin(world, "config threshold", scanner="golden_sweeps", premium=typed)
    assert conversation.reply.ephemeral
    assert_valid_interaction_response(conversation.first.payload)
    assert await overrides(world) == {"golden_sweeps": {"min_premium": dollars}}
    assert world.bot.services.guild_config.filter_for(world.guild().id, Scanner.GOLDEN_SWEEPS).min_dollars == dollars


async def test_the_darkpool_threshold_is_its_notional(world: World) -> None:
    conversation = await as_admin(world, "config threshold", scanner="darkpool", premium="$2M")
    assert "notional of at least $2.00M" in conversation.reply.content
    assert await overrides(world) == {"darkpool": {"min_notional": 2_000_000}}


async def test_dte_and_score_are_stored_for_that_scanner_and_server_only(world: World) -> None:
    await as_admin(world, "config dte", scanner="bullseye", min=14, max=45)
    conversation = await as_admin(world, "config score", scanner="bullseye", min=65)
    assert "score of at least 65" in conversation.reply.content
    assert await overrides(world) == {"bullseye": {"min_dte": 14, "max_dte": 45, "min_score": 65}}
    assert await overrides(world, guild=1) == {}


async def test_the_ticker_filter_is_added_to_removed_from_and_cleared(world: World) -> None:
    added = await as_admin(world, "config tickers add", symbols="spy, qqq NVDA")
    assert "NVDA, QQQ, SPY" in added.reply.content
    removed = await as_admin(world, "config tickers remove", symbols="QQQ")
    assert "only NVDA, SPY" in removed.reply.content
    assert await store_of(world).guild_settings.tickers(world.guild().id) == {"NVDA", "SPY"}
    cleared = await as_admin(world, "config tickers clear")
    assert "every ticker" in cleared.reply.content
    assert await store_of(world).guild_settings.tickers(world.guild().id) == frozenset()


async def test_show_marks_what_this_server_changed(world: World) -> None:
    await as_admin(world, "config threshold", scanner="sweeps", premium="250k")
    await as_admin(world, "config tickers add", symbols="AMD")
    conversation = await as_admin(world, "config show")
    reply = conversation.reply
    assert reply.ephemeral
    [embed] = reply.embeds
    assert_valid_embed(embed)
    fields = {field["name"]: field["value"] for field in embed["fields"]}
    assert fields["Sweeps"].startswith("Premium ≥ $250K*")
    assert fields["ORAKL Flow"].startswith("Premium ≥ $10K ·")  # the default, unmarked
    assert fields["Ticker filter"] == "AMD"


async def test_reset_goes_back_to_the_defaults(world: World) -> None:
    await as_admin(world, "config threshold", scanner="sweeps", premium="250k")
    await as_admin(world, "config score", scanner="flow", min=70)
    one = await as_admin(world, "config reset", scanner="sweeps")
    assert "Sweeps follows ORAKL's defaults" in one.reply.content
    assert await overrides(world) == {"flow": {"min_score": 70}}
    await as_admin(world, "config reset")
    assert await overrides(world) == {}
    nothing = await as_admin(world, "config reset")
    assert nothing.reply.content.startswith("Nothing to reset")


BAD_INPUT = [
    ("config threshold", {"scanner": "sweeps", "premium": "lots"}, "'lots' is not an amount"),
    ("config threshold", {"scanner": "sweeps", "premium": "$500"}, "$500 is below the $1,000 minimum"),
    ("config threshold", {"scanner": "sweeps", "premium": "250M"}, "$250.00M is above the $100.00M maximum"),
    ("config threshold", {"scanner": "breakouts", "premium": "50k"}, "Breakouts alerts have no dollar amount"),
    ("config threshold", {"scanner": "moonshots", "premium": "50k"}, "There is no scanner 'moonshots'"),
    ("config dte", {"scanner": "sweeps", "min": 30, "max": 7}, "The minimum (30 days) is above the maximum (7 days)"),
    ("config dte", {"scanner": "sweeps", "min": 0, "max": 800}, "Days to expiry must be between 0 and 730; got 800"),
    ("config dte", {"scanner": "darkpool", "min": 0, "max": 30}, "Darkpool alerts are stock alerts, with no expiry"),
    ("config score", {"scanner": "flow", "min": 101}, "A score must be between 0 and 100; got 101"),
    ("config tickers add", {"symbols": "SPY TOOLONG"}, "'TOOLONG' is not a US symbol"),
    ("config tickers add", {"symbols": "SPY1"}, "'SPY1' is not a US symbol"),
    ("config tickers add", {"symbols": " , "}, "Give at least one ticker"),
    ("config tickers remove", {"symbols": "TSLA"}, "Not in the ticker filter: TSLA"),
]


@pytest.mark.parametrize(("command", "options", "message"), BAD_INPUT, ids=[message for _, _, message in BAD_INPUT])
async def test_bad_input_gets_a_specific_ephemeral_message_and_changes_nothing(
    world: World, command: str, options: dict[str, Any], message: str
) -> None:
    await as_admin(world, "config tickers add", symbols="SPY")
    before = await stored(store_of(world))
    conversation = await as_admin(world, command, **options)
    assert conversation.reply.ephemeral
    assert message in conversation.reply.content
    assert_valid_interaction_response(conversation.first.payload)
    assert await stored(store_of(world)) == before


@pytest.mark.parametrize(
    ("command", "options"),
    [
        ("config threshold", {"scanner": "sweeps", "premium": "1k"}),
        ("config tickers add", {"symbols": "SPY"}),
        ("config reset", {}),
        ("config show", {}),
    ],
)
async def test_a_member_without_manage_server_is_refused(world: World, command: str, options: dict[str, Any]) -> None:
    before = await stored(store_of(world))
    conversation = await as_member(world, command, **options)
    assert conversation.reply.ephemeral
    assert conversation.reply.content == "You need the Manage Server permission to use this command."
    assert await stored(store_of(world)) == before


async def test_the_permission_is_checked_before_the_input(world: World) -> None:
    conversation = await as_member(world, "config threshold", scanner="sweeps", premium="lots")
    assert "Manage Server" in conversation.reply.content
