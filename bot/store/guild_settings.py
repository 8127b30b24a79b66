"""Per-guild settings, stored as overrides only.

Defaults live in `Settings.scanners`; a guild stores just what its admins changed (a key per
scanner, e.g. `min_premium`, with a JSON value) and a guild-wide ticker filter. Resetting
deletes the rows, so a guild that never changed anything has nothing stored and follows the
defaults as they evolve.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import aiosqlite
from pydantic import JsonValue

from bot.store.codec import decode_json, encode_json, encode_time
from bot.store.db import Database, fetch_all


@dataclass(frozen=True)
class GuildOverrides:
    scanners: Mapping[str, Mapping[str, JsonValue]] = field(default_factory=dict)
    """scanner → key → value, for the keys this guild changed."""
    tickers: frozenset[str] = frozenset()
    """The ticker filter, symbols as the caller stored them; empty means every ticker."""

    def for_scanner(self, scanner: str) -> Mapping[str, JsonValue]:
        return self.scanners.get(scanner, {})


class GuildSettings:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def get(self, guild_id: int) -> GuildOverrides:
        return (await self._load(guild_id)).get(guild_id, GuildOverrides())

    async def all(self) -> dict[int, GuildOverrides]:
        """Every guild that changed anything (the router caches this)."""
        return await self._load(None)

    async def set_overrides(self, guild_id: int, scanner: str, values: Mapping[str, JsonValue]) -> None:
        """Store several keys of one scanner together (a DTE range is two keys, set as one)."""
        stamp = encode_time(self._db.clock.now())
        rows = [(guild_id, scanner, key, encode_json(value), stamp) for key, value in values.items()]
        async with self._db.write() as connection:
            await connection.executemany(
                "INSERT INTO guild_overrides (guild_id, scanner, key, value, updated_at)"
                " VALUES (?, ?, ?, ?, ?) ON CONFLICT (guild_id, scanner, key)"
                " DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
                rows,
            )

    async def reset(self, guild_id: int, scanner: str | None = None) -> bool:
        """Back to the defaults: one scanner's overrides, or (None) everything incl. the ticker filter.

        False when there was nothing to reset.
        """
        async with self._db.write() as connection:
            overrides = await connection.execute(
                "DELETE FROM guild_overrides WHERE guild_id = ? AND (? IS NULL OR scanner = ?)",
                (guild_id, scanner, scanner),
            )
            removed = overrides.rowcount
            if scanner is None:
                removed += await _delete_tickers(connection, guild_id)
        return removed > 0

    async def tickers(self, guild_id: int) -> frozenset[str]:
        async with self._db.read() as connection:
            return await _tickers(connection, guild_id)

    async def add_tickers(self, guild_id: int, tickers: Iterable[str]) -> frozenset[str]:
        """Add symbols to the guild's filter; returns the filter as it now is."""
        async with self._db.write() as connection:
            await connection.executemany(
                "INSERT INTO guild_tickers (guild_id, ticker) VALUES (?, ?) ON CONFLICT DO NOTHING",
                [(guild_id, ticker) for ticker in _symbols(tickers)],
            )
            return await _tickers(connection, guild_id)

    async def remove_tickers(self, guild_id: int, tickers: Iterable[str]) -> frozenset[str]:
        """Drop symbols from the guild's filter; returns the filter as it now is."""
        async with self._db.write() as connection:
            await connection.executemany(
                "DELETE FROM guild_tickers WHERE guild_id = ? AND ticker = ?",
                [(guild_id, ticker) for ticker in _symbols(tickers)],
            )
            return await _tickers(connection, guild_id)

    async def clear_tickers(self, guild_id: int) -> bool:
        """Let every ticker through again; False when there was no filter."""
        async with self._db.write() as connection:
            return await _delete_tickers(connection, guild_id) > 0

    async def _load(self, guild_id: int | None) -> dict[int, GuildOverrides]:
        where, parameters = ("", ()) if guild_id is None else ("WHERE guild_id = ?", (guild_id,))
        async with self._db.read() as connection:
            override_rows = await fetch_all(
                connection, f"SELECT guild_id, scanner, key, value FROM guild_overrides {where}", parameters
            )
            ticker_rows = await fetch_all(
                connection, f"SELECT guild_id, ticker FROM guild_tickers {where}", parameters
            )
        scanners: dict[int, dict[str, dict[str, JsonValue]]] = {}
        for guild, scanner, key, value in override_rows:
            scanners.setdefault(guild, {}).setdefault(scanner, {})[key] = decode_json(value)
        tickers: dict[int, set[str]] = {}
        for guild, ticker in ticker_rows:
            tickers.setdefault(guild, set()).add(ticker)
        return {
            guild: GuildOverrides(scanners.get(guild, {}), frozenset(tickers.get(guild, ())))
            for guild in scanners.keys() | tickers.keys()
        }


def _symbols(tickers: Iterable[str]) -> list[str]:
    # A bare "SPY" would otherwise be taken as the symbols "S", "P" and "Y".
    if isinstance(tickers, str):
        raise TypeError("tickers is a collection of symbols, not one symbol")
    return list(tickers)


async def _tickers(connection: aiosqlite.Connection, guild_id: int) -> frozenset[str]:
    rows = await fetch_all(connection, "SELECT ticker FROM guild_tickers WHERE guild_id = ?", (guild_id,))
    return frozenset(row["ticker"] for row in rows)


async def _delete_tickers(connection: aiosqlite.Connection, guild_id: int) -> int:
    deleted = await connection.execute("DELETE FROM guild_tickers WHERE guild_id = ?", (guild_id,))
    return deleted.rowcount
