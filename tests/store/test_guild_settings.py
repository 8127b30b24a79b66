"""A guild stores only what it changed; everything else follows the defaults."""

from __future__ import annotations

import math

import pytest

from bot.store import GuildOverrides, Store
from tests.store.builders import GUILD, OTHER_GUILD
from tests.store.conftest import Restart


async def test_a_guild_that_changed_nothing_has_nothing_stored(store: Store) -> None:
    assert await store.guild_settings.get(GUILD) == GuildOverrides()
    assert await store.guild_settings.all() == {}


async def test_only_the_keys_a_guild_set_are_stored(store: Store) -> None:
    await store.guild_settings.set_overrides(GUILD, "sweeps", {"min_premium": 250_000})

    overrides = await store.guild_settings.get(GUILD)

    assert overrides.for_scanner("sweeps") == {"min_premium": 250_000}
    assert overrides.for_scanner("flow") == {}


async def test_setting_a_key_again_replaces_its_value(store: Store) -> None:
    await store.guild_settings.set_overrides(GUILD, "sweeps", {"min_premium": 250_000, "min_score": 60})
    await store.guild_settings.set_overrides(GUILD, "sweeps", {"min_premium": 1_000_000})

    assert (await store.guild_settings.get(GUILD)).for_scanner("sweeps") == {
        "min_premium": 1_000_000,
        "min_score": 60,
    }


async def test_a_value_json_cannot_carry_stores_none_of_the_keys_given_with_it(store: Store) -> None:
    with pytest.raises(ValueError):
        await store.guild_settings.set_overrides(GUILD, "scalps", {"min_dte": 0, "max_dte": math.nan})

    assert await store.guild_settings.get(GUILD) == GuildOverrides()


async def test_resetting_one_scanner_keeps_the_others_and_the_ticker_filter(store: Store) -> None:
    await store.guild_settings.set_overrides(GUILD, "sweeps", {"min_premium": 250_000})
    await store.guild_settings.set_overrides(GUILD, "scalps", {"min_dte": 0, "max_dte": 3})
    await store.guild_settings.add_tickers(GUILD, ["SPY"])

    assert await store.guild_settings.reset(GUILD, "sweeps") is True

    overrides = await store.guild_settings.get(GUILD)
    assert overrides.scanners == {"scalps": {"min_dte": 0, "max_dte": 3}}
    assert overrides.tickers == {"SPY"}


async def test_resetting_a_guild_returns_it_to_the_defaults_entirely(store: Store) -> None:
    await store.guild_settings.set_overrides(GUILD, "sweeps", {"min_premium": 250_000})
    await store.guild_settings.add_tickers(GUILD, ["SPY", "QQQ"])

    assert await store.guild_settings.reset(GUILD) is True

    assert await store.guild_settings.get(GUILD) == GuildOverrides()
    assert await store.guild_settings.all() == {}


async def test_resetting_what_was_never_changed_says_so(store: Store) -> None:
    await store.guild_settings.set_overrides(GUILD, "sweeps", {"min_premium": 250_000})

    assert await store.guild_settings.reset(GUILD, "flow") is False
    assert await store.guild_settings.reset(OTHER_GUILD) is False


async def test_one_guilds_changes_never_reach_another(store: Store) -> None:
    await store.guild_settings.set_overrides(GUILD, "sweeps", {"min_premium": 250_000})
    await store.guild_settings.set_overrides(OTHER_GUILD, "sweeps", {"min_premium": 75_000})
    await store.guild_settings.add_tickers(OTHER_GUILD, ["TSLA"])

    await store.guild_settings.reset(OTHER_GUILD)

    assert await store.guild_settings.all() == {
        GUILD: GuildOverrides({"sweeps": {"min_premium": 250_000}}),
    }


async def test_all_gathers_every_guild_that_changed_something(store: Store) -> None:
    await store.guild_settings.set_overrides(GUILD, "bullseye", {"min_score": 70})
    await store.guild_settings.add_tickers(OTHER_GUILD, ["AAPL"])

    assert await store.guild_settings.all() == {
        GUILD: GuildOverrides({"bullseye": {"min_score": 70}}),
        OTHER_GUILD: GuildOverrides(tickers=frozenset({"AAPL"})),
    }


async def test_the_ticker_filter_grows_shrinks_and_clears(store: Store) -> None:
    settings = store.guild_settings

    assert await settings.add_tickers(GUILD, ["SPY", "QQQ"]) == {"SPY", "QQQ"}
    assert await settings.add_tickers(GUILD, ["QQQ", "BRK.B"]) == {"SPY", "QQQ", "BRK.B"}
    assert await settings.remove_tickers(GUILD, ["SPY", "NOT.HELD"]) == {"QQQ", "BRK.B"}
    assert await settings.tickers(GUILD) == {"QQQ", "BRK.B"}
    assert await settings.clear_tickers(GUILD) is True
    assert await settings.tickers(GUILD) == frozenset()
    assert await settings.clear_tickers(GUILD) is False


async def test_one_symbol_passed_as_a_string_is_refused(store: Store) -> None:
    with pytest.raises(TypeError):
        await store.guild_settings.add_tickers(GUILD, "SPY")
    assert await store.guild_settings.tickers(GUILD) == frozenset()


async def test_settings_survive_a_restart(store: Store, restart: Restart) -> None:
    await store.guild_settings.set_overrides(GUILD, "golden_sweeps", {"min_premium": 2_500_000.5})
    await store.guild_settings.set_overrides(GUILD, "flow", {"watch": ["SPY", None, True]})
    await store.guild_settings.add_tickers(GUILD, ["NVDA"])
    before = await store.guild_settings.get(GUILD)

    store = await restart(store)

    assert await store.guild_settings.get(GUILD) == before
    assert before.for_scanner("golden_sweeps") == {"min_premium": 2_500_000.5}
