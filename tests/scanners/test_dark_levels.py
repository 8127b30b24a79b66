"""The day's dark-pool levels: notional summed per cent, ranked largest first."""

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.scanners.dark_levels import LevelBook


def book(*prints: tuple[float, float]) -> LevelBook:
    levels = LevelBook()
    for price, notional in prints:
        levels.add(price, notional)
    return levels


def test_sub_penny_prints_join_their_cent() -> None:
    levels = book((187.2501, 1_000_000), (187.2549, 2_000_000), (187.246, 500_000), (187.26, 4_000_000))
    assert [(level.price, level.notional) for level in levels.ranked()] == [
        (187.26, 4_000_000),
        (187.25, 3_500_000),
    ]


def test_levels_rank_by_summed_notional_not_by_largest_print() -> None:
    # Three $1M prints at 50.10 outweigh one $2.5M print at 50.00.
    levels = book((50.00, 2_500_000), (50.10, 1_000_000), (50.10, 1_000_000), (50.10, 1_000_000))
    first, second = levels.ranked()
    assert (first.price, first.rank, first.notional) == (50.10, 1, 3_000_000)
    assert (second.price, second.rank) == (50.00, 2)


def test_equal_levels_rank_the_lower_price_first_whatever_the_order_they_came_in() -> None:
    assert [level.price for level in book((20.02, 1e6), (20.01, 1e6)).ranked()] == [20.01, 20.02]
    assert [level.price for level in book((20.01, 1e6), (20.02, 1e6)).ranked()] == [20.01, 20.02]


def test_level_at_names_the_rank_of_the_level_a_price_falls_on() -> None:
    levels = book((10.00, 5e6), (10.50, 1e6), (11.00, 3e6))
    found = levels.level_at(11.004)
    assert found is not None and (found.price, found.rank) == (11.00, 2)
    assert levels.level_at(10.25) is None


def test_nearest_top_level_only_looks_at_the_largest_levels() -> None:
    levels = book((100.00, 9e6), (101.00, 8e6), (102.00, 7e6), (103.90, 1e6))
    nearest = levels.nearest_top(104.00, count=3)
    assert nearest is not None
    level, distance = nearest
    # 103.90 is closer but too small to be a top-3 level.
    assert level.price == 102.00 and level.rank == 3
    assert distance == pytest.approx(2.0 / 104.0)


def test_an_empty_book_has_no_nearest_level() -> None:
    assert LevelBook().nearest_top(50.0, count=3) is None


prints = st.lists(
    st.tuples(
        st.decimals(min_value=1, max_value=500, places=4).map(float),
        st.floats(min_value=1_000, max_value=5e7, allow_nan=False),
    ),
    max_size=60,
)


@given(prints)
def test_no_notional_is_lost_or_invented(made: list[tuple[float, float]]) -> None:
    levels = book(*made)
    assert sum(level.notional for level in levels.ranked()) == pytest.approx(sum(n for _, n in made))
    ranks = [level.rank for level in levels.ranked()]
    assert ranks == list(range(1, len(ranks) + 1))
    notionals = [level.notional for level in levels.ranked()]
    assert notionals == sorted(notionals, reverse=True)


@given(prints)
def test_a_book_read_back_from_storage_ranks_the_same(made: list[tuple[float, float]]) -> None:
    levels = book(*made)
    stored = json.loads(json.dumps(levels.to_json()))
    assert LevelBook.from_json(stored).ranked() == levels.ranked()
