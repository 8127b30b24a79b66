"""A store on a temp-file database, on a virtual clock, and a way to restart it."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import pytest

from bot.market.clock import VirtualClock
from bot.store import Database, Store
from tests.store.builders import START

OpenStore = Callable[[], Awaitable[Store]]
Restart = Callable[[Store], Awaitable[Store]]


@pytest.fixture
def clock() -> VirtualClock:
    return VirtualClock(START)


@pytest.fixture
async def open_store(db_path: Path, clock: VirtualClock) -> AsyncIterator[OpenStore]:
    opened: list[Database] = []

    async def open_() -> Store:
        db = await Database.open(db_path, clock=clock)
        opened.append(db)
        return Store(db)

    yield open_
    for db in opened:
        await db.close()


@pytest.fixture
async def store(open_store: OpenStore) -> Store:
    return await open_store()


@pytest.fixture
def restart(open_store: OpenStore) -> Restart:
    """Close the store's database and open the same file again, as a bot restart would."""

    async def restart_(store: Store) -> Store:
        await store.db.close()
        return await open_store()

    return restart_
