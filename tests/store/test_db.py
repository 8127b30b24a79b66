"""Opening the database: pragmas, migrations, refusals, and transactions that are all or nothing."""

from __future__ import annotations

import asyncio
import re
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from bot.store import Database, MigrationError, SchemaTooNewError, StoreError
from bot.store.db import fetch_all, fetch_int, fetch_one
from bot.store.schema import Migration, bundled_migrations
from tests.store.builders import raise_alert
from tests.store.conftest import OpenStore, Restart

APPLICATION_TABLES = {
    "guild_overrides",
    "guild_tickers",
    "subscriptions",
    "alerts",
    "deliveries",
    "packed_deliveries",
    "dedup_state",
    "state",
}


@contextmanager
def raw(path: Path) -> Iterator[sqlite3.Connection]:
    """A plain connection behind the store's back, to see (or damage) what is on disk."""
    connection = sqlite3.connect(path)
    try:
        yield connection
        connection.commit()
    finally:
        connection.close()


def tables_on_disk(path: Path) -> set[str]:
    with raw(path) as connection:
        return {name for (name,) in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}


def recorded_migrations(path: Path) -> list[tuple[int, str]]:
    with raw(path) as connection:
        return list(connection.execute("SELECT version, name FROM schema_migrations ORDER BY version"))


def dump(path: Path) -> list[str]:
    with raw(path) as connection:
        return list(connection.iterdump())


def with_extra(*migrations: Migration) -> list[Migration]:
    return [*bundled_migrations(), *migrations]


async def pragma(db: Database, name: str) -> object:
    async with db.read() as connection:
        row = await fetch_one(connection, f"PRAGMA {name}")
    assert row is not None
    return row[0]


async def count_rows(db: Database, table: str) -> int:
    async with db.read() as connection:
        return await fetch_int(connection, f"SELECT COUNT(*) FROM {table}")


async def test_a_fresh_database_gets_every_table_and_records_its_migrations(db_path: Path) -> None:
    async with await Database.open(db_path) as db:
        assert await db.schema_version() == len(bundled_migrations())
    assert tables_on_disk(db_path) >= APPLICATION_TABLES
    assert recorded_migrations(db_path) == [(m.version, m.name) for m in bundled_migrations()]


async def test_the_folder_of_the_database_is_created(tmp_path: Path) -> None:
    nested = tmp_path / "data" / "deeper" / "orakl.db"
    async with await Database.open(nested):
        pass
    assert nested.is_file()


async def test_the_connection_runs_in_wal_with_foreign_keys_and_a_busy_timeout(db_path: Path) -> None:
    async with await Database.open(db_path) as db:
        assert await pragma(db, "journal_mode") == "wal"
        assert await pragma(db, "foreign_keys") == 1
        assert await pragma(db, "busy_timeout") == 5000
        assert await pragma(db, "synchronous") == 1  # NORMAL
    with raw(db_path) as connection:  # WAL is a property of the file, kept for every reader
        assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


async def test_reopening_applies_nothing_again_and_keeps_the_data(
    open_store: OpenStore, restart: Restart, db_path: Path
) -> None:
    store = await open_store()
    recorded = await raise_alert(store, ticker="NVDA")
    before = recorded_migrations(db_path)

    store = await restart(store)

    assert recorded_migrations(db_path) == before
    assert await store.alerts.get(recorded.alert.id) == recorded.alert


async def test_a_newer_database_is_refused_with_advice_and_left_untouched(db_path: Path) -> None:
    async with await Database.open(db_path):
        pass
    with raw(db_path) as connection:
        connection.execute("INSERT INTO schema_migrations VALUES (7, 'from_the_future', '2030-01-01')")
    before = dump(db_path)

    with pytest.raises(SchemaTooNewError) as refused:
        await Database.open(db_path)

    known = len(bundled_migrations())
    assert str(refused.value) == (
        f"database schema v7 is newer than this ORAKL (knows up to v{known}); "
        "upgrade ORAKL or point ORAKL_SQLITE_PATH elsewhere"
    )
    assert dump(db_path) == before


async def test_a_failing_migration_leaves_nothing_behind(db_path: Path) -> None:
    broken = Migration(
        len(bundled_migrations()) + 1,
        "half_done",
        "CREATE TABLE watchlists (symbol TEXT);\nINSERT INTO no_such_table VALUES (1);",
    )

    with pytest.raises(MigrationError, match=r"half_done.*rolled back"):
        await Database.open(db_path, migrations=with_extra(broken))

    assert "watchlists" not in tables_on_disk(db_path)
    assert [version for version, _ in recorded_migrations(db_path)] == [
        m.version for m in bundled_migrations()
    ]


async def test_migrations_before_a_failing_one_stay_applied(db_path: Path) -> None:
    next_version = len(bundled_migrations()) + 1
    good = Migration(next_version, "watchlists", "CREATE TABLE watchlists (symbol TEXT);")
    bad = Migration(next_version + 1, "typo", "CREAT TABLE oops (x);")

    with pytest.raises(MigrationError, match="typo"):
        await Database.open(db_path, migrations=with_extra(good, bad))

    assert "watchlists" in tables_on_disk(db_path)
    assert recorded_migrations(db_path)[-1] == (next_version, "watchlists")


async def test_a_file_that_is_not_a_database_is_refused_naming_it(db_path: Path) -> None:
    db_path.write_bytes(b"these are not the pages you are looking for" * 100)

    with pytest.raises(StoreError, match=re.escape(str(db_path))):
        await Database.open(db_path)


async def test_a_sound_database_passes_the_integrity_check(open_store: OpenStore) -> None:
    store = await open_store()
    await raise_alert(store, to_channels=[1, 2])
    assert await store.db.integrity_check() == []


async def test_the_integrity_check_reports_a_delivery_whose_alert_is_gone(db_path: Path) -> None:
    async with await Database.open(db_path):
        pass
    with raw(db_path) as connection:  # foreign keys are off on a plain connection
        connection.execute(
            "INSERT INTO deliveries (alert_id, guild_id, channel_id, status, created_at, updated_at)"
            " VALUES (404, 1, 2, 'pending', 'x', 'x')"
        )

    async with await Database.open(db_path) as db:
        problems = await db.integrity_check()

    assert len(problems) == 1
    assert "deliveries" in problems[0] and "alerts" in problems[0]


async def test_a_write_that_raises_is_rolled_back_entirely(db_path: Path) -> None:
    async with await Database.open(db_path) as db:
        with pytest.raises(RuntimeError):
            async with db.write() as connection:
                await connection.execute("INSERT INTO state VALUES ('a', '1', 'x')")
                raise RuntimeError("crash between two statements")

        assert await count_rows(db, "state") == 0


async def test_a_write_cancelled_midway_is_rolled_back_and_the_database_stays_usable(db_path: Path) -> None:
    async with await Database.open(db_path) as db:
        halfway = asyncio.Event()

        async def interrupted_write() -> None:
            async with db.write() as connection:
                await connection.execute("INSERT INTO state VALUES ('a', '1', 'x')")
                halfway.set()
                await asyncio.Event().wait()  # never comes back: the task is cancelled here

        task = asyncio.create_task(interrupted_write())
        await halfway.wait()
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task

        async with db.write() as connection:
            await connection.execute("INSERT INTO state VALUES ('b', '2', 'x')")
        async with db.read() as connection:
            keys = [row["key"] for row in await fetch_all(connection, "SELECT key FROM state")]
        assert keys == ["b"]


async def test_concurrent_writers_take_turns_and_all_land(db_path: Path) -> None:
    async with await Database.open(db_path) as db:

        async def write_pair(index: int) -> None:
            async with db.write() as connection:
                await connection.execute("INSERT INTO state VALUES (?, '1', 'x')", (f"first-{index}",))
                await asyncio.sleep(0)  # let the other writers try to start in between
                await connection.execute("INSERT INTO state VALUES (?, '1', 'x')", (f"second-{index}",))

        await asyncio.gather(*(write_pair(index) for index in range(20)))

        assert await count_rows(db, "state") == 40
