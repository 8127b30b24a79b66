"""What each scanner already alerted, per (scanner, key), so a restart does not repeat it.

The rules (a first alert is NEW; a re-alert is ACCUMULATION when the accumulated premium
reaches 2x the last alerted and 15 minutes have passed, at most 3 a day) belong to the
scanners (`bot/scanners/dedup.py`); this module only keeps their memory. A scanner keys by
what it dedups on: the option contract, a dark-pool print, a breakout's symbol and direction.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import date, datetime

from bot.store.codec import decode_time, encode_time, from_row
from bot.store.db import Database, fetch_all, fetch_one


@dataclass(frozen=True, slots=True)
class DedupState:
    session_date: date
    """The ET session the counts below belong to; a new session starts them over."""
    first_alerted_at: datetime
    last_alerted_at: datetime
    last_alerted_premium: float
    accumulated_premium: float
    """Premium summed for this key in the session, alerted or not."""
    alerts_today: int


class DedupStates:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def get(self, scanner: str, key: str) -> DedupState | None:
        async with self._db.read() as connection:
            row = await fetch_one(
                connection, "SELECT * FROM dedup_state WHERE scanner = ? AND key = ?", (scanner, key)
            )
        return None if row is None else _state_from_row(row)

    async def for_scanner(self, scanner: str) -> dict[str, DedupState]:
        """Everything one scanner remembers, by key: what it can warm a cache with at start-up."""
        async with self._db.read() as connection:
            rows = await fetch_all(connection, "SELECT * FROM dedup_state WHERE scanner = ?", (scanner,))
        return {row["key"]: _state_from_row(row) for row in rows}

    async def put(self, scanner: str, key: str, state: DedupState) -> None:
        async with self._db.write() as connection:
            await connection.execute(
                "INSERT OR REPLACE INTO dedup_state (scanner, key, session_date, first_alerted_at,"
                " last_alerted_at, last_alerted_premium, accumulated_premium, alerts_today)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    scanner,
                    key,
                    state.session_date.isoformat(),
                    encode_time(state.first_alerted_at),
                    encode_time(state.last_alerted_at),
                    state.last_alerted_premium,
                    state.accumulated_premium,
                    state.alerts_today,
                ),
            )


def _state_from_row(row: sqlite3.Row) -> DedupState:
    return from_row(
        DedupState,
        row,
        session_date=date.fromisoformat,
        first_alerted_at=decode_time,
        last_alerted_at=decode_time,
    )
