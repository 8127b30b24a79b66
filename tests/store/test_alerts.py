"""The alert log: what was raised, found again by ticker or scanner, counted per scanner."""

from __future__ import annotations

import json
import sqlite3
from datetime import timedelta

import pytest

from bot.market.clock import VirtualClock
from bot.store import Store, StoredAlert
from tests.store.builders import raise_alert
from tests.store.conftest import Restart


async def test_a_logged_alert_reads_back_as_it_was_written(store: Store, clock: VirtualClock) -> None:
    recorded = await raise_alert(store, scanner="golden_sweeps", ticker="NVDA")

    stored = await store.alerts.get(recorded.alert.id)

    assert stored == recorded.alert
    assert (stored.scanner, stored.ticker, stored.created_at) == ("golden_sweeps", "NVDA", clock.now())
    assert json.loads(stored.payload)["premium"] == 125_000.0


async def test_an_unknown_alert_is_none(store: Store) -> None:
    assert await store.alerts.get(12345) is None


async def test_an_alert_and_its_deliveries_are_stored_together(store: Store) -> None:
    recorded = await raise_alert(store, to_channels=[10, 20])

    assert {(d.alert_id, d.channel_id, d.status) for d in recorded.deliveries} == {
        (recorded.alert.id, 10, "pending"),
        (recorded.alert.id, 20, "pending"),
    }
    assert await store.deliveries.pending() == recorded.deliveries


async def test_a_channel_named_twice_is_queued_once(store: Store) -> None:
    recorded = await raise_alert(store, to_channels=[10, 20, 10])

    assert [d.channel_id for d in recorded.deliveries] == [10, 20]
    assert await store.deliveries.pending() == recorded.deliveries


async def test_a_payload_that_is_not_json_stores_neither_alert_nor_deliveries(store: Store) -> None:
    with pytest.raises(sqlite3.IntegrityError):
        await store.alerts.add(
            scanner="sweeps", ticker="SPY", dedup_key="k", payload="{not json", deliver_to=[]
        )

    assert await store.alerts.recent() == []
    assert await store.deliveries.pending() == []


async def test_recent_is_newest_first_and_filters_by_ticker_and_scanner(
    store: Store, clock: VirtualClock
) -> None:
    raised = []
    for scanner, ticker in [("sweeps", "SPY"), ("flow", "SPY"), ("sweeps", "QQQ"), ("sweeps", "SPY")]:
        raised.append((await raise_alert(store, scanner=scanner, ticker=ticker)).alert)
        clock.advance(30)

    def ids(alerts: list[StoredAlert]) -> list[int]:
        return [alert.id for alert in alerts]

    assert ids(await store.alerts.recent()) == ids(raised[::-1])
    assert ids(await store.alerts.recent(ticker="SPY")) == ids([raised[3], raised[1], raised[0]])
    assert ids(await store.alerts.recent(scanner="sweeps", ticker="SPY")) == ids([raised[3], raised[0]])
    assert ids(await store.alerts.recent(ticker="SPY", limit=1)) == ids([raised[3]])
    assert await store.alerts.recent(ticker="TSLA") == []


async def test_counts_since_counts_each_scanner_from_the_moment_given(
    store: Store, clock: VirtualClock
) -> None:
    await raise_alert(store, scanner="sweeps")
    clock.advance(timedelta(minutes=61).total_seconds())
    an_hour_ago = clock.now()
    await raise_alert(store, scanner="sweeps")
    await raise_alert(store, scanner="sweeps")
    await raise_alert(store, scanner="darkpool", ticker="AAPL")
    clock.advance(timedelta(minutes=60).total_seconds())

    assert await store.alerts.counts_since(an_hour_ago) == {"sweeps": 2, "darkpool": 1}
    assert await store.alerts.counts_since(clock.now()) == {}


async def test_alerts_survive_a_restart(store: Store, restart: Restart) -> None:
    recorded = await raise_alert(store, ticker="AMD")

    store = await restart(store)

    assert await store.alerts.recent(ticker="AMD") == [recorded.alert]
