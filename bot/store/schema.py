"""The numbered SQL migrations that build the schema, as shipped inside the package.

A migration is `migrations/NNNN_name.sql`, numbered from 0001 without gaps. Each runs inside
the transaction that also records it in `schema_migrations`, so it must not contain
BEGIN/COMMIT of its own: a migration either applies completely or not at all.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from importlib import resources

from bot.store.errors import MigrationError

MIGRATION_FILE = re.compile(r"(?P<version>\d{4})_(?P<name>[a-z0-9_]+)\.sql")


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    sql: str

    @property
    def filename(self) -> str:
        return f"{self.version:04d}_{self.name}.sql"


def parse_migrations(files: Iterable[tuple[str, str]]) -> tuple[Migration, ...]:
    """Migrations from (filename, SQL) pairs, in version order.

    A misnamed file, a repeated number or a gap is a packaging mistake that would otherwise
    skip or reorder schema changes silently, so each one stops start-up.
    """
    migrations: dict[int, Migration] = {}
    for filename, sql in files:
        match = MIGRATION_FILE.fullmatch(filename)
        if match is None:
            raise MigrationError(f"migration file {filename!r} is not named NNNN_name.sql")
        migration = Migration(int(match["version"]), match["name"], sql)
        if migration.version in migrations:
            raise MigrationError(
                f"migrations {migrations[migration.version].filename} and {filename} "
                f"share version {migration.version}"
            )
        migrations[migration.version] = migration
    ordered = tuple(migrations[version] for version in sorted(migrations))
    for expected, migration in enumerate(ordered, start=1):
        if migration.version != expected:
            raise MigrationError(f"migration {expected:04d} is missing before {migration.filename}")
    return ordered


def bundled_migrations() -> tuple[Migration, ...]:
    folder = resources.files("bot.store").joinpath("migrations")
    return parse_migrations(
        (entry.name, entry.read_text(encoding="utf-8"))
        for entry in folder.iterdir()
        if entry.name.endswith(".sql")
    )
