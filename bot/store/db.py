"""The one SQLite connection ORAKL writes through, and the migrations that shape it.

One connection (aiosqlite runs it on its own thread, so the event loop never blocks) and a
lock around every transaction: writes are serialized, and each repository method runs as one
transaction, so a crash or a cancelled task never leaves half of a change behind.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from collections.abc import AsyncIterator, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager, suppress
from pathlib import Path
from types import TracebackType

import aiosqlite

from bot.market.clock import Clock, WallClock
from bot.store.codec import encode_time
from bot.store.errors import MigrationError, SchemaTooNewError, StoreError
from bot.store.schema import Migration, bundled_migrations

log = logging.getLogger(__name__)

BUSY_TIMEOUT_MS = 5000

SCHEMA_TABLE = """
CREATE TABLE IF NOT EXISTS schema_migrations (
    version    INTEGER PRIMARY KEY,
    name       TEXT NOT NULL,
    applied_at TEXT NOT NULL
)"""


class Database:
    """Open with `await Database.open(path)`; use as `async with` or `await db.close()`.

    `clock` stamps every row the repositories write, so replays and tests get their own time.
    """

    def __init__(self, connection: aiosqlite.Connection, path: Path, clock: Clock) -> None:
        self._connection = connection
        self._lock = asyncio.Lock()
        self._closed = False
        self.path = path
        self.clock = clock

    @classmethod
    async def open(
        cls,
        path: Path,
        *,
        clock: Clock | None = None,
        migrations: Sequence[Migration] | None = None,
    ) -> Database:
        """Open (creating it if needed) the database at `path` and bring its schema up to date.

        `migrations` defaults to the ones shipped in `bot/store/migrations/`.
        """
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            return await cls._connect(path, clock or WallClock(), migrations)
        except sqlite3.Error as error:
            raise StoreError(f"cannot use {path} as the ORAKL database: {error}") from error

    @classmethod
    async def _connect(cls, path: Path, clock: Clock, migrations: Sequence[Migration] | None) -> Database:
        connection = await aiosqlite.connect(path, isolation_level=None)
        database = cls(connection, path, clock)
        try:
            await database._prepare(bundled_migrations() if migrations is None else migrations)
        except BaseException:
            await connection.close()
            raise
        return database

    async def close(self) -> None:
        # Waiting for the lock lets a transaction in flight finish rather than be cut off.
        async with self._lock:
            if self._closed:
                return
            self._closed = True
            await self._connection.execute("PRAGMA optimize")
            await self._connection.close()

    async def __aenter__(self) -> Database:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.close()

    def read(self) -> AbstractAsyncContextManager[aiosqlite.Connection]:
        """A transaction for reads: several SELECTs inside it see one consistent state."""
        return self._transaction("BEGIN")

    def write(self) -> AbstractAsyncContextManager[aiosqlite.Connection]:
        """A transaction for writes, committed when the block ends and rolled back if it raises."""
        return self._transaction("BEGIN IMMEDIATE")

    async def schema_version(self) -> int:
        async with self.read() as connection:
            return await _recorded_version(connection)

    async def integrity_check(self) -> list[str]:
        """What is wrong with the file and its foreign keys; empty when the database is sound."""
        async with self.read() as connection:
            pages = [row[0] for row in await fetch_all(connection, "PRAGMA integrity_check")]
            orphans = await fetch_all(connection, "PRAGMA foreign_key_check")
        problems = [] if pages == ["ok"] else pages
        problems += [
            f"{table} row {rowid} refers to a missing {parent} row" for table, rowid, parent, _ in orphans
        ]
        return problems

    @asynccontextmanager
    async def _transaction(self, begin: str) -> AsyncIterator[aiosqlite.Connection]:
        async with self._lock:
            try:
                await self._connection.execute(begin)
                yield self._connection
            except BaseException:
                await self._rollback()
                raise
            await self._connection.execute("COMMIT")

    async def _rollback(self) -> None:
        # aiosqlite runs statements in the order they were queued, even for a cancelled task,
        # so this ROLLBACK lands after whatever the transaction had already sent. When BEGIN
        # itself failed there is nothing to roll back, and SQLite says so.
        with suppress(sqlite3.OperationalError):
            await self._connection.execute("ROLLBACK")

    async def _prepare(self, migrations: Sequence[Migration]) -> None:
        connection = self._connection
        connection.row_factory = sqlite3.Row
        await connection.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        # Refuse a newer database before changing anything in it.
        recorded = await _recorded_version(connection)
        known = migrations[-1].version if migrations else 0
        if recorded > known:
            raise SchemaTooNewError(recorded, known)
        journal = await fetch_one(connection, "PRAGMA journal_mode = WAL")
        if journal is None or journal[0] != "wal":
            log.warning("SQLite at %s cannot use WAL; readers will wait for writers", self.path)
        await connection.execute("PRAGMA foreign_keys = ON")
        await connection.execute("PRAGMA synchronous = NORMAL")
        await connection.execute(SCHEMA_TABLE)
        for migration in migrations:
            if migration.version > recorded:
                await self._apply(migration)

    async def _apply(self, migration: Migration) -> None:
        connection = self._connection
        try:
            # executescript commits any open transaction before it runs, so BEGIN goes
            # inside the script and the transaction stays open for the record below.
            await connection.executescript(f"BEGIN IMMEDIATE;\n{migration.sql}")
            await connection.execute(
                "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)",
                (migration.version, migration.name, encode_time(self.clock.now())),
            )
            await connection.execute("COMMIT")
        except BaseException as error:
            await self._rollback()
            if isinstance(error, sqlite3.Error):
                raise MigrationError(
                    f"migration {migration.filename} failed and was rolled back: {error}"
                ) from error
            raise
        log.info("applied migration %s to %s", migration.filename, self.path)


async def fetch_all(
    connection: aiosqlite.Connection, sql: str, parameters: Sequence[object] = ()
) -> list[sqlite3.Row]:
    return list(await connection.execute_fetchall(sql, parameters))


async def fetch_one(
    connection: aiosqlite.Connection, sql: str, parameters: Sequence[object] = ()
) -> sqlite3.Row | None:
    rows = await fetch_all(connection, sql, parameters)
    return rows[0] if rows else None


async def fetch_int(connection: aiosqlite.Connection, sql: str, parameters: Sequence[object] = ()) -> int:
    """The one number a query such as `SELECT COUNT(*) ...` answers."""
    row = await fetch_one(connection, sql, parameters)
    return int(row[0]) if row is not None else 0


async def _recorded_version(connection: aiosqlite.Connection) -> int:
    table = await fetch_one(
        connection, "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'"
    )
    if table is None:
        return 0
    return await fetch_int(connection, "SELECT COALESCE(MAX(version), 0) FROM schema_migrations")
