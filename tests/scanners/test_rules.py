"""The scanners' own rules on single events, before anything is fetched."""

from datetime import timedelta

import pytest

from bot.analytics.tape import Sentiment, Style
from bot.config import load_settings
from bot.alerts.model import Tag
from bot.scanners.base import flow_tags, in_dte_range, is_opening, probability_itm
from bot.scanners.bullseye import BullseyeScanner, daily_momentum
from bot.scanners.direction import flow_direction
from bot.scanners.flow import FlowScanner
from bot.scanners.golden_sweeps import GoldenSweepsScanner
from bot.scanners.scalps import ScalpsScanner
from bot.scanners.sweeps import SweepsScanner
from tests.scanners.events import flow_event, reading

SCANNERS = load_settings().scanners


def test_sweeps_take_50k_and_up() -> None:
    assert SweepsScanner().select(flow_event(premium=50_000), SCANNERS.sweeps)
    assert not SweepsScanner().select(flow_event(premium=40_000), SCANNERS.sweeps)


def test_golden_sweeps_need_a_million_near_the_money() -> None:
    golden = GoldenSweepsScanner()
    assert golden.select(flow_event(premium=1_000_000, strike=620.0), SCANNERS.golden_sweeps)  # 3.7% OTM
    assert not golden.select(flow_event(premium=1_000_000, strike=640.0), SCANNERS.golden_sweeps)  # 7%
    assert not golden.select(flow_event(premium=900_000), SCANNERS.golden_sweeps)
    assert not golden.select(flow_event(underlying_price=None), SCANNERS.golden_sweeps)


@pytest.mark.parametrize(("dte", "scanner", "inside"), [
    (0, "scalps", True), (7, "scalps", True), (8, "scalps", False),
    (0, "sweeps", False), (1, "sweeps", True), (90, "sweeps", True), (91, "sweeps", False),
    (6, "bullseye", False), (7, "bullseye", True), (60, "bullseye", True),
    (0, "flow", False), (45, "flow", True), (46, "flow", False),
])  # fmt: skip
def test_dte_ranges(dte: int, scanner: str, inside: bool) -> None:
    assert in_dte_range(flow_event(dte=dte), getattr(SCANNERS, scanner)) is inside


def test_bullseye_wants_delta_near_half_and_volume_three_times_open_interest() -> None:
    bullseye, settings = BullseyeScanner(), SCANNERS.bullseye
    swing = flow_event(premium=20_000, dte=30, delta=0.45, day_volume=3_000, open_interest=1_000)
    assert bullseye.select(swing, settings)
    assert bullseye.select(flow_event(premium=20_000, delta=-0.55, day_volume=3_000, open_interest=1_000), settings)
    assert not bullseye.select(flow_event(premium=20_000, delta=0.65, day_volume=3_000, open_interest=1_000), settings)
    assert not bullseye.select(flow_event(premium=20_000, delta=0.5, day_volume=2_900, open_interest=1_000), settings)
    assert not bullseye.select(flow_event(premium=20_000, delta=None, day_volume=9_000), settings)
    assert not bullseye.select(flow_event(premium=20_000, delta=0.5, open_interest=0), settings)


def test_scalps_want_the_strike_within_three_percent() -> None:
    assert ScalpsScanner().select(flow_event(premium=5_000, dte=0, strike=600.0), SCANNERS.scalps)
    assert not ScalpsScanner().select(flow_event(premium=5_000, dte=0, strike=620.0), SCANNERS.scalps)


def test_flow_needs_three_hits_within_the_hour_and_a_likely_itm_contract() -> None:
    flow, settings = FlowScanner(), SCANNERS.flow
    itm_call = flow_event(premium=15_000, strike=590.0)
    hits = [flow.select(flow_event(premium=15_000, strike=590.0, window_end=itm_call.window_end + timedelta(minutes=m)), settings) for m in (0, 20, 40)]
    assert hits == [False, False, True]
    assert not flow.select(flow_event(premium=15_000, strike=590.0, window_end=itm_call.window_end + timedelta(minutes=105)), settings)


def test_flow_ignores_repeat_hits_on_an_unlikely_contract_and_small_ones() -> None:
    flow, settings = FlowScanner(), SCANNERS.flow
    far_otm = [flow.select(flow_event(premium=15_000, strike=650.0), settings) for _ in range(4)]
    assert far_otm == [False] * 4
    small = [flow.select(flow_event(premium=9_000, strike=590.0), settings) for _ in range(4)]
    assert small == [False] * 4


def test_flow_counts_an_order_cut_in_two_by_a_refresh_as_one_hit() -> None:
    flow, settings = FlowScanner(), SCANNERS.flow
    first = flow_event(premium=12_000, strike=590.0)
    later = first.window_end + timedelta(seconds=15)
    # Each order printed across a refresh: $12K then $6K, then two orders of $6K + $6K.
    parts = [first, flow_event(premium=6_000, carried_premium=12_000, strike=590.0, window_end=later),
             flow_event(premium=6_000, strike=590.0, window_end=later + timedelta(minutes=5)),
             flow_event(premium=6_000, carried_premium=6_000, strike=590.0, window_end=later + timedelta(minutes=5, seconds=15))]  # fmt: skip
    assert [flow.select(part, settings) for part in parts] == [False, False, False, False]  # two hits
    third = flow_event(premium=15_000, strike=590.0, window_end=later + timedelta(minutes=20))
    assert flow.select(third, settings)


def test_probability_itm_is_none_without_iv_rather_than_assumed() -> None:
    assert probability_itm(flow_event(implied_volatility=None)) is None
    deep_itm = probability_itm(flow_event(strike=500.0))
    assert deep_itm is not None and deep_itm > 0.99


def test_opening_when_size_exceeds_open_interest_plus_earlier_volume() -> None:
    # 2,000 traded now; 500 earlier today; 1,000 open: at least 500 must be new positions.
    assert is_opening(flow_event(contracts=2_000, day_volume=2_500, open_interest=1_000), reading(contracts=2_000))
    assert not is_opening(flow_event(contracts=1_000, day_volume=2_500, open_interest=1_000), reading(contracts=1_000))


def test_tags_are_what_the_prints_showed_or_large_volume_without_them() -> None:
    assert Tag.SWEEP in flow_tags(flow_event(), reading(style=Style.SWEEP))
    assert Tag.BLOCK in flow_tags(flow_event(), reading(style=Style.BLOCK))
    no_trades = flow_tags(flow_event(), reading(style=None, trades_available=False))
    assert Tag.LARGE_VOLUME in no_trades and Tag.SWEEP not in no_trades


@pytest.mark.parametrize(("sentiment", "direction"), [
    (Sentiment.BULLISH, "bullish"), (Sentiment.BEARISH, "bearish"), (Sentiment.NEUTRAL, None),
])  # fmt: skip
def test_direction_comes_from_the_side_never_assumed(sentiment: Sentiment, direction: str | None) -> None:
    assert flow_direction(reading(sentiment=sentiment)) == direction


def test_daily_momentum_needs_sma20_over_sma50_and_price_over_sma20() -> None:
    rising = [100 + i * 0.5 for i in range(50)]  # SMA20 = 119.75, SMA50 = 112.25
    assert daily_momentum(rising, price=125.0) == ("bullish", pytest.approx(119.75 / 112.25 - 1))
    assert daily_momentum(rising, price=118.0) is None  # price under SMA20
    falling = list(reversed(rising))
    assert daily_momentum(falling, price=100.0)[0] == "bearish"  # type: ignore[index]
    assert daily_momentum(rising[:49], price=125.0) is None  # not enough history
