"""Channels subscribed to scanners, and what happens when a channel breaks."""

from __future__ import annotations

import sqlite3
from datetime import timedelta

import pytest

from bot.market.clock import VirtualClock
from bot.store import DeliveryStateError, Store, Subscription
from tests.store.builders import GUILD, OTHER_GUILD, raise_alert
from tests.store.conftest import Restart

ALERTS = 1001
SCALPS = 1002
ELSEWHERE = 2001


def where(subscriptions: list[Subscription]) -> set[tuple[int, str]]:
    return {(subscription.channel_id, subscription.scanner) for subscription in subscriptions}


async def test_a_subscribed_channel_receives_that_scanner_only(store: Store) -> None:
    await store.subscriptions.subscribe(GUILD, ALERTS, ["sweeps", "golden_sweeps"])
    await store.subscriptions.subscribe(OTHER_GUILD, ELSEWHERE, ["sweeps"])

    assert where(await store.subscriptions.channels_for("sweeps")) == {
        (ALERTS, "sweeps"),
        (ELSEWHERE, "sweeps"),
    }
    assert where(await store.subscriptions.channels_for("golden_sweeps")) == {(ALERTS, "golden_sweeps")}
    assert await store.subscriptions.channels_for("darkpool") == ()


async def test_subscribe_returns_the_new_subscriptions_as_active(store: Store, clock: VirtualClock) -> None:
    subscribed = await store.subscriptions.subscribe(GUILD, ALERTS, ["flow"])

    assert subscribed == [
        Subscription(GUILD, ALERTS, "flow", "active", None, clock.now(), clock.now()),
    ]


async def test_a_guild_sees_its_own_subscriptions_only(store: Store) -> None:
    await store.subscriptions.subscribe(GUILD, ALERTS, ["flow"])
    await store.subscriptions.subscribe(GUILD, SCALPS, ["scalps"])
    await store.subscriptions.subscribe(OTHER_GUILD, ELSEWHERE, ["flow"])

    assert where(await store.subscriptions.for_guild(GUILD)) == {(ALERTS, "flow"), (SCALPS, "scalps")}
    assert len(await store.subscriptions.all()) == 3


async def test_a_broken_channel_gets_nothing_until_it_is_subscribed_again(
    store: Store, clock: VirtualClock
) -> None:
    first = await store.subscriptions.subscribe(GUILD, ALERTS, ["sweeps", "flow"])
    await store.subscriptions.subscribe(GUILD, SCALPS, ["sweeps"])

    assert await store.subscriptions.mark_broken(ALERTS, "403 Missing Access") == 2

    assert where(await store.subscriptions.channels_for("sweeps")) == {(SCALPS, "sweeps")}
    assert await store.subscriptions.channels_for("flow") == ()
    shown = {s.scanner: s for s in await store.subscriptions.for_guild(GUILD) if s.channel_id == ALERTS}
    assert {(s.status, s.last_error) for s in shown.values()} == {("broken", "403 Missing Access")}

    clock.advance(timedelta(hours=2).total_seconds())
    fixed = await store.subscriptions.subscribe(GUILD, ALERTS, ["sweeps"])

    assert (fixed[0].status, fixed[0].last_error) == ("active", None)
    assert fixed[0].created_at == first[0].created_at  # still the same subscription
    assert fixed[0].updated_at == clock.now()
    assert where(await store.subscriptions.channels_for("sweeps")) == {(ALERTS, "sweeps"), (SCALPS, "sweeps")}
    assert await store.subscriptions.channels_for("flow") == ()  # only what was re-subscribed


async def test_breaking_a_channel_fails_what_was_queued_for_it_and_nothing_else(store: Store) -> None:
    await store.subscriptions.subscribe(GUILD, ALERTS, ["sweeps"])
    queued = await raise_alert(store, to_channels=[ALERTS, SCALPS])

    await store.subscriptions.mark_broken(ALERTS, "404 Unknown Channel")

    still_due = await store.deliveries.pending()
    assert [delivery.channel_id for delivery in still_due] == [SCALPS]
    to_broken = next(d for d in queued.deliveries if d.channel_id == ALERTS)
    with pytest.raises(DeliveryStateError, match="already failed"):
        await store.deliveries.mark_sent(to_broken.id, message_id=1)


async def test_unsubscribing_one_scanner_keeps_the_others(store: Store) -> None:
    await store.subscriptions.subscribe(GUILD, ALERTS, ["sweeps", "flow"])

    assert await store.subscriptions.unsubscribe(GUILD, ALERTS, "sweeps") is True

    assert where(await store.subscriptions.all()) == {(ALERTS, "flow")}


async def test_unsubscribing_without_a_scanner_clears_the_channel(store: Store) -> None:
    await store.subscriptions.subscribe(GUILD, ALERTS, ["sweeps", "flow"])
    await store.subscriptions.subscribe(GUILD, SCALPS, ["scalps"])

    assert await store.subscriptions.unsubscribe(GUILD, ALERTS) is True

    assert where(await store.subscriptions.all()) == {(SCALPS, "scalps")}


async def test_unsubscribing_what_is_not_subscribed_says_so(store: Store) -> None:
    await store.subscriptions.subscribe(GUILD, ALERTS, ["sweeps"])

    assert await store.subscriptions.unsubscribe(GUILD, ALERTS, "flow") is False
    assert await store.subscriptions.unsubscribe(GUILD, SCALPS) is False


async def test_a_guild_cannot_unsubscribe_another_guilds_channel(store: Store) -> None:
    await store.subscriptions.subscribe(OTHER_GUILD, ELSEWHERE, ["sweeps"])

    assert await store.subscriptions.unsubscribe(GUILD, ELSEWHERE) is False
    assert where(await store.subscriptions.channels_for("sweeps")) == {(ELSEWHERE, "sweeps")}


async def test_one_scanner_name_passed_as_a_string_is_refused(store: Store) -> None:
    # A bare string would otherwise subscribe to "s", "w", "e", ...
    with pytest.raises(TypeError):
        await store.subscriptions.subscribe(GUILD, ALERTS, "sweeps")
    with pytest.raises(ValueError):
        await store.subscriptions.subscribe(GUILD, ALERTS, [])
    assert await store.subscriptions.all() == []


async def test_subscriptions_and_their_health_survive_a_restart(store: Store, restart: Restart) -> None:
    await store.subscriptions.subscribe(GUILD, ALERTS, ["darkpool"])
    await store.subscriptions.subscribe(GUILD, SCALPS, ["scalps"])
    await store.subscriptions.mark_broken(SCALPS, "403 Missing Permissions")
    before = await store.subscriptions.all()

    store = await restart(store)

    assert await store.subscriptions.all() == before
    assert where(await store.subscriptions.channels_for("scalps")) == set()


async def test_channels_subscribed_after_the_subscriptions_were_read_are_seen_at_once(store: Store) -> None:
    await store.subscriptions.subscribe(GUILD, ALERTS, ["sweeps"])
    assert where(await store.subscriptions.channels_for("sweeps")) == {(ALERTS, "sweeps")}  # now in memory

    await store.subscriptions.subscribe(OTHER_GUILD, ELSEWHERE, ["sweeps", "flow"])

    assert where(await store.subscriptions.channels_for("sweeps")) == {(ALERTS, "sweeps"), (ELSEWHERE, "sweeps")}
    assert where(await store.subscriptions.channels_for("flow")) == {(ELSEWHERE, "flow")}


async def test_unsubscribed_and_broken_channels_leave_at_once_and_a_resubscribed_one_returns(store: Store) -> None:
    await store.subscriptions.subscribe(GUILD, ALERTS, ["sweeps", "flow"])
    await store.subscriptions.subscribe(GUILD, SCALPS, ["sweeps"])
    await store.subscriptions.subscribe(OTHER_GUILD, ELSEWHERE, ["sweeps"])
    assert len(await store.subscriptions.channels_for("sweeps")) == 3  # now in memory

    await store.subscriptions.unsubscribe(GUILD, ALERTS, "sweeps")
    await store.subscriptions.mark_broken(ELSEWHERE, "403 Missing Access")

    assert where(await store.subscriptions.channels_for("sweeps")) == {(SCALPS, "sweeps")}
    assert where(await store.subscriptions.channels_for("flow")) == {(ALERTS, "flow")}
    await store.subscriptions.subscribe(OTHER_GUILD, ELSEWHERE, ["sweeps"])
    assert where(await store.subscriptions.channels_for("sweeps")) == {(SCALPS, "sweeps"), (ELSEWHERE, "sweeps")}


async def test_a_scanner_s_subscriptions_are_the_same_tuple_until_they_change(store: Store) -> None:
    # The router keeps what it built from a scanner's subscriptions while this holds.
    await store.subscriptions.subscribe(GUILD, ALERTS, ["sweeps"])
    sweeps = await store.subscriptions.channels_for("sweeps")
    flow = await store.subscriptions.channels_for("flow")

    await store.subscriptions.subscribe(GUILD, SCALPS, ["flow"])

    assert await store.subscriptions.channels_for("sweeps") is sweeps
    assert await store.subscriptions.channels_for("flow") != flow
    assert await store.subscriptions.channels_for("flow") is await store.subscriptions.channels_for("flow")


async def test_subscriptions_come_in_guild_then_channel_order(store: Store) -> None:
    await store.subscriptions.subscribe(OTHER_GUILD, ELSEWHERE, ["sweeps"])
    await store.subscriptions.subscribe(GUILD, SCALPS, ["sweeps"])
    await store.subscriptions.channels_for("sweeps")
    await store.subscriptions.subscribe(GUILD, ALERTS, ["sweeps"])

    found = await store.subscriptions.channels_for("sweeps")

    assert [(s.guild_id, s.channel_id) for s in found] == [(GUILD, ALERTS), (GUILD, SCALPS), (OTHER_GUILD, ELSEWHERE)]


async def test_a_subscribe_that_fails_changes_nothing_in_memory_or_on_disk(store: Store) -> None:
    await store.subscriptions.subscribe(GUILD, ALERTS, ["sweeps"])
    before = await store.subscriptions.channels_for("sweeps")

    with pytest.raises(sqlite3.IntegrityError):
        await store.subscriptions.subscribe(GUILD, SCALPS, ["sweeps", None])  # type: ignore[list-item]

    assert await store.subscriptions.channels_for("sweeps") == before
    assert where(await store.subscriptions.all()) == {(ALERTS, "sweeps")}
