from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.sim.paging import BadCursor, decode_cursor, encode_cursor, next_url

names = st.text(st.characters(min_codepoint=33, max_codepoint=0x2FF), min_size=1, max_size=12)
values = st.text(st.characters(min_codepoint=32, max_codepoint=0x2FF), max_size=20)


@given(st.dictionaries(names, values, min_size=1, max_size=8))
def test_a_cursor_carries_its_parameters_back_unchanged(state: dict[str, str]) -> None:
    cursor = encode_cursor(state)
    assert cursor.isascii() and "=" not in cursor and "/" not in cursor and "+" not in cursor
    assert decode_cursor(cursor) == state


def test_the_same_parameters_in_any_order_give_the_same_cursor() -> None:
    assert encode_cursor({"limit": 250, "offset": 500}) == encode_cursor({"offset": 500, "limit": 250})


@pytest.mark.parametrize("junk", ["%%%", "", "bm90IGEgcXVlcnk"])
def test_a_cursor_the_server_did_not_issue_is_refused(junk: str) -> None:
    with pytest.raises(BadCursor):
        decode_cursor(junk)


def test_next_url_is_absolute_and_carries_only_the_cursor() -> None:
    assert next_url("http://127.0.0.1:9", "/v3/trades/O:SPY260331C00640000", "abc") == (
        "http://127.0.0.1:9/v3/trades/O:SPY260331C00640000?cursor=abc"
    )
