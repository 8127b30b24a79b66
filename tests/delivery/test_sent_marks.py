"""Posted deliveries marked sent in batches: every mark written, and not one lost to a failed write."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import cast

import pytest

from bot.delivery.sent_marks import SentMarks
from bot.store import Deliveries


class RecordingDeliveries:
    """`Deliveries.mark_sent_many` as SentMarks sees it: each call one transaction."""

    def __init__(self, failures: int = 0) -> None:
        self.transactions: list[dict[int, int]] = []
        self._failures = failures

    async def mark_sent_many(self, message_ids: Mapping[int, int]) -> int:
        await asyncio.sleep(0)  # a transaction takes a moment, in which more posts come back
        if self._failures:
            self._failures -= 1
            raise OSError("disk I/O error")
        self.transactions.append(dict(message_ids))
        return len(message_ids)


def marks_over(deliveries: RecordingDeliveries) -> SentMarks:
    return SentMarks(cast(Deliveries, deliveries))


async def test_marks_arriving_while_one_is_written_share_the_next_transaction() -> None:
    deliveries = RecordingDeliveries()
    marks = marks_over(deliveries)
    await asyncio.gather(*(marks.mark(delivery_id, 900 + delivery_id) for delivery_id in range(1, 101)))
    assert deliveries.transactions == [{1: 901}, {delivery_id: 900 + delivery_id for delivery_id in range(2, 101)}]


async def test_a_lone_mark_is_written_at_once() -> None:
    deliveries = RecordingDeliveries()
    marks = marks_over(deliveries)
    await marks.mark(1, 901)
    await marks.mark(2, 902)
    assert deliveries.transactions == [{1: 901}, {2: 902}]


async def test_a_batch_whose_write_failed_goes_out_with_the_next() -> None:
    deliveries = RecordingDeliveries(failures=1)
    marks = marks_over(deliveries)
    outcomes = await asyncio.gather(marks.mark(1, 901), marks.mark(2, 902), return_exceptions=True)
    assert isinstance(outcomes[0], OSError) and outcomes[1] is None
    assert deliveries.transactions == [{1: 901, 2: 902}]


async def test_a_mark_that_cannot_be_written_raises() -> None:
    marks = marks_over(RecordingDeliveries(failures=1))
    with pytest.raises(OSError):
        await marks.mark(1, 901)
