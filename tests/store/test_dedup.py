"""Dedup memory: what each scanner already alerted, kept across restarts."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

from bot.store import DedupState, Store
from tests.store.builders import START
from tests.store.conftest import Restart

CONTRACT = "O:SPY250321C00600000"
OTHER_CONTRACT = "O:QQQ250321P00450000"


def first_alert(premium: float = 120_000.0) -> DedupState:
    return DedupState(
        session_date=date(2025, 3, 3),
        first_alerted_at=START,
        last_alerted_at=START,
        last_alerted_premium=premium,
        accumulated_premium=premium,
        alerts_today=1,
    )


async def test_nothing_is_remembered_for_a_key_never_alerted(store: Store) -> None:
    assert await store.dedup.get("sweeps", CONTRACT) is None


async def test_an_accumulation_replaces_what_was_remembered(store: Store) -> None:
    await store.dedup.put("sweeps", CONTRACT, first_alert())
    accumulated = replace(
        first_alert(),
        last_alerted_at=START + timedelta(minutes=20),
        last_alerted_premium=260_000.0,
        accumulated_premium=260_000.0,
        alerts_today=2,
    )

    await store.dedup.put("sweeps", CONTRACT, accumulated)

    assert await store.dedup.get("sweeps", CONTRACT) == accumulated


async def test_each_scanner_remembers_on_its_own(store: Store) -> None:
    await store.dedup.put("sweeps", CONTRACT, first_alert())
    await store.dedup.put("golden_sweeps", CONTRACT, first_alert(premium=1_500_000.0))
    await store.dedup.put("sweeps", OTHER_CONTRACT, first_alert(premium=80_000.0))

    assert await store.dedup.for_scanner("sweeps") == {
        CONTRACT: first_alert(),
        OTHER_CONTRACT: first_alert(premium=80_000.0),
    }
    assert await store.dedup.get("golden_sweeps", CONTRACT) == first_alert(premium=1_500_000.0)


async def test_dedup_memory_survives_a_restart(store: Store, restart: Restart) -> None:
    state = replace(first_alert(), accumulated_premium=181_250.75, alerts_today=3)
    await store.dedup.put("sweeps", CONTRACT, state)

    store = await restart(store)

    assert await store.dedup.get("sweeps", CONTRACT) == state
