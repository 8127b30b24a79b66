"""Deliveries: one alert going to one channel, from queued to posted (or not).

A delivery starts `pending` and moves once: to `sent` (with the Discord message id), to
`failed` (with the reason; the channel is broken or the message was refused) or to `digested`
(folded into one digest message when a channel's hourly budget ran out). Whatever is still
pending after a restart is exactly what must still go out, so a due alert is never lost.

An alert's deliveries are recorded packed, as one `packed_deliveries` row (see its
migration), and written out as rows by the next transaction over deliveries
(`writing_deliveries`): recording stays one row however many channels the alert reaches.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import AsyncIterator, Collection, Iterable, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime
from itertools import chain
from typing import Literal, NamedTuple

import aiosqlite

from bot.store.codec import decode_time, encode_time, from_row
from bot.store.db import Database, fetch_all, fetch_int, fetch_one
from bot.store.errors import DeliveryStateError

DeliveryStatus = Literal["pending", "sent", "failed", "digested"]


class DeliveryTarget(NamedTuple):
    # A tuple rather than a dataclass: tens of thousands are handed around per alert, and
    # they encode as JSON pairs as they are (`PackedTargets.of`).
    guild_id: int
    channel_id: int


@dataclass(frozen=True)
class PackedTargets:
    """Delivery targets together with their packed form (what `packed_deliveries.targets`
    holds), encoded once and then joined as they are: the router records the same groups of
    channels alert after alert."""

    targets: tuple[DeliveryTarget, ...]
    json_items: str
    """The items of the JSON array, `[guild,channel],[guild,channel]`, so parts join as text."""

    @classmethod
    def of(cls, targets: Iterable[DeliveryTarget]) -> PackedTargets:
        kept = tuple(targets)
        return cls(kept, json.dumps(kept, separators=(",", ":"))[1:-1])

    @classmethod
    def join(cls, parts: Iterable[PackedTargets]) -> PackedTargets:
        filled = [part for part in parts if part]
        return cls(
            tuple(chain.from_iterable(part.targets for part in filled)), ",".join(part.json_items for part in filled)
        )

    def __len__(self) -> int:
        return len(self.targets)


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


SENT_ASSIGNMENTS = "status = 'sent', message_id = ?, error = NULL, attempts = attempts + 1"


class Deliveries:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def create_pending(self, alert_id: int, targets: Sequence[DeliveryTarget]) -> list[Delivery]:
        """Queue `alert_id` for each target; a target already queued keeps its delivery as it is."""
        async with writing_deliveries(self._db) as connection:
            return await _insert_pending(connection, alert_id, targets, self._db.clock.now())

    async def mark_sent(self, delivery_id: int, message_id: int) -> Delivery:
        return await self._update_one(delivery_id, SENT_ASSIGNMENTS, message_id)

    async def mark_sent_many(self, message_ids: Mapping[int, int]) -> int:
        """Mark many deliveries sent in one transaction (delivery id → its Discord message id).

        Returns how many moved; one no longer pending (failed meanwhile, say) stays as it is.
        """
        stamp = encode_time(self._db.clock.now())
        async with writing_deliveries(self._db) as connection:
            moved = await connection.executemany(
                f"UPDATE deliveries SET {SENT_ASSIGNMENTS}, updated_at = ? WHERE id = ? AND status = 'pending'",
                [(message_id, stamp, delivery_id) for delivery_id, message_id in message_ids.items()],
            )
        return moved.rowcount

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
        async with writing_deliveries(self._db) as connection:
            return [
                await _update_pending(
                    connection, delivery_id, "status = 'digested', message_id = ?", digest_message_id, now
                )
                for delivery_id in delivery_ids
            ]

    async def pending(self, limit: int | None = None) -> list[Delivery]:
        """What is queued and not yet out, oldest first."""
        # A write: what is still packed is written out, and then listed like the rest.
        async with writing_deliveries(self._db) as connection:
            rows = await fetch_all(
                connection,
                "SELECT * FROM deliveries WHERE status = 'pending' ORDER BY id LIMIT ?",
                (-1 if limit is None else limit,),
            )
        return [delivery_from_row(row) for row in rows]

    async def sent_counts_since(self, channel_ids: Collection[int], since: datetime) -> dict[int, int]:
        """Messages posted to each of `channel_ids` from `since` on: what their hourly budgets
        have spent. A channel with none is absent. (Packed deliveries are all pending, so a
        read need not write them out.)"""
        async with self._db.read() as connection:
            rows = await fetch_all(
                connection,
                "SELECT channel_id, COUNT(*) FROM deliveries"
                " WHERE channel_id IN (SELECT value FROM json_each(?))"
                " AND status = 'sent' AND updated_at >= ? GROUP BY channel_id",
                (json.dumps(list(channel_ids)), encode_time(since)),
            )
        return {channel_id: count for channel_id, count in rows}

    async def _update_one(self, delivery_id: int, assignments: str, value: object) -> Delivery:
        async with writing_deliveries(self._db) as connection:
            return await _update_pending(connection, delivery_id, assignments, value, self._db.clock.now())


@asynccontextmanager
async def writing_deliveries(db: Database) -> AsyncIterator[aiosqlite.Connection]:
    """A write transaction over deliveries: whatever is packed is written out as rows first, so
    every statement inside sees, and can change, each delivery as its row. Any transaction
    that writes deliveries, or reads them as rows, goes through here."""
    async with db.write() as connection:
        await _unpack(connection)
        yield connection


async def pack_pending(connection: aiosqlite.Connection, alert_id: int, targets: PackedTargets, stamp: str) -> int:
    """Queue `alert_id` for `targets` (at least one) inside the caller's transaction, as one
    packed row. Returns the id of the first delivery: the one to targets[i] has that id + i
    (`queued_deliveries`)."""
    # The ids after every delivery row and every id already reserved by a packed row; rows
    # are only ever added while nothing is packed (`writing_deliveries`), so none collide.
    return await fetch_int(
        connection,
        "INSERT INTO packed_deliveries (alert_id, first_delivery_id, delivery_count, targets, created_at)"
        " VALUES (?, 1 + MAX((SELECT COALESCE(MAX(id), 0) FROM deliveries),"
        " (SELECT COALESCE(MAX(first_delivery_id + delivery_count - 1), 0) FROM packed_deliveries)),"
        " ?, ?, ?) RETURNING first_delivery_id",
        (alert_id, len(targets), f"[{targets.json_items}]", stamp),
    )


def queued_deliveries(
    alert_id: int, first_id: int, targets: Sequence[DeliveryTarget], at: datetime
) -> list[Delivery]:
    """The deliveries `pack_pending` recorded, as `Deliveries.pending` will list them. A channel
    named twice is queued once, the first time (the other id stays unused)."""
    queued: dict[int, Delivery] = {}
    for index, target in enumerate(targets):
        if target.channel_id not in queued:
            queued[target.channel_id] = Delivery(
                first_id + index, alert_id, target.guild_id, target.channel_id, "pending", None, None, 0, at, at
            )
    return list(queued.values())


async def _unpack(connection: aiosqlite.Connection) -> None:
    written = await connection.execute(
        "INSERT INTO deliveries (id, alert_id, guild_id, channel_id, status, created_at, updated_at)"
        " SELECT packed.first_delivery_id + target.key, packed.alert_id, target.value ->> 0,"
        " target.value ->> 1, 'pending', packed.created_at, packed.created_at"
        " FROM packed_deliveries AS packed, json_each(packed.targets) AS target"
        " WHERE true ORDER BY packed.alert_id, target.key"  # WHERE: so ON CONFLICT is not read as a join
        " ON CONFLICT (alert_id, channel_id) DO NOTHING"
    )
    # A packed row always writes at least one row (it has a target, and no row yet), so
    # nothing written means nothing packed, and one statement is all a quiet write costs.
    if written.rowcount > 0:
        await connection.execute("DELETE FROM packed_deliveries")


async def _insert_pending(
    connection: aiosqlite.Connection,
    alert_id: int,
    targets: Sequence[DeliveryTarget],
    at: datetime,
) -> list[Delivery]:
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
    """Give up on everything queued for a channel that can no longer be posted to (inside a
    `writing_deliveries` transaction, so what is still packed is given up too)."""
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
