"""Instants and values as the store writes them."""

from __future__ import annotations

import math
from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.store.codec import decode_json, decode_time, encode_json, encode_time

zones = st.integers(min_value=-23 * 60, max_value=23 * 60).map(
    lambda minutes: timezone(timedelta(minutes=minutes))
)
instants = st.datetimes(min_value=datetime(1990, 1, 1), max_value=datetime(2200, 1, 1), timezones=zones)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(),
    lambda children: st.lists(children) | st.dictionaries(st.text(), children),
    max_leaves=20,
)


@given(instants)
def test_an_instant_reads_back_as_the_same_moment_in_utc(moment: datetime) -> None:
    decoded = decode_time(encode_time(moment))
    assert decoded == moment
    assert decoded.utcoffset() == timedelta(0)


@given(instants, instants)
def test_stored_text_sorts_as_the_instants_do_whatever_their_zones(first: datetime, second: datetime) -> None:
    # SQL range queries (`created_at >= ?`) compare this text, so its order must be time order.
    assert (encode_time(first) < encode_time(second)) == (first < second)


def test_a_time_without_a_zone_is_refused() -> None:
    with pytest.raises(ValueError, match="no time zone"):
        encode_time(datetime(2025, 3, 3, 10, 0))


@given(json_values)
def test_a_json_value_reads_back_equal(value: object) -> None:
    assert decode_json(encode_json(value)) == value  # type: ignore[arg-type]


@pytest.mark.parametrize("not_json", [math.nan, math.inf, {"min_premium": -math.inf}])
def test_values_json_cannot_carry_are_refused(not_json: object) -> None:
    with pytest.raises(ValueError):
        encode_json(not_json)  # type: ignore[arg-type]
