"""Deliveries: one alert going to one channel, from queued to posted (or not).

A delivery starts `pending` and moves once: to `sent` (with the Discord message id), to
`failed` (with the reason; the channel is broken or the message was refused) or to `digested`
(folded into one digest message when a channel's hourly budget ran out). Whatever is still
pending after a restart is exactly what must still go out, so a due alert is never lost.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

import aiosqlite

from bot.store.codec import decode_time, encode_time, from_row
from bot.store.db import Database, fetch_all, fetch_int, fetch_one
from bot.store.errors import DeliveryStateError

DeliveryStatus = Literal["pending", "sent", "failed", "digested"]


@dataclass(frozen=True)
class DeliveryTarget:
    guild_id: int
    channel_id: int


@dataclass(frozen=True)
class Delivery:
    id: int
    alert_id: int
    guild_id: int
    channel_id: int
    status: DeliveryStatus
    message_id: int | None
    error: str | None
    attempts: int
    created_at: datetime
    updated_at: datetime


class Deliveries:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def create_pending(self, alert_id: int, targets: Sequence[DeliveryTarget]) -> list[Delivery]:
        """Queue `alert_id` for each target; a target already queued keeps its delivery as it is."""
        async with self._db.write() as connection:
            return await insert_pending(connection, alert_id, targets, self._db.clock.now())

    async def mark_sent(self, delivery_id: int, message_id: int) -> Delivery:
        return await self._update_one(
            delivery_id, "status = 'sent', message_id = ?, error = NULL, attempts = attempts + 1", message_id
        )

    async def mark_failed(self, delivery_id: int, error: str) -> Delivery:
        return await self._update_one(
            delivery_id, "status = 'failed', error = ?, attempts = attempts + 1", error
        )

    async def record_retry(self, delivery_id: int, error: str) -> Delivery:
        """An attempt that will be repeated (a 429 waited out, say): still pending, reason kept."""
        return await self._update_one(delivery_id, "error = ?, attempts = attempts + 1", error)

    async def mark_digested(self, delivery_ids: Sequence[int], digest_message_id: int) -> list[Delivery]:
        """These deliveries went out together as the one digest message `digest_message_id`."""
        now = self._db.clock.now()
        async with self._db.write() as connection:
            return [
                await _update_pending(
                    connection, delivery_id, "status = 'digested', message_id = ?", digest_message_id, now
                )
                for delivery_id in delivery_ids
            ]

    async def pending(self, limit: int | None = None) -> list[Delivery]:
        """What is queued and not yet out, oldest first."""
        async with self._db.read() as connection:
            rows = await fetch_all(
                connection,
                "SELECT * FROM deliveries WHERE status = 'pending' ORDER BY id LIMIT ?",
                (-1 if limit is None else limit,),
            )
        return [delivery_from_row(row) for row in rows]

    async def sent_count_since(self, channel_id: int, since: datetime) -> int:
        """Messages posted to `channel_id` from `since` on: what its hourly budget has spent."""
        async with self._db.read() as connection:
            return await fetch_int(
                connection,
                "SELECT COUNT(*) FROM deliveries"
                " WHERE channel_id = ? AND status = 'sent' AND updated_at >= ?",
                (channel_id, encode_time(since)),
            )

    async def _update_one(self, delivery_id: int, assignments: str, value: object) -> Delivery:
        async with self._db.write() as connection:
            return await _update_pending(connection, delivery_id, assignments, value, self._db.clock.now())


async def insert_pending(
    connection: aiosqlite.Connection,
    alert_id: int,
    targets: Sequence[DeliveryTarget],
    at: datetime,
) -> list[Delivery]:
    """Queue deliveries inside the caller's transaction (an alert and its deliveries commit together)."""
    stamp = encode_time(at)
    await connection.executemany(
        "INSERT INTO deliveries (alert_id, guild_id, channel_id, status, created_at, updated_at)"
        " VALUES (?, ?, ?, 'pending', ?, ?) ON CONFLICT (alert_id, channel_id) DO NOTHING",
        [(alert_id, target.guild_id, target.channel_id, stamp, stamp) for target in targets],
    )
    rows = await fetch_all(connection, "SELECT * FROM deliveries WHERE alert_id = ? ORDER BY id", (alert_id,))
    wanted = {target.channel_id for target in targets}
    return [delivery_from_row(row) for row in rows if row["channel_id"] in wanted]


async def fail_pending_in_channel(
    connection: aiosqlite.Connection, channel_id: int, error: str, at: datetime
) -> None:
    """Give up on everything queued for a channel that can no longer be posted to."""
    await connection.execute(
        "UPDATE deliveries SET status = 'failed', error = ?, updated_at = ?"
        " WHERE channel_id = ? AND status = 'pending'",
        (error, encode_time(at), channel_id),
    )


async def _update_pending(
    connection: aiosqlite.Connection,
    delivery_id: int,
    assignments: str,
    value: object,
    at: datetime,
) -> Delivery:
    # `assignments` is one of this module's own fragments, never caller text.
    moved = await fetch_one(
        connection,
        f"UPDATE deliveries SET {assignments}, updated_at = ?"
        " WHERE id = ? AND status = 'pending' RETURNING *",
        (value, encode_time(at), delivery_id),
    )
    if moved is not None:
        return delivery_from_row(moved)
    current = await fetch_one(connection, "SELECT status FROM deliveries WHERE id = ?", (delivery_id,))
    if current is None:
        raise DeliveryStateError(f"there is no delivery {delivery_id}")
    raise DeliveryStateError(f"delivery {delivery_id} is already {current['status']}, not pending")


def delivery_from_row(row: sqlite3.Row) -> Delivery:
    return from_row(Delivery, row, created_at=decode_time, updated_at=decode_time)
