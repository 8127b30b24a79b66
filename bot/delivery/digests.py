"""Deliveries held back because their channel spent its hourly budget, waiting for the digest.

Only the ids and alerts live here; the deliveries stay `pending` in the database until the
digest is posted, so a restart folds them into the next digest instead of losing them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from bot.alerts import Alert


@dataclass
class HeldBatch:
    guild_id: int
    alerts: dict[int, Alert] = field(default_factory=dict)
    """delivery id → its alert, in the order they were held"""


class DigestQueue:
    def __init__(self) -> None:
        self._batches: dict[int, HeldBatch] = {}
        self._held: set[int] = set()
        """every delivery id held, so asking about one does not walk every channel's batch"""

    def hold(self, guild_id: int, channel_id: int, delivery_id: int, alert: Alert) -> None:
        self._batches.setdefault(channel_id, HeldBatch(guild_id)).alerts[delivery_id] = alert
        self._held.add(delivery_id)

    def has(self, channel_id: int) -> bool:
        return channel_id in self._batches

    def holds(self, delivery_id: int) -> bool:
        return delivery_id in self._held

    def batches(self) -> list[tuple[int, HeldBatch]]:
        """(channel id, a copy of its batch) for every channel with held deliveries."""
        return [(channel, HeldBatch(batch.guild_id, dict(batch.alerts))) for channel, batch in self._batches.items()]

    def release(self, channel_id: int, delivery_ids: Iterable[int]) -> None:
        batch = self._batches.get(channel_id)
        if batch is None:
            return
        for delivery_id in delivery_ids:
            if batch.alerts.pop(delivery_id, None) is not None:
                self._held.discard(delivery_id)
        if not batch.alerts:
            del self._batches[channel_id]

    def drop(self, channel_id: int) -> None:
        dropped = self._batches.pop(channel_id, None)
        if dropped is not None:
            self._held.difference_update(dropped.alerts)

    def __len__(self) -> int:
        return len(self._held)
