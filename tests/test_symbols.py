import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.symbols import InvalidSymbol, normalize_symbol


@pytest.mark.parametrize(("typed", "symbol"), [("spy", "SPY"), (" brk.b ", "BRK.B"), ("GOOGL", "GOOGL"), ("c", "C")])
def test_user_typed_symbols_are_upper_cased(typed: str, symbol: str) -> None:
    assert normalize_symbol(typed) == symbol


@pytest.mark.parametrize("typed", ["", "BRK-B", "TOOLONG", "SPY1", "$SPY", "BRK.BB", "O:SPY251219C00600000"])
def test_non_symbols_are_refused_with_the_expected_shape(typed: str) -> None:
    with pytest.raises(InvalidSymbol, match="1-5 letters"):
        normalize_symbol(typed)


@given(st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ", min_size=1, max_size=5), st.sampled_from(["", ".A", ".B"]))
def test_every_valid_shape_round_trips(letters: str, share_class: str) -> None:
    assert normalize_symbol((letters + share_class).lower()) == letters + share_class
