"""What the store raises when the database, not the caller's data, is the problem."""

from __future__ import annotations


class StoreError(Exception):
    """The database cannot be used as it is; the message says why and what to do."""


class MigrationError(StoreError):
    """A migration is malformed or failed; a failed one leaves nothing behind."""


class SchemaTooNewError(StoreError):
    """The database was written by a newer ORAKL than this one."""

    def __init__(self, database_version: int, known_version: int) -> None:
        super().__init__(
            f"database schema v{database_version} is newer than this ORAKL "
            f"(knows up to v{known_version}); upgrade ORAKL or point ORAKL_SQLITE_PATH elsewhere"
        )
        self.database_version = database_version
        self.known_version = known_version


class DeliveryStateError(StoreError):
    """A delivery was moved on from a state it is not in (it already went out, say)."""
