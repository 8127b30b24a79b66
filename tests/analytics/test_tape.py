from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.analytics.conditions import ConditionTable
from bot.analytics.tape import (
    BlockRule,
    PrintGroup,
    Sentiment,
    Side,
    SnapshotQuote,
    Style,
    classify_prints,
    kept_prints,
    quote_side,
    sentiment_of,
)

CONDITIONS = ConditionTable.builtin()
T0 = 1_773_064_800_000_000_000  # 2026-03-09 14:00:00 UTC, in ns
MS = 1_000_000
CBOE, ISE, PHLX = 302, 308, 317
AUTO_EXECUTION, CANCELED, LATE_OUT_OF_SEQUENCE, MULTI_LEG_AUCTION = 209, 201, 202, 233


@dataclass(frozen=True)
class Trade:
    price: float
    size: float
    exchange: int
    sip_timestamp: int
    conditions: list[int] = field(default_factory=lambda: [AUTO_EXECUTION])


@dataclass(frozen=True)
class Quote:
    bid_price: float | None
    ask_price: float | None
    sip_timestamp: int = T0


def classify(prints: list[Trade], **kwargs: Any) -> list[PrintGroup]:
    kwargs.setdefault("kind", "call")
    kwargs.setdefault("conditions", CONDITIONS)
    return classify_prints(prints, **kwargs)


NBBO_2_00_2_10 = [Quote(2.00, 2.10)]


def test_a_sweep_across_three_exchanges_at_the_ask() -> None:
    prints = [
        Trade(2.10, 10, CBOE, T0 + 0 * MS),
        Trade(2.10, 20, ISE, T0 + 150 * MS),
        Trade(2.15, 30, PHLX, T0 + 300 * MS),
    ]
    (group,) = classify(prints, quotes=NBBO_2_00_2_10)
    assert group.style is Style.SWEEP
    assert group.size == 60
    # (2.10*10 + 2.10*20 + 2.15*30) * 100 shares = (21 + 42 + 64.5) * 100
    assert group.premium == pytest.approx(12_750.0)
    assert group.vwap == pytest.approx(127.5 / 60)
    assert group.exchanges == {CBOE, ISE, PHLX}
    assert group.fills == 3 and group.duration_seconds == pytest.approx(0.3)
    assert (group.first_timestamp_ns, group.last_timestamp_ns) == (T0, T0 + 300 * MS)
    assert group.side is Side.BUY and not group.side_is_approximate
    assert group.sentiment is Sentiment.BULLISH


def test_the_same_sweep_on_a_put_is_bearish() -> None:
    prints = [Trade(2.10, 10, CBOE, T0), Trade(2.10, 20, ISE, T0 + 100 * MS)]
    (group,) = classify(prints, kind="put", quotes=NBBO_2_00_2_10)
    assert (group.side, group.sentiment) == (Side.BUY, Sentiment.BEARISH)


def test_several_prints_on_one_exchange_are_a_split() -> None:
    prints = [Trade(2.00, 50, CBOE, T0 + i * 200 * MS) for i in range(4)]
    (group,) = classify(prints, quotes=NBBO_2_00_2_10)
    assert group.style is Style.SPLIT
    assert (group.side, group.size) == (Side.SELL, 200)
    assert group.sentiment is Sentiment.BEARISH  # calls sold


def test_one_large_print_is_a_block_and_one_small_print_is_just_a_trade() -> None:
    block, small = classify(
        [Trade(2.05, 500, CBOE, T0), Trade(2.05, 5, CBOE, T0 + 5_000 * MS)],
        quotes=NBBO_2_00_2_10,
        block=BlockRule(min_size=100, min_premium=25_000),
    )
    assert block.style is Style.BLOCK and block.side is Side.MID
    assert block.sentiment is Sentiment.NEUTRAL
    assert small.style is None and small.size == 5  # 5 contracts, $1,025


def test_a_lone_print_large_in_dollars_is_a_block_though_few_contracts() -> None:
    (expensive,) = classify([Trade(25.15, 30, CBOE, T0)], quotes=NBBO_2_00_2_10, block=BlockRule(100, 25_000))
    assert expensive.style is Style.BLOCK  # 30 contracts but $75,450
    (cheap,) = classify([Trade(2.05, 30, CBOE, T0)], quotes=NBBO_2_00_2_10, block=BlockRule(100, 25_000))
    assert cheap.style is None


def test_prints_group_while_each_follows_the_last_within_the_window() -> None:
    chained = [Trade(2.10, 1, CBOE, T0), Trade(2.10, 1, ISE, T0 + 800 * MS), Trade(2.10, 1, CBOE, T0 + 1_600 * MS)]
    assert [g.fills for g in classify(chained)] == [3]
    just_inside = [Trade(2.10, 1, CBOE, T0), Trade(2.10, 1, ISE, T0 + 999 * MS)]
    assert [g.fills for g in classify(just_inside)] == [2]
    a_full_second = [Trade(2.10, 1, CBOE, T0), Trade(2.10, 1, ISE, T0 + 1_000 * MS)]
    assert [g.fills for g in classify(a_full_second)] == [1, 1]
    assert [g.fills for g in classify(a_full_second, window_seconds=2.0)] == [2]


def test_cancelled_late_and_multi_leg_prints_are_dropped() -> None:
    prints = [
        Trade(2.10, 10, CBOE, T0),
        Trade(2.10, 10, CBOE, T0 + 100 * MS),
        Trade(2.10, 40, ISE, T0 + 200 * MS, [MULTI_LEG_AUCTION]),  # a spread leg, not a sweep leg
        Trade(2.10, 40, PHLX, T0 + 300 * MS, [CANCELED]),
        Trade(2.10, 40, PHLX, T0 + 400 * MS, [AUTO_EXECUTION, LATE_OUT_OF_SEQUENCE]),
    ]
    (group,) = classify(prints, quotes=NBBO_2_00_2_10)
    assert group.style is Style.SPLIT  # only the CBOE prints remain
    assert group.size == 20
    assert group.premium == pytest.approx(2.10 * 20 * 100)


def test_premium_uses_the_contract_multiplier() -> None:
    (group,) = classify([Trade(1.50, 10, CBOE, T0)], shares_per_contract=10)
    assert group.premium == pytest.approx(150.0)


def test_side_uses_the_nbbo_in_force_at_each_print() -> None:
    quotes = [
        Quote(2.10, 2.20, T0 + 500 * MS),  # arrives after the first print: not used for it
        Quote(2.00, 2.10, T0),
    ]
    before, after = classify(
        [Trade(2.10, 10, CBOE, T0 + 100 * MS), Trade(2.10, 10, CBOE, T0 + 2_000 * MS)], quotes=quotes
    )
    assert before.side is Side.BUY  # at the 2.10 ask of the quote then in force
    assert after.side is Side.SELL  # the same price is the 2.10 bid of the later quote


def test_a_quote_stamped_at_the_print_time_is_in_force() -> None:
    (group,) = classify([Trade(2.20, 5, CBOE, T0)], quotes=[Quote(2.00, 2.10, T0 - 1), Quote(2.10, 2.20, T0)])
    assert group.side is Side.BUY


def test_without_quotes_the_snapshot_quote_gives_an_approximate_side() -> None:
    (group,) = classify([Trade(2.10, 10, CBOE, T0)], snapshot_quote=SnapshotQuote(2.00, 2.10))
    assert (group.side, group.side_is_approximate) == (Side.BUY, True)
    # Quotes that all came after the print cannot price it either.
    (later,) = classify(
        [Trade(2.10, 10, CBOE, T0)], quotes=[Quote(1.90, 2.00, T0 + MS)], snapshot_quote=SnapshotQuote(2.00, 2.10)
    )
    assert (later.side, later.side_is_approximate) == (Side.BUY, True)


def test_with_no_quote_at_all_the_side_is_unknown() -> None:
    (group,) = classify([Trade(2.10, 10, CBOE, T0), Trade(2.10, 10, ISE, T0 + MS)])
    assert group.style is Style.SWEEP
    assert (group.side, group.side_is_approximate) == (Side.UNKNOWN, False)
    assert group.sentiment is Sentiment.NEUTRAL


def test_group_side_is_the_side_with_the_most_contracts() -> None:
    bought_more = [Trade(2.10, 30, CBOE, T0), Trade(2.00, 10, ISE, T0 + MS)]
    assert classify(bought_more, quotes=NBBO_2_00_2_10)[0].side is Side.BUY
    even = [Trade(2.10, 10, CBOE, T0), Trade(2.00, 10, ISE, T0 + MS)]
    assert classify(even, quotes=NBBO_2_00_2_10)[0].side is Side.MID


@pytest.mark.parametrize(
    ("price", "bid", "ask", "side"),
    [
        (2.10, 2.00, 2.10, Side.BUY),
        (2.15, 2.00, 2.10, Side.BUY),  # through the ask
        (2.00, 2.00, 2.10, Side.SELL),
        (1.95, 2.00, 2.10, Side.SELL),
        (2.05, 2.00, 2.10, Side.MID),
        (0.05, 0.00, 0.05, Side.BUY),  # a zero bid is a real bid
        (2.00, 2.00, 2.00, Side.MID),  # locked at the print price: no way to tell
        (2.05, 2.10, 2.00, Side.UNKNOWN),  # crossed
        (2.10, None, 2.10, Side.BUY),  # no bid, still lifted the offer
        (2.00, None, 2.10, Side.UNKNOWN),
        (2.00, 2.00, None, Side.SELL),
        (2.00, 1.90, 0.0, Side.UNKNOWN),  # a zero offer is no offer
    ],
)
def test_quote_rule(price: float, bid: float | None, ask: float | None, side: Side) -> None:
    assert quote_side(price, SnapshotQuote(bid, ask)) is side


@pytest.mark.parametrize(
    ("kind", "side", "sentiment"),
    [
        ("call", Side.BUY, Sentiment.BULLISH),
        ("put", Side.SELL, Sentiment.BULLISH),
        ("put", Side.BUY, Sentiment.BEARISH),
        ("call", Side.SELL, Sentiment.BEARISH),
        ("call", Side.MID, Sentiment.NEUTRAL),
        ("put", Side.UNKNOWN, Sentiment.NEUTRAL),
    ],
)
def test_sentiment(kind: str, side: Side, sentiment: Sentiment) -> None:
    assert sentiment_of(kind, side) is sentiment  # type: ignore[arg-type]


def test_malformed_prints_are_ignored() -> None:
    assert kept_prints([Trade(0.0, 10, CBOE, T0), Trade(2.0, 0, CBOE, T0)], CONDITIONS) == []


def test_window_must_be_positive() -> None:
    with pytest.raises(ValueError):
        classify([], window_seconds=0)


trades = st.builds(
    Trade,
    price=st.integers(1, 5_000).map(lambda cents: cents / 100),
    size=st.integers(1, 500),
    exchange=st.sampled_from([CBOE, ISE, PHLX]),
    sip_timestamp=st.integers(0, 10_000).map(lambda ms: T0 + ms * MS),
    conditions=st.lists(
        st.sampled_from([AUTO_EXECUTION, CANCELED, LATE_OUT_OF_SEQUENCE, MULTI_LEG_AUCTION, 219]), max_size=2
    ),
)


@given(st.lists(trades, max_size=40), st.sampled_from([0.25, 1.0, 3.0]))
def test_grouping_neither_loses_nor_duplicates_a_print(prints: list[Trade], window: float) -> None:
    groups = classify(prints, window_seconds=window)
    dropped = {CANCELED, LATE_OUT_OF_SEQUENCE, MULTI_LEG_AUCTION}
    expected = [p for p in prints if not dropped.intersection(p.conditions)]
    grouped = [p for g in groups for p in g.prints]
    assert Counter(map(id, grouped)) == Counter(map(id, expected))
    assert sum(g.premium for g in groups) == pytest.approx(sum(p.price * p.size * 100 for p in expected))
    assert sum(g.size for g in groups) == sum(p.size for p in expected)
    window_ns = window * 1e9
    for g in groups:
        stamps = [p.sip_timestamp for p in g.prints]
        assert all(b - a < window_ns for a, b in zip(stamps, stamps[1:]))
    for earlier, later in zip(groups, groups[1:]):
        assert later.first_timestamp_ns - earlier.last_timestamp_ns >= window_ns
