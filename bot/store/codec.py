"""How values cross into SQLite and back: instants as fixed-width UTC text, free-form values
as JSON, rows as the frozen records the repositories hand out."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from dataclasses import fields
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, TypeVar

from pydantic import JsonValue

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

Record = TypeVar("Record", bound="DataclassInstance")


def encode_time(moment: datetime) -> str:
    # Always UTC and always with microseconds, so that text order is time order and a
    # `WHERE created_at < ?` compares instants, whatever zone the caller worked in.
    if moment.utcoffset() is None:
        raise ValueError(f"{moment!r} has no time zone; the store will not guess one")
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


def decode_time(text: str) -> datetime:
    return datetime.fromisoformat(text)


def encode_json(value: JsonValue) -> str:
    # NaN and infinities are not JSON; refusing them here keeps every stored value readable.
    return json.dumps(value, allow_nan=False, sort_keys=True, separators=(",", ":"))


def decode_json(text: str) -> JsonValue:
    decoded: JsonValue = json.loads(text)
    return decoded


def from_row(record: type[Record], row: sqlite3.Row, **decoders: Callable[[Any], object]) -> Record:
    """The dataclass `record` from a row whose columns carry its field names.

    `decoders` convert the columns stored in another form, e.g. `created_at=decode_time`.
    """
    values = {field.name: decoders.get(field.name, _as_stored)(row[field.name]) for field in fields(record)}
    return record(**values)


def _as_stored(value: object) -> object:
    return value
