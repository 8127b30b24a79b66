from __future__ import annotations

from datetime import date

import pytest

from bot.sim.paging import encode_cursor
from bot.sim.queries import FOREVER, NEVER, BadRequest, chain_query, tick_query

MIDNIGHT_MARCH_30_ET = 1_774_843_200_000_000_000  # 2026-03-30 00:00 EDT


def test_trades_default_to_newest_first_a_thousand_at_a_time() -> None:
    query = tick_query({})
    assert (query.order, query.limit, query.after_ns, query.until_ns, query.position) == (
        "desc",
        1000,
        NEVER,
        FOREVER,
        None,
    )


@pytest.mark.parametrize(
    ("params", "after", "until"),
    [
        ({"timestamp.gt": "100"}, 100, FOREVER),
        ({"timestamp.gte": "100"}, 99, FOREVER),
        ({"timestamp.lt": "100"}, NEVER, 99),
        ({"timestamp.lte": "100"}, NEVER, 100),
        ({"timestamp": "100"}, 99, 100),
        ({"timestamp.gte": "100", "timestamp.lt": "200"}, 99, 199),
        ({"timestamp": "2026-03-30"}, MIDNIGHT_MARCH_30_ET - 1, MIDNIGHT_MARCH_30_ET + 86_400 * 10**9 - 1),
        ({"timestamp.gte": "2026-03-30T04:00:00.000000123Z"}, MIDNIGHT_MARCH_30_ET + 122, FOREVER),
    ],
)
def test_timestamp_bounds_read_as_polygon_documents_them(
    params: dict[str, str], after: int, until: int
) -> None:
    query = tick_query(params)
    assert (query.after_ns, query.until_ns) == (after, until)


@pytest.mark.parametrize(
    ("params", "named"),
    [
        ({"limit": "50001"}, "'limit' must be between 1 and 50000"),
        ({"limit": "ten"}, "'limit' must be an integer"),
        ({"order": "up"}, "'order' must be one of asc, desc"),
        ({"timestamp.gt": "yesterday"}, "'timestamp.gt' must be nanoseconds, a date or an RFC 3339 time"),
        ({"cursor": "%%%"}, "is not one this server issued"),
    ],
)
def test_a_bad_parameter_is_named(params: dict[str, str], named: str) -> None:
    with pytest.raises(BadRequest, match=named):
        tick_query(params)


def test_a_cursor_replaces_every_other_parameter() -> None:
    cursor = encode_cursor({"order": "asc", "limit": "5", "position": "42", "timestamp.gt": "7"})
    query = tick_query({"cursor": cursor, "limit": "999", "apiKey": "k"})
    assert (query.order, query.limit, query.position, query.after_ns) == ("asc", 5, 42, 7)
    assert query.params == {"order": "asc", "limit": "5", "timestamp.gt": "7"}


def test_the_chain_defaults_to_ten_by_ticker_and_caps_at_250() -> None:
    query = chain_query({})
    assert (query.limit, query.sort, query.order, query.offset) == (10, "ticker", "asc", 0)
    with pytest.raises(BadRequest, match="'limit' must be between 1 and 250"):
        chain_query({"limit": "251"})
    with pytest.raises(BadRequest, match="'contract_type' must be call or put"):
        chain_query({"contract_type": "calls"})
    with pytest.raises(BadRequest, match="'expiration_date.lte' must be a date"):
        chain_query({"expiration_date.lte": "soon"})


def test_chain_filters_compare_strikes_and_dates() -> None:
    query = chain_query(
        {"strike_price.gte": "100", "strike_price.lt": "110", "expiration_date": "2026-04-17"}
    )
    assert query.strike_filters == ((".gte", 100.0), (".lt", 110.0))
    assert query.expiration_filters == (("", date(2026, 4, 17)),)
