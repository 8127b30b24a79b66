"""Marking posted deliveries `sent`, many to a transaction.

A mark waits while the previous batch is being written and then goes out with every mark
that arrived meanwhile: posts that come back together (one alert's thousands) share a few
transactions instead of one each, while a post that comes back alone is still marked at once.
"""

from __future__ import annotations

import asyncio
import logging

from bot.store import Deliveries

log = logging.getLogger(__name__)


class SentMarks:
    def __init__(self, deliveries: Deliveries) -> None:
        self._deliveries = deliveries
        self._waiting: dict[int, int] = {}
        """delivery id → Discord message id, posted and not yet marked"""
        self._writing = asyncio.Lock()

    async def mark(self, delivery_id: int, message_id: int) -> None:
        """Returns once the delivery is marked sent in the database."""
        self._waiting[delivery_id] = message_id
        async with self._writing:
            if delivery_id not in self._waiting:
                return  # an earlier batch took it
            batch, self._waiting = self._waiting, {}
            try:
                moved = await self._deliveries.mark_sent_many(batch)
            except BaseException:
                # The others of the batch, still waiting for the lock, write it again.
                self._waiting = batch | self._waiting
                raise
        if moved < len(batch):
            log.warning(
                "%d of %d posted deliveries were no longer pending, left as they were", len(batch) - moved, len(batch)
            )
