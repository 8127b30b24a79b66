"""Finding and ordering the shipped migrations."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.store import MigrationError
from bot.store.schema import bundled_migrations, parse_migrations

FILES = [("0001_initial.sql", "-- one"), ("0002_watchlists.sql", "-- two"), ("0003_indexes.sql", "-- three")]


@given(st.permutations(FILES))
def test_migrations_run_in_version_order_whatever_order_the_files_are_listed_in(
    files: list[tuple[str, str]],
) -> None:
    ordered = parse_migrations(files)
    assert [(m.filename, m.sql) for m in ordered] == FILES


@pytest.mark.parametrize(
    ("files", "complaint"),
    [
        ([("0001_initial.sql", ""), ("0003_indexes.sql", "")], "0002 is missing"),
        ([("0002_watchlists.sql", "")], "0001 is missing"),
        ([("0001_initial.sql", ""), ("0001_other.sql", "")], "share version 1"),
        ([("0001_initial.sql", ""), ("2_watchlists.sql", "")], "not named NNNN_name.sql"),
        ([("0001_Initial Schema.sql", "")], "not named NNNN_name.sql"),
    ],
)
def test_a_misnumbered_or_misnamed_migration_stops_start_up(
    files: list[tuple[str, str]], complaint: str
) -> None:
    with pytest.raises(MigrationError, match=complaint):
        parse_migrations(files)


def test_the_package_ships_its_migrations_from_0001() -> None:
    shipped = bundled_migrations()
    assert shipped[0].filename == "0001_initial.sql"
    assert "CREATE TABLE deliveries" in shipped[0].sql
