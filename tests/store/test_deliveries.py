"""Deliveries: queued, then sent, failed or digested exactly once, and never lost to a restart."""

from __future__ import annotations

import sqlite3
from datetime import timedelta

import pytest

from bot.market.clock import VirtualClock
from bot.store import DeliveryStateError, DeliveryTarget, Store
from tests.store.builders import GUILD, START, raise_alert
from tests.store.conftest import Restart

ALERTS = 1001
FLOOD = 1002
QUIET = 1003


async def test_a_due_delivery_is_still_due_after_a_restart_and_gone_once_sent(
    store: Store, restart: Restart
) -> None:
    queued = (await raise_alert(store, to_channels=[ALERTS])).deliveries[0]

    store = await restart(store)
    assert await store.deliveries.pending() == [queued]

    sent = await store.deliveries.mark_sent(queued.id, message_id=987654321098765432)
    store = await restart(store)

    assert await store.deliveries.pending() == []
    assert await store.deliveries.sent_counts_since([ALERTS], START) == {ALERTS: 1}
    assert (sent.status, sent.message_id, sent.attempts) == ("sent", 987654321098765432, 1)


async def test_pending_lists_the_oldest_first_and_honours_a_limit(store: Store, clock: VirtualClock) -> None:
    first = await raise_alert(store, to_channels=[ALERTS])
    clock.advance(5)
    second = await raise_alert(store, to_channels=[ALERTS, FLOOD])

    everything = await store.deliveries.pending()

    assert everything == first.deliveries + second.deliveries
    assert await store.deliveries.pending(limit=2) == everything[:2]


async def test_queueing_the_same_alert_for_a_channel_again_keeps_the_first_delivery(store: Store) -> None:
    recorded = await raise_alert(store, to_channels=[ALERTS])
    sent = await store.deliveries.mark_sent(recorded.deliveries[0].id, message_id=1)

    again = await store.deliveries.create_pending(
        recorded.alert.id, [DeliveryTarget(GUILD, ALERTS), DeliveryTarget(GUILD, FLOOD)]
    )

    assert [(d.channel_id, d.status) for d in again] == [(ALERTS, "sent"), (FLOOD, "pending")]
    assert again[0] == sent


async def test_a_delivery_goes_out_once(store: Store) -> None:
    queued = (await raise_alert(store, to_channels=[ALERTS])).deliveries[0]
    await store.deliveries.mark_sent(queued.id, message_id=1)

    with pytest.raises(DeliveryStateError, match="already sent"):
        await store.deliveries.mark_sent(queued.id, message_id=2)
    with pytest.raises(DeliveryStateError, match="already sent"):
        await store.deliveries.mark_failed(queued.id, "late")


async def test_moving_an_unknown_delivery_is_refused(store: Store) -> None:
    with pytest.raises(DeliveryStateError, match="no delivery 77"):
        await store.deliveries.mark_sent(77, message_id=1)


async def test_a_failed_delivery_keeps_its_reason_and_is_no_longer_due(store: Store) -> None:
    queued = (await raise_alert(store, to_channels=[ALERTS])).deliveries[0]

    failed = await store.deliveries.mark_failed(queued.id, "400 Invalid Form Body")

    assert (failed.status, failed.error, failed.attempts) == ("failed", "400 Invalid Form Body", 1)
    assert await store.deliveries.pending() == []


async def test_a_retried_delivery_stays_due_and_counts_its_attempts(store: Store) -> None:
    queued = (await raise_alert(store, to_channels=[ALERTS])).deliveries[0]

    await store.deliveries.record_retry(queued.id, "429 rate limited")
    retried = await store.deliveries.record_retry(queued.id, "429 rate limited")

    assert (retried.status, retried.attempts, retried.error) == ("pending", 2, "429 rate limited")
    assert await store.deliveries.pending() == [retried]
    sent = await store.deliveries.mark_sent(queued.id, message_id=5)
    assert (sent.attempts, sent.error) == (3, None)


async def test_a_digest_covers_its_deliveries_with_one_message(store: Store) -> None:
    queued = [(await raise_alert(store, to_channels=[FLOOD])).deliveries[0] for _ in range(3)]

    digested = await store.deliveries.mark_digested([d.id for d in queued], digest_message_id=4242)

    assert {(d.status, d.message_id) for d in digested} == {("digested", 4242)}
    assert await store.deliveries.pending() == []


async def test_a_digest_including_a_delivery_already_out_changes_nothing(store: Store) -> None:
    queued = [(await raise_alert(store, to_channels=[FLOOD])).deliveries[0] for _ in range(3)]
    await store.deliveries.mark_sent(queued[2].id, message_id=1)

    with pytest.raises(DeliveryStateError):
        await store.deliveries.mark_digested([d.id for d in queued], digest_message_id=4242)

    assert await store.deliveries.pending() == queued[:2]


async def test_the_hourly_budget_counts_messages_sent_to_that_channel_since_then(
    store: Store, clock: VirtualClock
) -> None:
    async def send_to(channel: int) -> None:
        queued = (await raise_alert(store, to_channels=[channel])).deliveries[0]
        await store.deliveries.mark_sent(queued.id, message_id=queued.id)

    await send_to(FLOOD)
    clock.advance(timedelta(minutes=90).total_seconds())
    an_hour_ago = clock.now() - timedelta(hours=1)
    await send_to(FLOOD)
    await send_to(FLOOD)
    await send_to(ALERTS)
    failed = (await raise_alert(store, to_channels=[FLOOD])).deliveries[0]
    await store.deliveries.mark_failed(failed.id, "403 Missing Access")
    await raise_alert(store, to_channels=[FLOOD])  # queued, not yet sent

    assert await store.deliveries.sent_counts_since([FLOOD, ALERTS, QUIET], an_hour_ago) == {FLOOD: 2, ALERTS: 1}


async def test_a_delivery_for_an_alert_that_does_not_exist_is_refused(store: Store) -> None:
    with pytest.raises(sqlite3.IntegrityError, match="FOREIGN KEY"):
        await store.deliveries.create_pending(404, [DeliveryTarget(GUILD, ALERTS)])

    assert await store.deliveries.pending() == []


async def test_deliveries_keep_the_ids_they_were_recorded_with_whatever_is_queued_after(store: Store) -> None:
    first = await raise_alert(store, to_channels=[ALERTS, FLOOD])
    second = await raise_alert(store, to_channels=[FLOOD])
    third = await raise_alert(store)
    added = await store.deliveries.create_pending(third.alert.id, [DeliveryTarget(GUILD, QUIET)])

    everything = await store.deliveries.pending()

    assert everything == first.deliveries + second.deliveries + added
    assert len({delivery.id for delivery in everything}) == 4


async def test_many_deliveries_are_marked_sent_at_once_and_one_no_longer_pending_is_left_alone(
    store: Store,
) -> None:
    queued = (await raise_alert(store, to_channels=[ALERTS, FLOOD, QUIET])).deliveries
    await store.deliveries.mark_failed(queued[2].id, "403 Missing Access")

    moved = await store.deliveries.mark_sent_many({queued[0].id: 7001, queued[1].id: 7002, queued[2].id: 7003})

    assert moved == 2
    assert await store.deliveries.pending() == []
    assert await store.deliveries.sent_counts_since([ALERTS, FLOOD, QUIET], START) == {ALERTS: 1, FLOOD: 1}
    with pytest.raises(DeliveryStateError, match="already sent"):
        await store.deliveries.mark_sent(queued[1].id, message_id=1)
