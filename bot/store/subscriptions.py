"""Which channels receive which scanner, and whether each channel can still be posted to.

A channel the bot lost access to is marked `broken` with the reason, and nothing goes there
until an admin fixes it and subscribes again; it is never retried every cycle.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from bot.store.codec import decode_time, encode_time, from_row
from bot.store.db import Database, fetch_all
from bot.store.deliveries import fail_pending_in_channel

SubscriptionStatus = Literal["active", "broken"]


@dataclass(frozen=True)
class Subscription:
    guild_id: int
    channel_id: int
    scanner: str
    status: SubscriptionStatus
    last_error: str | None
    created_at: datetime
    updated_at: datetime


class Subscriptions:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def subscribe(self, guild_id: int, channel_id: int, scanners: Sequence[str]) -> list[Subscription]:
        """Subscribe a channel to each of `scanners`, all or none.

        Subscribing again is how an admin says a broken channel is fixed: it becomes active
        and its error is cleared.
        """
        if isinstance(scanners, str):
            raise TypeError("scanners is a list of scanner names, not one name")
        if not scanners:
            raise ValueError("subscribe to at least one scanner")
        stamp = encode_time(self._db.clock.now())
        async with self._db.write() as connection:
            await connection.executemany(
                "INSERT INTO subscriptions"
                " (guild_id, channel_id, scanner, status, last_error, created_at, updated_at)"
                " VALUES (?, ?, ?, 'active', NULL, ?, ?)"
                " ON CONFLICT (channel_id, scanner) DO UPDATE SET guild_id = excluded.guild_id,"
                " status = 'active', last_error = NULL, updated_at = excluded.updated_at",
                [(guild_id, channel_id, scanner, stamp, stamp) for scanner in scanners],
            )
            rows = await fetch_all(
                connection, "SELECT * FROM subscriptions WHERE channel_id = ?", (channel_id,)
            )
        wanted = set(scanners)
        return [_subscription_from_row(row) for row in rows if row["scanner"] in wanted]

    async def unsubscribe(self, guild_id: int, channel_id: int, scanner: str | None = None) -> bool:
        """Stop `scanner` (every scanner when None) in a channel; False when nothing was subscribed."""
        async with self._db.write() as connection:
            removed = await connection.execute(
                "DELETE FROM subscriptions WHERE guild_id = ? AND channel_id = ?"
                " AND (? IS NULL OR scanner = ?)",
                (guild_id, channel_id, scanner, scanner),
            )
        return removed.rowcount > 0

    async def mark_broken(self, channel_id: int, reason: str) -> int:
        """Stop posting to a channel (every scanner): how many subscriptions this broke.

        What was still queued for the channel fails with the same reason in the same
        transaction, so a restart does not try it again.
        """
        now = self._db.clock.now()
        async with self._db.write() as connection:
            broken = await connection.execute(
                "UPDATE subscriptions SET status = 'broken', last_error = ?, updated_at = ?"
                " WHERE channel_id = ?",
                (reason, encode_time(now), channel_id),
            )
            await fail_pending_in_channel(connection, channel_id, reason, now)
        return broken.rowcount

    async def for_guild(self, guild_id: int) -> list[Subscription]:
        return await self._select("WHERE guild_id = ?", guild_id)

    async def channels_for(self, scanner: str) -> list[Subscription]:
        """The healthy subscriptions of one scanner: where its alerts go."""
        return await self._select("WHERE scanner = ? AND status = 'active'", scanner)

    async def all(self) -> list[Subscription]:
        return await self._select("")

    async def _select(self, where: str, *parameters: object) -> list[Subscription]:
        async with self._db.read() as connection:
            rows = await fetch_all(
                connection,
                f"SELECT * FROM subscriptions {where} ORDER BY guild_id, channel_id, scanner",
                parameters,
            )
        return [_subscription_from_row(row) for row in rows]


def _subscription_from_row(row: sqlite3.Row) -> Subscription:
    return from_row(Subscription, row, created_at=decode_time, updated_at=decode_time)
