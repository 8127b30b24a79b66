"""Named values that outlive a restart, such as the dark-pool cursor of each symbol."""

from __future__ import annotations

import math

import pytest

from bot.store import Store
from tests.store.conftest import Restart

CURSOR = "darkpool.cursor.AAPL"


async def test_an_unset_name_reads_as_none(store: Store) -> None:
    assert await store.state.get(CURSOR) is None


async def test_a_value_is_replaced_by_the_next_one(store: Store) -> None:
    await store.state.set(CURSOR, 1_741_014_000_123_456_789)
    await store.state.set(CURSOR, 1_741_014_060_000_000_001)

    assert await store.state.get(CURSOR) == 1_741_014_060_000_000_001


async def test_a_deleted_name_is_gone(store: Store) -> None:
    await store.state.set(CURSOR, 1)

    assert await store.state.delete(CURSOR) is True
    assert await store.state.get(CURSOR) is None
    assert await store.state.delete(CURSOR) is False


async def test_a_value_json_cannot_carry_is_refused_and_the_old_one_kept(store: Store) -> None:
    await store.state.set("status.snapshot", {"requests_per_minute": 280})

    with pytest.raises(ValueError):
        await store.state.set("status.snapshot", {"requests_per_minute": math.nan})

    assert await store.state.get("status.snapshot") == {"requests_per_minute": 280}


async def test_values_survive_a_restart(store: Store, restart: Restart) -> None:
    # Nanosecond cursors exceed a double's precision; they must come back exact.
    await store.state.set(CURSOR, 1_741_014_000_123_456_789)
    await store.state.set("status.snapshot", {"scanners": {"sweeps": {"alerts": 4}}, "lag": [1.5, None]})

    store = await restart(store)

    assert await store.state.get(CURSOR) == 1_741_014_000_123_456_789
    assert await store.state.get("status.snapshot") == {
        "scanners": {"sweeps": {"alerts": 4}},
        "lag": [1.5, None],
    }
