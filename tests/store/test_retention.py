"""Retention: old history goes, everything recent and everything that is not history stays."""

from __future__ import annotations

from datetime import timedelta

from bot.market.clock import VirtualClock
from bot.store import DedupState, Pruned, Store
from tests.store.builders import GUILD, raise_alert

DAY = timedelta(days=1).total_seconds()


def remembered_at(clock: VirtualClock) -> DedupState:
    moment = clock.now()
    return DedupState(moment.date(), moment, moment, 50_000.0, 50_000.0, 1)


async def test_prune_removes_only_what_is_older_than_the_cut_off(store: Store, clock: VirtualClock) -> None:
    old = await raise_alert(store, ticker="OLD", to_channels=[1, 2])
    await store.deliveries.mark_sent(old.deliveries[0].id, message_id=9)  # sent or not, it goes
    await store.dedup.put("sweeps", "old-contract", remembered_at(clock))
    clock.advance(10 * DAY)
    cut_off = clock.now()
    recent = await raise_alert(store, ticker="NEW", to_channels=[1])
    kept = remembered_at(clock)
    await store.dedup.put("sweeps", "new-contract", kept)

    pruned = await store.retention.prune(before=cut_off)

    assert pruned == Pruned(alerts=1, deliveries=2, dedup_states=1)
    assert await store.alerts.recent() == [recent.alert]
    assert await store.deliveries.pending() == recent.deliveries
    assert await store.dedup.get("sweeps", "old-contract") is None
    assert await store.dedup.get("sweeps", "new-contract") == kept
    assert await store.db.integrity_check() == []


async def test_an_alert_exactly_at_the_cut_off_is_kept(store: Store, clock: VirtualClock) -> None:
    at_cut_off = await raise_alert(store)

    assert await store.retention.prune(before=clock.now()) == Pruned(alerts=0, deliveries=0, dedup_states=0)
    assert await store.alerts.recent() == [at_cut_off.alert]


async def test_prune_keeps_settings_subscriptions_and_named_state(store: Store, clock: VirtualClock) -> None:
    await store.guild_settings.set_overrides(GUILD, "sweeps", {"min_premium": 100_000})
    await store.subscriptions.subscribe(GUILD, 1, ["sweeps"])
    await store.state.set("darkpool.cursor.SPY", 42)
    clock.advance(400 * DAY)

    await store.retention.prune(before=clock.now())

    assert (await store.guild_settings.get(GUILD)).for_scanner("sweeps") == {"min_premium": 100_000}
    assert len(await store.subscriptions.channels_for("sweeps")) == 1
    assert await store.state.get("darkpool.cursor.SPY") == 42
