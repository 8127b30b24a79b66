"""Dollar amounts as people type them."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cogs.common.amounts import AmountError, parse_amount


@pytest.mark.parametrize(
    ("typed", "dollars"),
    [
        ("50000", 50_000), ("50k", 50_000), ("50K", 50_000), ("$1.5M", 1_500_000), ("$1.5m", 1_500_000),
        ("2,500,000", 2_500_000), ("$ 250k", 250_000), ("1b", 1_000_000_000), (" 75000 ", 75_000), ("0.5M", 500_000),
    ],
)  # fmt: skip
def test_the_usual_ways_of_writing_an_amount(typed: str, dollars: float) -> None:
    assert parse_amount(typed) == pytest.approx(dollars)


@pytest.mark.parametrize("typed", ["", "lots", "50kk", "1,00,000", "$-5k", "5 million", "1e6", "50k$", "1.2.3"])
def test_anything_else_is_refused_with_the_accepted_forms(typed: str) -> None:
    with pytest.raises(AmountError, match=re.escape("write it like 50000, 50k or $1.5M")):
        parse_amount(typed)


@given(st.integers(min_value=0, max_value=10**12))
def test_whole_dollars_read_back_with_or_without_thousands_separators(amount: int) -> None:
    assert parse_amount(str(amount)) == amount
    assert parse_amount(f"${amount:,}") == amount


@given(st.integers(min_value=1, max_value=999_999), st.sampled_from([("k", 1e3), ("m", 1e6), ("b", 1e9)]))
def test_a_unit_multiplies(number: int, unit: tuple[str, float]) -> None:
    suffix, scale = unit
    assert parse_amount(f"{number / 100}{suffix}") == pytest.approx(number / 100 * scale)
