"""Darkpool's own rules: which prints are dark blocks, the cursor, the score, the alert."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.alerts.embed import render_embed
from bot.alerts.model import Alert, Tag
from bot.analytics.conditions import ConditionTable
from bot.config import DarkpoolSettings
from bot.market.calendar import MarketCalendar
from bot.polygon import models
from bot.polygon.models import Trade
from bot.scanners.dark_levels import LevelBook
from bot.scanners.darkpool import (
    Block,
    DailyContext,
    DarkPrint,
    PrintCursor,
    SymbolMemory,
    YearRange,
    against_nbbo,
    dark_print,
    daily_context,
    darkpool_alert,
    is_off_exchange,
    score_block,
    tally,
    where_it_sat,
)
from tests.scanners.market_data import SESSION, daily_bar, dark, et, lit, sessions_before, snapshot
from tests.support.fixtures import polygon_bytes, polygon_json

CONDITIONS = ConditionTable.builtin()
CALENDAR = MarketCalendar()
DEFAULTS = DarkpoolSettings()
AVERAGE_PRICE, FORM_T, PRIOR_REFERENCE, SOLD_LAST, CONTINGENT, QUALIFIED_CONTINGENT = 2, 12, 22, 30, 52, 53


def read(trade: Trade, conditions: ConditionTable = CONDITIONS) -> DarkPrint | None:
    return dark_print("AAPL", trade, conditions, CALENDAR)


def counted(trade: Trade) -> DarkPrint:
    """A print the test means to be a dark trade at the market."""
    found = read(trade)
    assert found is not None
    return found


# --- which prints are dark ---------------------------------------------------------------------


def test_a_trf_print_is_dark_and_an_exchange_print_is_not() -> None:
    assert read(dark()) is not None
    assert read(lit()) is None
    # Exchange 4 without a TRF id is not a TRF report.
    assert read(dark(trf_id=None)) is None


def test_the_reference_fixtures_read_as_polygon_marks_them() -> None:
    # The official mock of /v2/last/trade carries the TRF signature (x: 4, r: 202)...
    last = models.decode_last_trade(polygon_bytes("last_trade_stocks_AAPL_trf_darkpool__client-python.json"))
    assert is_off_exchange(last)
    # ...while the /v3/trades mock puts a trf_id on exchanges 11 and 12, which is not a TRF report.
    page = models.decode_trades_page(polygon_bytes("trades_stocks_AAPL_limit2__client-python.json"))
    assert page.results and not any(is_off_exchange(trade) for trade in page.results)


@pytest.mark.parametrize(
    "condition",
    [AVERAGE_PRICE, PRIOR_REFERENCE, CONTINGENT, QUALIFIED_CONTINGENT],
    ids=["average price", "prior reference price", "contingent", "qualified contingent"],
)
def test_prints_priced_away_from_the_market_are_left_out(condition: int) -> None:
    assert read(dark(conditions=[condition])) is None


def test_corrected_or_cancelled_prints_are_left_out() -> None:
    assert read(dark(correction=1)) is None
    assert read(dark(correction=0)) is not None


def test_the_published_condition_table_is_obeyed() -> None:
    published = ConditionTable.from_reference(polygon_json("conditions_stocks_first10__client-python.json")["results"])
    # Id 2 is "Average Price Trade" in the published table too.
    assert read(dark(conditions=[AVERAGE_PRICE]), published) is None
    assert read(dark(conditions=[1]), published) is not None  # "Acquisition": a regular sale


def test_late_reports_are_real_trades_and_count() -> None:
    assert read(dark(conditions=[SOLD_LAST])) is not None


def test_extended_hours_prints_are_kept_and_marked() -> None:
    assert counted(dark("08:12")).extended_hours  # before the open
    assert counted(dark("17:40")).extended_hours  # after the close
    assert counted(dark("10:15", conditions=[FORM_T])).extended_hours
    assert not counted(dark("10:15")).extended_hours


@pytest.mark.parametrize(
    ("size", "price", "block"),
    [(10_000, 50.00, True), (9_999, 100.00, False), (10_000, 49.99, False), (250_000, 2.00, True)],
)
def test_a_block_needs_both_ten_thousand_shares_and_half_a_million(size: float, price: float, block: bool) -> None:
    assert bool(tally([counted(dark(size=size, price=price))], LevelBook(), DEFAULTS)) is block


def test_guild_thresholds_change_what_a_block_is() -> None:
    found = counted(dark(size=5_000, price=40.0))
    assert not tally([found], LevelBook(), DEFAULTS)
    assert tally([found], LevelBook(), DarkpoolSettings(min_shares=5_000, min_notional=200_000))


# --- levels while reading --------------------------------------------------------------------


def test_small_dark_prints_build_the_levels_blocks_are_measured_against() -> None:
    levels = LevelBook()
    small = [counted(dark("10:00", size=2_000, price=50.00)) for _ in range(5)]  # $100K each at 50.00
    block = counted(dark("10:05", size=40_000, price=50.02))
    blocks = tally([*small, block], levels, DEFAULTS)
    assert len(blocks) == 1
    only = blocks[0]
    prior, distance = only.nearest_prior_level or (None, None)
    assert prior is not None and prior.price == 50.00 and distance == pytest.approx(0.02 / 50.02)
    # The block's own $2M makes its level the day's largest.
    assert (only.level.price, only.level.rank) == (50.02, 1)
    assert levels.level_at(50.00) is not None


def test_the_first_block_of_the_day_has_no_level_before_it() -> None:
    (only,) = tally([counted(dark(size=20_000, price=100.0))], LevelBook(), DEFAULTS)
    assert only.nearest_prior_level is None
    assert only.level.rank == 1


# --- the cursor ------------------------------------------------------------------------------


def test_prints_sharing_a_timestamp_across_two_reads_are_each_read_once() -> None:
    moment = et("10:00").timestamp()
    first_half = [dark(at_ns=int(moment * 1e9)), dark(at_ns=int(moment * 1e9))]
    late_twin = dark(at_ns=int(moment * 1e9))
    cursor = PrintCursor(0)
    assert cursor.unread(first_half) == first_half
    cursor = cursor.advanced(first_half)
    # The next read starts at that same nanosecond (timestamp.gte) and sees all three.
    second = cursor.unread([*first_half, late_twin])
    assert second == [late_twin]
    assert cursor.advanced(second).unread([*first_half, late_twin]) == []


def test_a_read_with_nothing_new_leaves_the_cursor_where_it_was() -> None:
    cursor = PrintCursor(123, frozenset({"4:202:7"}))
    assert cursor.advanced([]) == cursor


@st.composite
def tape_and_polls(draw: st.DrawFn) -> tuple[list[Trade], list[tuple[int, bool]]]:
    """A tape whose prints often share a timestamp, and polls that each see a longer prefix
    of it (what the server had indexed by then), some of them followed by a restart."""
    gaps = draw(st.lists(st.sampled_from([0, 0, 0, 1, 2, 1000]), min_size=1, max_size=40))
    stamps = [1_000 + sum(gaps[: index + 1]) for index in range(len(gaps))]
    tape = [dark(at_ns=stamp, id=f"t{index}") for index, stamp in enumerate(stamps)]
    cuts = sorted(draw(st.lists(st.integers(0, len(tape)), max_size=8)))
    restarts = draw(st.lists(st.booleans(), min_size=len(cuts), max_size=len(cuts)))
    return tape, [*zip(cuts, restarts), (len(tape), False)]


def through_storage(cursor: PrintCursor) -> PrintCursor:
    memory = SymbolMemory(SESSION, cursor, LevelBook(), 0)
    return SymbolMemory.from_json(json.loads(json.dumps(memory.to_json()))).cursor


@settings(max_examples=300)
@given(tape_and_polls())
def test_the_cursor_never_reads_a_print_twice_nor_skips_one(case: tuple[list[Trade], list[tuple[int, bool]]]) -> None:
    tape, polls = case
    cursor = PrintCursor(tape[0].sip_timestamp)  # the session's look-back starts at the first print
    read_so_far: list[Trade] = []
    for visible, restart in polls:
        # What `timestamp.gte=cursor` returns from the prints indexed so far, in time order.
        answered = [trade for trade in tape[:visible] if trade.sip_timestamp >= cursor.from_ns]
        new = cursor.unread(answered)
        read_so_far += new
        cursor = cursor.advanced(new)
        if restart:
            cursor = through_storage(cursor)
    assert [trade.id for trade in read_so_far] == [trade.id for trade in tape]


# --- score -----------------------------------------------------------------------------------


def context(average_volume: float | None = 2_000_000, high: float = 200.0, low: float = 120.0) -> DailyContext:
    return DailyContext(average_volume, YearRange(high, low, 252))


def block_of(size: float, price: float, levels: LevelBook | None = None) -> Block:
    (only,) = tally([counted(dark(size=size, price=price))], levels or LevelBook(), DEFAULTS)
    return only


def points(block: Block, ctx: DailyContext) -> dict[str, float]:
    return {part.name: part.points for part in score_block(block, ctx)}


def test_adv_share_is_the_print_against_thirty_sessions_of_daily_volume() -> None:
    history = [daily_bar(day, high=110, low=100, close=105, volume=1_000_000) for day in sessions_before(SESSION, 40)]
    # The last 30 sessions traded 2M a day; the 10 before them 1M, which must not count.
    history[-30:] = [daily_bar(day, high=110, low=100, close=105, volume=2_000_000) for day in sessions_before(SESSION, 30)]
    ctx = daily_context(history)
    assert ctx.average_volume == 2_000_000
    block = block_of(50_000, 105.0)
    alert = darkpool_alert(block, score_block(block, ctx), ctx, None, et("10:20"))
    assert alert.percent_of_adv == pytest.approx(2.5)


def test_bigger_prints_and_bigger_shares_of_adv_score_higher() -> None:
    modest, huge = points(block_of(10_000, 60.0), context()), points(block_of(400_000, 150.0), context())
    assert huge["notional"] > modest["notional"] > 0
    assert huge["share of ADV"] > modest["share of ADV"]


def test_a_print_at_a_heavy_dark_level_scores_for_it() -> None:
    levels = LevelBook()
    levels.add(150.00, 30_000_000)
    at_level = points(block_of(20_000, 150.01, levels), context())["dark level"]
    far_away = points(block_of(20_000, 160.00, LevelBook.from_json(levels.to_json())), context())["dark level"]
    assert at_level > 15 and far_away == 0


def test_near_the_year_high_or_low_scores_and_the_middle_does_not() -> None:
    at_high = points(block_of(20_000, 200.50), context())["year high/low"]
    near_low = points(block_of(20_000, 121.0), context())["year high/low"]
    middle = points(block_of(20_000, 160.0), context())["year high/low"]
    assert at_high == 20 and 0 < near_low < 20 and middle == 0


def test_a_short_history_is_not_called_52_weeks() -> None:
    history = [daily_bar(day, high=110, low=100, close=105) for day in sessions_before(SESSION, 150)]
    ctx = daily_context(history)
    assert ctx.year is not None and ctx.year.name == "150-session"
    bases = [part.basis for part in score_block(block_of(20_000, 109.0), ctx)]
    assert any("150-session high" in basis for basis in bases)


def test_without_history_the_score_says_what_is_missing() -> None:
    bases = {part.name: part.basis for part in score_block(block_of(20_000, 100.0), DailyContext(None, None))}
    assert bases["share of ADV"] == "30-day volume unavailable"
    assert bases["year high/low"] == "no daily history"


# --- where the print sat ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("price", "where"),
    [
        (100.03, "above the ask"),
        (100.02, "at the ask"),
        (100.015, "between bid and ask"),
        (100.01, "at the mid"),
        (100.00, "at the bid"),
        (99.9999, "below the bid"),
    ],
)
def test_position_against_the_nbbo(price: float, where: str) -> None:
    assert against_nbbo(price, 100.00, 100.02).startswith(where + " ·")


def test_the_position_says_which_reference_it_used() -> None:
    quoted = where_it_sat(50.10, snapshot("AAPL", bid=50.00, ask=50.05, last=50.02))
    assert quoted == "above the ask · NBBO 50.00/50.05 at scan"
    assert where_it_sat(50.10, snapshot("AAPL", last=50.20)) == "below the last lit trade 50.20"
    # A dark last trade is no lit reference, and no snapshot means nothing to say.
    assert where_it_sat(50.10, snapshot("AAPL", last=50.20, last_dark=True)) is None
    assert where_it_sat(50.10, None) is None


# --- the alert -------------------------------------------------------------------------------


def test_the_alert_shows_the_real_numbers_and_never_a_side() -> None:
    levels = LevelBook()
    levels.add(187.25, 3_000_000)
    block = block_of(65_000, 187.25, levels)
    detected = et("10:16:30")
    components = score_block(block, context(average_volume=50_000_000))
    alert = darkpool_alert(block, components, context(average_volume=50_000_000), "at the mid · NBBO 187.24/187.26 at scan", detected)
    assert (alert.price, alert.size, alert.notional) == (187.25, 65_000, pytest.approx(12_171_250))
    assert (alert.level_price, alert.level_rank) == (187.25, 1)
    assert alert.percent_of_adv == pytest.approx(0.13)
    assert alert.side is None and alert.sentiment is None
    assert alert.tags == {Tag.DARK_POOL}
    assert alert.window_start == et("10:15") and alert.window_end == detected
    assert alert.score == pytest.approx(sum(part.points for part in components), abs=0.11)
    shown = render_embed(alert).to_dict()
    text = json.dumps(shown, ensure_ascii=False)
    assert "$12.17M" in text and "65,000 shares" in text and "#1 of the day" in text
    assert "BUY" not in text and "SELL" not in text and "Bullish" not in text and "Bearish" not in text
    assert Alert.model_validate_json(alert.to_json()) == alert


def test_an_extended_hours_block_is_tagged() -> None:
    (block,) = tally([counted(dark("18:05", size=30_000, price=90.0))], LevelBook(), DEFAULTS)
    alert = darkpool_alert(block, score_block(block, context()), context(), None, et("18:06"))
    assert Tag.EXTENDED_HOURS in alert.tags and alert.extended_hours


def test_one_print_always_gets_the_same_dedup_key() -> None:
    trade = dark(id="52983525033527")
    assert counted(trade).dedup_key == counted(trade).dedup_key == "AAPL:4:202:52983525033527"
    # Polygon's trade ids are unique per exchange and TRF only.
    assert counted(dark(id="52983525033527", trf_id=201)).dedup_key != counted(trade).dedup_key
