"""Per-guild settings: cached for the router, refreshed by every write, kept across restarts."""

from __future__ import annotations

from pathlib import Path

from bot.alerts import Scanner
from bot.config import Settings
from bot.delivery import GuildConfig
from bot.market.clock import VirtualClock
from bot.store import Database, Store
from tests.delivery.conftest import GUILD_A, GUILD_B


async def test_a_write_is_seen_at_once_by_that_guild_only(guild_config: GuildConfig) -> None:
    await guild_config.set_values(GUILD_A, Scanner.SWEEPS, {"min_premium": 75_000})
    assert guild_config.filter_for(GUILD_A, Scanner.SWEEPS).min_dollars == 75_000
    assert guild_config.filter_for(GUILD_B, Scanner.SWEEPS).min_dollars == 50_000
    assert guild_config.is_overridden(GUILD_A, Scanner.SWEEPS, "min_premium")


async def test_reads_come_from_the_cache_not_the_database(guild_config: GuildConfig, store: Store) -> None:
    await guild_config.set_values(GUILD_A, Scanner.FLOW, {"min_score": 50})
    # A change made around the cache (never done by ORAKL) is not seen until the next write.
    await store.guild_settings.set_overrides(GUILD_A, "flow", {"min_score": 10})
    assert guild_config.filter_for(GUILD_A, Scanner.FLOW).min_score == 50
    await guild_config.add_tickers(GUILD_A, ["SPY"])
    assert guild_config.filter_for(GUILD_A, Scanner.FLOW).min_score == 10


async def test_ticker_filter_and_reset_go_through_the_cache(guild_config: GuildConfig) -> None:
    assert await guild_config.add_tickers(GUILD_A, ["SPY", "QQQ"]) == {"SPY", "QQQ"}
    assert await guild_config.remove_tickers(GUILD_A, ["SPY"]) == {"QQQ"}
    assert guild_config.filter_for(GUILD_A, Scanner.SCALPS).tickers == {"QQQ"}
    await guild_config.set_values(GUILD_A, Scanner.SCALPS, {"min_dte": 1, "max_dte": 3})
    assert await guild_config.reset(GUILD_A, Scanner.SCALPS)
    assert (guild_config.filter_for(GUILD_A, Scanner.SCALPS).min_dte, guild_config.overrides(GUILD_A).tickers) == (
        0,
        {"QQQ"},
    )
    assert await guild_config.reset(GUILD_A)
    assert guild_config.overrides(GUILD_A).tickers == frozenset()
    assert not await guild_config.reset(GUILD_A)


async def test_the_engines_scan_with_the_loosest_setting_any_guild_chose(guild_config: GuildConfig) -> None:
    await guild_config.set_values(GUILD_A, Scanner.SWEEPS, {"min_premium": 5_000})
    await guild_config.set_values(GUILD_B, Scanner.SWEEPS, {"min_premium": 500_000})
    assert guild_config.scan_settings(Scanner.SWEEPS).min_premium == 5_000  # type: ignore[attr-defined]


async def test_settings_survive_a_restart(db_path: Path, clock: VirtualClock) -> None:
    defaults = Settings().scanners
    async with await Database.open(db_path, clock=clock) as db:
        before = GuildConfig(Store(db).guild_settings, defaults)
        await before.load()
        await before.set_values(GUILD_A, Scanner.BULLSEYE, {"min_dte": 14, "max_dte": 30})
        await before.add_tickers(GUILD_A, ["AMD"])
    async with await Database.open(db_path, clock=clock) as db:
        after = GuildConfig(Store(db).guild_settings, defaults)
        await after.load()
        restored = after.filter_for(GUILD_A, Scanner.BULLSEYE)
    assert (restored.min_dte, restored.max_dte, restored.tickers) == (14, 30, {"AMD"})
