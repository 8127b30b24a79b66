"""Query parameters as Polygon reads them, with its defaults and limits.

A request that continues a listing carries only `cursor`; the cursor holds the original
parameters, so the same parsing applies to both. A bad value is a `BadRequest` whose message
names the parameter.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from bot.market.calendar import ET
from bot.market.clock import epoch_ns
from bot.sim.chains import Contract
from bot.sim.paging import BadCursor, decode_cursor

NEVER = -1
FOREVER = 2**62
_RANGE_SUFFIXES = ("", ".gt", ".gte", ".lt", ".lte")
_NANOS = re.compile(r"^\d{1,19}$")
_FRACTION = re.compile(r"\.(\d+)")


class BadRequest(ValueError):
    pass


def unpack(query: Mapping[str, str]) -> dict[str, str]:
    """The request's parameters: from its cursor when it has one (the cursor carries them all)."""
    cursor = query.get("cursor")
    if cursor is None:
        return {name: value for name, value in query.items() if name != "apiKey"}
    try:
        return decode_cursor(cursor)
    except BadCursor as error:
        raise BadRequest(str(error)) from None


def integer(params: Mapping[str, str], name: str, default: int, low: int, high: int) -> int:
    raw = params.get(name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise BadRequest(f"'{name}' must be an integer, got {raw!r}") from None
    if not low <= value <= high:
        raise BadRequest(f"'{name}' must be between {low} and {high}, got {value}")
    return value


def choice(params: Mapping[str, str], name: str, allowed: tuple[str, ...], default: str) -> str:
    value = params.get(name, default)
    if value not in allowed:
        raise BadRequest(f"'{name}' must be one of {', '.join(allowed)}, got {value!r}")
    return value


def _number(name: str, raw: str) -> float:
    try:
        return float(raw)
    except ValueError:
        raise BadRequest(f"'{name}' must be a number, got {raw!r}") from None


def _date(name: str, raw: str) -> date:
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise BadRequest(f"'{name}' must be a date (YYYY-MM-DD), got {raw!r}") from None


_COMPARE: dict[str, Callable[[Any, Any], bool]] = {
    "": lambda value, bound: value == bound,
    ".gt": lambda value, bound: value > bound,
    ".gte": lambda value, bound: value >= bound,
    ".lt": lambda value, bound: value < bound,
    ".lte": lambda value, bound: value <= bound,
}


@dataclass(frozen=True, slots=True)
class ChainQuery:
    """`/v3/snapshot/options/{underlying}`: filters, sort (ticker, expiration_date or
    strike_price, ascending by default), limit 10 by default and 250 at most."""

    strike_filters: tuple[tuple[str, float], ...]
    expiration_filters: tuple[tuple[str, date], ...]
    contract_type: str | None
    sort: str
    order: str
    limit: int
    offset: int
    params: dict[str, str]  # canonical, for the next page's cursor

    def matches(self, contract: Contract) -> bool:
        if self.contract_type is not None and contract.kind != self.contract_type:
            return False
        return all(_COMPARE[op](contract.strike, bound) for op, bound in self.strike_filters) and all(
            _COMPARE[op](contract.expiration, bound) for op, bound in self.expiration_filters
        )

    @property
    def selection_key(self) -> tuple[Any, ...]:
        return (self.strike_filters, self.expiration_filters, self.contract_type, self.sort, self.order)

    def sort_key(self, contract: Contract) -> tuple[Any, ...]:
        if self.sort == "expiration_date":
            return (contract.expiration, contract.ticker)
        if self.sort == "strike_price":
            return (contract.strike, contract.ticker)
        return (contract.ticker,)


def chain_query(query: Mapping[str, str]) -> ChainQuery:
    params = unpack(query)
    strikes = tuple(
        (suffix, _number(f"strike_price{suffix}", params[f"strike_price{suffix}"]))
        for suffix in _RANGE_SUFFIXES
        if f"strike_price{suffix}" in params
    )
    expirations = tuple(
        (suffix, _date(f"expiration_date{suffix}", params[f"expiration_date{suffix}"]))
        for suffix in _RANGE_SUFFIXES
        if f"expiration_date{suffix}" in params
    )
    contract_type = params.get("contract_type")
    if contract_type is not None and contract_type not in ("call", "put"):
        raise BadRequest(f"'contract_type' must be call or put, got {contract_type!r}")
    sort = choice(params, "sort", ("ticker", "expiration_date", "strike_price"), "ticker")
    order = choice(params, "order", ("asc", "desc"), "asc")
    limit = integer(params, "limit", 10, 1, 250)
    offset = integer(params, "offset", 0, 0, FOREVER)
    canonical = {name: value for name, value in params.items() if name != "offset"}
    return ChainQuery(strikes, expirations, contract_type, sort, order, limit, offset, canonical)


@dataclass(frozen=True, slots=True)
class TickQuery:
    """`/v3/trades` and `/v3/quotes`: after_ns < timestamp <= until_ns, newest first by
    default, limit 1000 by default and 50000 at most."""

    after_ns: int
    until_ns: int
    order: str
    limit: int
    position: int | None  # where the next page starts (an index), None on a first page
    params: dict[str, str]


def _instant(name: str, raw: str) -> tuple[int, int]:
    """A timestamp parameter as [first ns, last ns]: a nanosecond integer is one instant, a
    date the whole New York day, an RFC 3339 time one instant."""
    if _NANOS.match(raw):
        value = int(raw)
        return value, value
    if len(raw) == 10:
        day = _date(name, raw)
        start = epoch_ns(datetime.combine(day, time(0), tzinfo=ET))
        return start, epoch_ns(datetime.combine(day + timedelta(days=1), time(0), tzinfo=ET)) - 1
    match = _FRACTION.search(raw)
    digits = match.group(1) if match else ""
    text = raw.replace(f".{digits}", "", 1) if digits else raw
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise BadRequest(f"'{name}' must be nanoseconds, a date or an RFC 3339 time, got {raw!r}") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    value = epoch_ns(moment) + int((digits + "000000000")[:9] or 0)
    return value, value


def tick_query(query: Mapping[str, str]) -> TickQuery:
    params = unpack(query)
    after, until = NEVER, FOREVER
    for suffix in _RANGE_SUFFIXES:
        name = f"timestamp{suffix}"
        if name not in params:
            continue
        first, last = _instant(name, params[name])
        if suffix == "":
            after, until = max(after, first - 1), min(until, last)
        elif suffix == ".gt":
            after = max(after, last)
        elif suffix == ".gte":
            after = max(after, first - 1)
        elif suffix == ".lt":
            until = min(until, first - 1)
        else:
            until = min(until, last)
    choice(params, "sort", ("timestamp",), "timestamp")
    order = choice(params, "order", ("asc", "desc"), "desc")
    limit = integer(params, "limit", 1000, 1, 50000)
    position = integer(params, "position", 0, 0, FOREVER) if "position" in params else None
    canonical = {name: value for name, value in params.items() if name != "position"}
    return TickQuery(after, until, order, limit, position, canonical)
