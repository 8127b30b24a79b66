"""Retention: forget alerts, their deliveries and dedup memory older than a cut-off."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.store.codec import encode_time
from bot.store.db import Database
from bot.store.deliveries import writing_deliveries


@dataclass(frozen=True)
class Pruned:
    alerts: int
    deliveries: int
    dedup_states: int


class Retention:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def prune(self, before: datetime) -> Pruned:
        """Delete alerts raised before `before` (with every delivery of them, whatever its
        status: one that old is no longer due) and dedup state last touched before it.

        Subscriptions, guild settings and named state are kept: they are not history.
        """
        cutoff = encode_time(before)
        async with writing_deliveries(self._db) as connection:
            # Deliveries first: the foreign key would refuse to delete an alert they point at.
            deliveries = await connection.execute(
                "DELETE FROM deliveries WHERE alert_id IN (SELECT id FROM alerts WHERE created_at < ?)",
                (cutoff,),
            )
            alerts = await connection.execute("DELETE FROM alerts WHERE created_at < ?", (cutoff,))
            dedup = await connection.execute("DELETE FROM dedup_state WHERE last_alerted_at < ?", (cutoff,))
        return Pruned(alerts=alerts.rowcount, deliveries=deliveries.rowcount, dedup_states=dedup.rowcount)
