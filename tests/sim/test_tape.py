from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.sim.tape import Print, Tape

prints = st.lists(
    st.builds(
        Print,
        st.integers(1, 10_000),
        st.sampled_from([0.05, 1.25, 2.5, 10.0]),
        st.integers(1, 500),
        st.sampled_from([302, 308]),
    ),
    max_size=40,
)


@given(prints, prints, st.integers(0, 10_001))
def test_the_day_so_far_is_the_sum_over_the_instruments_own_prints(
    mine: list[Print], other: list[Print], until: int
) -> None:
    tape = Tape()
    tape.add("O:A", mine)
    tape.add("O:B", other)
    seen = sorted((item for item in mine if item.ts <= until), key=lambda item: item.ts)
    day = tape.day("O:A", until)
    if not seen:
        assert day is None
        return
    assert day is not None
    assert day.volume == sum(item.size for item in seen)
    assert day.vwap == pytest.approx(sum(item.price * item.size for item in seen) / day.volume)
    assert (day.open, day.close) == (seen[0].price, seen[-1].price)
    assert (day.high, day.low) == (max(i.price for i in seen), min(i.price for i in seen))
    assert day.trades == len(seen)


def test_a_window_is_open_below_and_closed_above() -> None:
    tape = Tape()
    tape.add("X", [Print(ts, 1.0, 1, 4) for ts in (10, 20, 30)])
    first, stop = tape.window("X", 10, 30)
    assert list(tape.ts[first:stop]) == [20, 30]
    assert tape.window("unknown", 0, 100) == (0, 0)


def test_an_instrument_goes_on_a_tape_once() -> None:
    tape = Tape()
    tape.add("X", [])
    with pytest.raises(ValueError, match="already"):
        tape.add("X", [])


def test_planted_prints_are_found_by_their_tag_and_conditions_kept() -> None:
    tape = Tape()
    tape.add("X", [Print(5, 1.0, 1, 4, (12, 37), 202, "dark-1"), Print(1, 1.0, 1, 11)])
    (index,) = tape.tagged["dark-1"]
    assert tape.ts[index] == 5 and tape.conditions(index) == (12, 37) and tape.trf_id[index] == 202
    assert tape.sequence(index, "X") == 2
