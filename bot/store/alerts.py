"""The alert log: every alert a scanner raised, kept as the JSON of the Alert model."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cached_property

from bot.store.codec import decode_time, encode_time, from_row
from bot.store.db import Database, fetch_all, fetch_int, fetch_one
from bot.store.deliveries import Delivery, DeliveryTarget, PackedTargets, pack_pending, queued_deliveries


@dataclass(frozen=True)
class StoredAlert:
    id: int
    scanner: str
    ticker: str
    """The underlying symbol, so an option alert is found by its stock."""
    dedup_key: str
    payload: str
    """The Alert model as JSON (`Alert.model_validate_json(payload)` reads it back)."""
    created_at: datetime


@dataclass(frozen=True)
class RecordedAlert:
    alert: StoredAlert
    targets: tuple[DeliveryTarget, ...]
    """Where it is queued, as the caller listed it."""
    first_delivery_id: int | None
    """The id of the delivery to targets[0]; the next target's is one more (None: no targets)."""

    @cached_property
    def deliveries(self) -> list[Delivery]:
        """One pending delivery per target. Built when first asked for: recording an alert for
        10,000 channels need not make 10,000 objects."""
        if self.first_delivery_id is None:
            return []
        return queued_deliveries(self.alert.id, self.first_delivery_id, self.targets, self.alert.created_at)


class AlertLog:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def add(
        self,
        *,
        scanner: str,
        ticker: str,
        dedup_key: str,
        payload: str,
        deliver_to: Sequence[DeliveryTarget] | PackedTargets = (),
    ) -> RecordedAlert:
        """Log an alert and queue its deliveries (one per channel) in one transaction.

        Both commit together, so an alert is never on record without the deliveries it is
        due; `payload` must be JSON, or nothing is stored.
        """
        stamp = encode_time(self._db.clock.now())
        targets = deliver_to if isinstance(deliver_to, PackedTargets) else PackedTargets.of(deliver_to)
        async with self._db.write() as connection:
            alert_id = await fetch_int(
                connection,
                "INSERT INTO alerts (scanner, ticker, dedup_key, payload, created_at)"
                " VALUES (?, ?, ?, ?, ?) RETURNING id",
                (scanner, ticker, dedup_key, payload, stamp),
            )
            first_delivery_id = await pack_pending(connection, alert_id, targets, stamp) if targets else None
        alert = StoredAlert(alert_id, scanner, ticker, dedup_key, payload, decode_time(stamp))
        return RecordedAlert(alert, targets.targets, first_delivery_id)

    async def get(self, alert_id: int) -> StoredAlert | None:
        async with self._db.read() as connection:
            row = await fetch_one(connection, "SELECT * FROM alerts WHERE id = ?", (alert_id,))
        return None if row is None else _alert_from_row(row)

    async def recent(
        self, *, ticker: str | None = None, scanner: str | None = None, limit: int = 10
    ) -> list[StoredAlert]:
        """The latest alerts, newest first, optionally for one ticker and/or one scanner."""
        # Only the filters asked for, so SQLite can walk the (ticker|scanner, created_at) index.
        filters = [
            (column, value)
            for column, value in (("ticker", ticker), ("scanner", scanner))
            if value is not None
        ]
        where = " AND ".join(f"{column} = ?" for column, _ in filters) or "1"
        async with self._db.read() as connection:
            rows = await fetch_all(
                connection,
                f"SELECT * FROM alerts WHERE {where} ORDER BY created_at DESC, id DESC LIMIT ?",
                [value for _, value in filters] + [limit],
            )
        return [_alert_from_row(row) for row in rows]

    async def counts_since(self, since: datetime) -> dict[str, int]:
        """Alerts per scanner from `since` on; a scanner that raised none is absent."""
        async with self._db.read() as connection:
            rows = await fetch_all(
                connection,
                "SELECT scanner, COUNT(*) FROM alerts WHERE created_at >= ? GROUP BY scanner",
                (encode_time(since),),
            )
        return {scanner: number for scanner, number in rows}


def _alert_from_row(row: sqlite3.Row) -> StoredAlert:
    return from_row(StoredAlert, row, created_at=decode_time)
