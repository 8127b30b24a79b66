"""The one-line rendering for the terminal and the logs."""

from __future__ import annotations

import re
from zoneinfo import ZoneInfo

from hypothesis import given, settings

from bot.alerts import Alert, DataDelay, render_line
from tests.alerts.strategies import alerts
from tests.support import alert_examples as examples
from tests.support.alert_examples import variant


def test_a_sweep_reads_as_one_line_of_key_facts() -> None:
    assert render_line(examples.sweeps()) == (
        "14:31:20 ET SWEEPS  SPY 600C 12/19 (24d)  $1.20M  2,000 @ 6.00 BUY  bullish  score 78  [SWEEP, OPENING]"
    )


def test_the_time_is_new_york_time_in_summer_too() -> None:
    assert render_line(examples.flow()).startswith("14:31:20 ET FLOW  NVDA 140C 07/18 (36d)  $62K  310 @ 2.00 BUY")


def test_a_0dte_scalp_shows_its_tag() -> None:
    assert "(0d)" in render_line(examples.scalps())
    assert "0DTE]" in render_line(examples.scalps())


def test_an_approximate_side_is_marked() -> None:
    assert "160 @ 3.00 BUY (approx)" in render_line(examples.bullseye())


def test_a_dark_pool_print_shows_size_level_and_nbbo_but_no_side() -> None:
    line = render_line(examples.darkpool())
    assert line.startswith("14:31:20 ET DARKPOOL  AAPL  $12.50M  65,000 sh @ 192.31  level #1 192.30  at mid  0.13% ADV")
    assert not re.search(r"\b(BUY|SELL|bullish|bearish)\b", line)


def test_a_breakout_shows_the_level_it_cleared() -> None:
    line = render_line(examples.breakouts())
    assert "NVDA  141.20  above 20d high 139.50 (+1.2%)  RVOL 3.4x  day +4.1%" in line


def test_data_that_is_not_real_time_says_so() -> None:
    assert render_line(examples.golden_sweeps()).endswith("Polygon/Massive (DELAYED)")
    assert "delay unknown" in render_line(variant(examples.sweeps(), data_delay=DataDelay.UNKNOWN))
    assert "Polygon" not in render_line(examples.sweeps())


@settings(max_examples=60, deadline=None)
@given(alerts())
def test_any_alert_is_exactly_one_line(alert: Alert) -> None:
    line = render_line(alert)
    assert len(line.splitlines()) == 1
    assert line.startswith(alert.detected_at.astimezone(ZoneInfo("America/New_York")).strftime("%H:%M:%S ET "))
