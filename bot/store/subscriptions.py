"""Which channels receive which scanner, and whether each channel can still be posted to.

A channel the bot lost access to is marked `broken` with the reason, and nothing goes there
until an admin fixes it and subscribes again; it is never retried every cycle.

Every alert asks which channels take its scanner, so the healthy subscriptions are kept in
memory: read once, then changed by this repository's own writes in the same transaction that
changes the database. Every write to subscriptions goes through here (one `Subscriptions`
per database, as `Store` makes it), so the memory cannot fall behind.
"""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator, Iterable, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

import aiosqlite

from bot.store.codec import decode_time, encode_time, from_row
from bot.store.db import Database, fetch_all
from bot.store.deliveries import fail_pending_in_channel, writing_deliveries

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


class ActiveSubscriptions:
    """The healthy subscriptions by scanner, each scanner's as one sorted tuple that is
    replaced, never changed, when its subscriptions change: a caller can tell by identity
    whether what it built from a scanner's tuple is still current."""

    def __init__(self, subscriptions: Iterable[Subscription]) -> None:
        self._by_scanner: dict[str, dict[int, Subscription]] = {}
        """scanner → channel id → its subscription"""
        self._tuples: dict[str, tuple[Subscription, ...]] = {}
        for subscription in subscriptions:
            self._add(subscription)

    def of(self, scanner: str) -> tuple[Subscription, ...]:
        if scanner not in self._tuples:
            channels = self._by_scanner.get(scanner, {})
            self._tuples[scanner] = tuple(sorted(channels.values(), key=_in_guild_order))
        return self._tuples[scanner]

    def has(self, scanner: str, channel_id: int) -> bool:
        return channel_id in self._by_scanner.get(scanner, {})

    def replace_channel(self, channel_id: int, subscriptions: Iterable[Subscription]) -> None:
        """The channel's subscriptions, of every scanner, are now `subscriptions`."""
        for scanner, channels in self._by_scanner.items():
            if channels.pop(channel_id, None) is not None:
                self._tuples.pop(scanner, None)
        for subscription in subscriptions:
            self._add(subscription)

    def _add(self, subscription: Subscription) -> None:
        if subscription.status == "active":
            self._by_scanner.setdefault(subscription.scanner, {})[subscription.channel_id] = subscription
            self._tuples.pop(subscription.scanner, None)


class Subscriptions:
    def __init__(self, db: Database) -> None:
        self._db = db
        self._active: ActiveSubscriptions | None = None
        """read from the database when first needed, and again after a write that failed"""

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
        async with self._changing(self._db.write()) as connection:
            await connection.executemany(
                "INSERT INTO subscriptions"
                " (guild_id, channel_id, scanner, status, last_error, created_at, updated_at)"
                " VALUES (?, ?, ?, 'active', NULL, ?, ?)"
                " ON CONFLICT (channel_id, scanner) DO UPDATE SET guild_id = excluded.guild_id,"
                " status = 'active', last_error = NULL, updated_at = excluded.updated_at",
                [(guild_id, channel_id, scanner, stamp, stamp) for scanner in scanners],
            )
            now_there = await self._channel_changed(connection, channel_id)
        wanted = set(scanners)
        return [subscription for subscription in now_there if subscription.scanner in wanted]

    async def unsubscribe(self, guild_id: int, channel_id: int, scanner: str | None = None) -> bool:
        """Stop `scanner` (every scanner when None) in a channel; False when nothing was subscribed."""
        async with self._changing(self._db.write()) as connection:
            removed = await connection.execute(
                "DELETE FROM subscriptions WHERE guild_id = ? AND channel_id = ?"
                " AND (? IS NULL OR scanner = ?)",
                (guild_id, channel_id, scanner, scanner),
            )
            await self._channel_changed(connection, channel_id)
        return removed.rowcount > 0

    async def mark_broken(self, channel_id: int, reason: str) -> int:
        """Stop posting to a channel (every scanner): how many subscriptions this broke.

        What was still queued for the channel fails with the same reason in the same
        transaction, so a restart does not try it again.
        """
        now = self._db.clock.now()
        async with self._changing(writing_deliveries(self._db)) as connection:
            broken = await connection.execute(
                "UPDATE subscriptions SET status = 'broken', last_error = ?, updated_at = ?"
                " WHERE channel_id = ?",
                (reason, encode_time(now), channel_id),
            )
            await fail_pending_in_channel(connection, channel_id, reason, now)
            await self._channel_changed(connection, channel_id)
        return broken.rowcount

    async def for_guild(self, guild_id: int) -> list[Subscription]:
        return await self._select("WHERE guild_id = ?", guild_id)

    async def channels_for(self, scanner: str) -> tuple[Subscription, ...]:
        """The healthy subscriptions of one scanner, where its alerts go, by guild and channel.

        From memory (the first call reads the database). The same tuple comes back until the
        scanner's subscriptions change, so what is built from it can be kept until then.
        """
        return (await self._active_now()).of(scanner)

    async def is_active(self, channel_id: int, scanner: str) -> bool:
        """Whether the channel still takes the scanner's alerts (from memory, as `channels_for`)."""
        return (await self._active_now()).has(scanner, channel_id)

    async def _active_now(self) -> ActiveSubscriptions:
        if self._active is None:
            async with self._db.read() as connection:
                rows = await fetch_all(connection, "SELECT * FROM subscriptions WHERE status = 'active'")
                # Kept while the transaction still holds the database: no write can come between.
                self._active = ActiveSubscriptions(map(_subscription_from_row, rows))
        return self._active

    async def all(self) -> list[Subscription]:
        return await self._select("")

    @asynccontextmanager
    async def _changing(
        self, transaction: AbstractAsyncContextManager[aiosqlite.Connection]
    ) -> AsyncIterator[aiosqlite.Connection]:
        """A transaction that changes subscriptions. If it fails, the memory is read again
        when next needed, rather than trusted to match what the database kept."""
        try:
            async with transaction as connection:
                yield connection
        except BaseException:
            self._active = None
            raise

    async def _channel_changed(self, connection: aiosqlite.Connection, channel_id: int) -> list[Subscription]:
        """The channel's subscriptions as the transaction leaves them, now also in memory."""
        rows = await fetch_all(connection, "SELECT * FROM subscriptions WHERE channel_id = ?", (channel_id,))
        now_there = [_subscription_from_row(row) for row in rows]
        if self._active is not None:
            self._active.replace_channel(channel_id, now_there)
        return now_there

    async def _select(self, where: str, *parameters: object) -> list[Subscription]:
        async with self._db.read() as connection:
            rows = await fetch_all(
                connection,
                f"SELECT * FROM subscriptions {where} ORDER BY guild_id, channel_id, scanner",
                parameters,
            )
        return [_subscription_from_row(row) for row in rows]


def _in_guild_order(subscription: Subscription) -> tuple[int, int]:
    return subscription.guild_id, subscription.channel_id


def _subscription_from_row(row: sqlite3.Row) -> Subscription:
    return from_row(Subscription, row, created_at=decode_time, updated_at=decode_time)
