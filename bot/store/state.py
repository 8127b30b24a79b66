"""Small named values that must survive a restart.

For what is one value per name rather than a table of its own: the dark-pool cursor of each
symbol (the last `sip_timestamp` read), the last status snapshot that `python -m bot status`
shows. Names are dotted by owner, e.g. `darkpool.cursor.AAPL`.
"""

from __future__ import annotations

from pydantic import JsonValue

from bot.store.codec import decode_json, encode_json, encode_time
from bot.store.db import Database, fetch_one


class KeyValueState:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def get(self, key: str) -> JsonValue:
        """The value stored under `key`, or None when there is none."""
        async with self._db.read() as connection:
            row = await fetch_one(connection, "SELECT value FROM state WHERE key = ?", (key,))
        return None if row is None else decode_json(row["value"])

    async def set(self, key: str, value: JsonValue) -> None:
        encoded = encode_json(value)
        async with self._db.write() as connection:
            await connection.execute(
                "INSERT INTO state (key, value, updated_at) VALUES (?, ?, ?) ON CONFLICT (key)"
                " DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
                (key, encoded, encode_time(self._db.clock.now())),
            )

    async def delete(self, key: str) -> bool:
        async with self._db.write() as connection:
            deleted = await connection.execute("DELETE FROM state WHERE key = ?", (key,))
        return deleted.rowcount > 0
