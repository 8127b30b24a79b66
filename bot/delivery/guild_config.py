"""Per-guild settings as the router and `/config` read them: cached, refreshed on every write.

Every write goes through here, so the cache can never serve a value a guild has since
changed; reads (one per alert per subscribed guild) never touch the database. Each guild's
compiled filter is cached too (guilds that changed nothing share the default one), and
`version` moves with every write, so whatever the router builds from the filters knows when
to build again.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from pydantic import JsonValue

from bot.alerts import Scanner
from bot.config import ScannerSettings, ScannersSettings
from bot.delivery.filters import AlertFilter, guild_filter, loosest_settings, setting
from bot.store import GuildOverrides, GuildSettings


class GuildConfig:
    def __init__(self, repository: GuildSettings, defaults: ScannersSettings) -> None:
        self._repository = repository
        self.defaults = defaults
        self._cache: dict[int, GuildOverrides] = {}
        self._filters: dict[tuple[int | None, Scanner], AlertFilter] = {}
        """(guild id, or None for every guild without overrides, scanner) → its filter"""
        self.version = 0

    async def load(self) -> None:
        """Read every guild's overrides (once, at start-up)."""
        self._cache = await self._repository.all()
        self._filters.clear()
        self.version += 1

    def overrides(self, guild_id: int) -> GuildOverrides:
        return self._cache.get(guild_id, GuildOverrides())

    def value(self, guild_id: int, scanner: Scanner, key: str) -> JsonValue:
        return setting(scanner, key, self.defaults, self.overrides(guild_id))

    def is_overridden(self, guild_id: int, scanner: Scanner, key: str) -> bool:
        return key in self.overrides(guild_id).for_scanner(scanner.value)

    def filter_for(self, guild_id: int, scanner: Scanner) -> AlertFilter:
        key = (guild_id if guild_id in self._cache else None, scanner)
        if key not in self._filters:
            self._filters[key] = guild_filter(scanner, self.defaults, self.overrides(guild_id))
        return self._filters[key]

    def scan_settings(self, scanner: Scanner) -> ScannerSettings:
        """What the engines scan with (their `settings_for` hook): the loosest any guild asked for."""
        return loosest_settings(scanner, self.defaults, self._cache.values())

    async def set_values(self, guild_id: int, scanner: Scanner, values: Mapping[str, JsonValue]) -> None:
        await self._repository.set_overrides(guild_id, scanner.value, values)
        await self._refresh(guild_id)

    async def reset(self, guild_id: int, scanner: Scanner | None = None) -> bool:
        reset = await self._repository.reset(guild_id, None if scanner is None else scanner.value)
        await self._refresh(guild_id)
        return reset

    async def add_tickers(self, guild_id: int, tickers: Iterable[str]) -> frozenset[str]:
        now = await self._repository.add_tickers(guild_id, list(tickers))
        await self._refresh(guild_id)
        return now

    async def remove_tickers(self, guild_id: int, tickers: Iterable[str]) -> frozenset[str]:
        now = await self._repository.remove_tickers(guild_id, list(tickers))
        await self._refresh(guild_id)
        return now

    async def clear_tickers(self, guild_id: int) -> bool:
        cleared = await self._repository.clear_tickers(guild_id)
        await self._refresh(guild_id)
        return cleared

    async def _refresh(self, guild_id: int) -> None:
        self._cache[guild_id] = await self._repository.get(guild_id)
        for scanner in Scanner:
            self._filters.pop((guild_id, scanner), None)
        self.version += 1
