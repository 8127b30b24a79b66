"""Each guild's filter over the defaults, and the loosest settings the scanners scan with."""

from __future__ import annotations

import pytest

from bot.alerts import Scanner
from bot.config import Settings
from bot.delivery.filters import MIN_THRESHOLD, AlertFilter, guild_filter, loosest_settings
from bot.store import GuildOverrides
from tests.support import alert_examples as examples
from tests.support.alert_examples import variant

DEFAULTS = Settings().scanners


def overrides(scanner: Scanner, **values: float) -> GuildOverrides:
    return GuildOverrides(scanners={scanner.value: values})


def test_a_guild_without_overrides_filters_with_the_defaults() -> None:
    flow = guild_filter(Scanner.FLOW, DEFAULTS, GuildOverrides())
    assert (flow.min_dollars, flow.min_dte, flow.max_dte, flow.min_score) == (10_000, 1, 45, 0)
    assert flow.tickers == frozenset()


def test_an_override_replaces_only_its_own_key() -> None:
    sweeps = guild_filter(Scanner.SWEEPS, DEFAULTS, overrides(Scanner.SWEEPS, min_premium=250_000))
    assert sweeps.min_dollars == 250_000
    assert (sweeps.min_dte, sweeps.max_dte) == (DEFAULTS.sweeps.min_dte, DEFAULTS.sweeps.max_dte)


def test_dark_prints_are_thresholded_on_notional_and_breakouts_not_on_dollars() -> None:
    darkpool = guild_filter(Scanner.DARKPOOL, DEFAULTS, overrides(Scanner.DARKPOOL, min_notional=20e6))
    assert darkpool.min_dollars == 20e6 and darkpool.min_dte is None
    assert not darkpool.accepts(examples.darkpool())  # a $12.5M print
    breakouts = guild_filter(Scanner.BREAKOUTS, DEFAULTS, GuildOverrides())
    assert breakouts.min_dollars is None
    assert breakouts.accepts(examples.breakouts())


@pytest.mark.parametrize(
    ("changes", "accepted"),
    [
        ({}, True),
        ({"premium": 99_999.0}, False),
        ({"premium": 100_000.0}, True),
        ({"dte": 9}, False),
        ({"dte": 10}, True),
        ({"dte": 30}, True),
        ({"dte": 31}, False),
        ({"score": 59, "score_components": examples.components(("premium", 59, "$1.2M"))}, False),
        ({"ticker": "QQQ"}, False),
    ],
)
def test_a_filter_takes_what_is_inside_every_bound(changes: dict[str, object], accepted: bool) -> None:
    wanted = AlertFilter(min_dollars=100_000, min_dte=10, max_dte=30, min_score=60, tickers=frozenset({"SPY", "NVDA"}))
    assert wanted.accepts(variant(examples.sweeps(), **changes)) is accepted


def test_an_alert_without_a_score_passes_only_a_guild_that_asks_for_none() -> None:
    unscored = variant(examples.breakouts(), score=None, score_components=())
    assert AlertFilter(None, None, None, 0, frozenset()).accepts(unscored)
    assert not AlertFilter(None, None, None, 1, frozenset()).accepts(unscored)


def test_the_scan_uses_the_lowest_threshold_and_widest_range_any_guild_asked_for() -> None:
    guilds = [
        overrides(Scanner.SWEEPS, min_premium=20_000, min_dte=7, max_dte=30),
        overrides(Scanner.SWEEPS, min_premium=400_000, min_dte=0, max_dte=120, min_score=40),
        GuildOverrides(),
    ]
    loosest = loosest_settings(Scanner.SWEEPS, DEFAULTS, guilds)
    assert (loosest.min_premium, loosest.min_dte, loosest.max_dte, loosest.min_score) == (20_000, 0, 120, 0)  # type: ignore[attr-defined]
    assert DEFAULTS.sweeps.min_premium == 50_000  # the defaults themselves are untouched


def test_the_scan_never_goes_below_the_hard_floor() -> None:
    asked_too_low = overrides(Scanner.GOLDEN_SWEEPS, min_premium=10)
    assert loosest_settings(Scanner.GOLDEN_SWEEPS, DEFAULTS, [asked_too_low]).min_premium == MIN_THRESHOLD  # type: ignore[attr-defined]


def test_stricter_guilds_leave_the_scan_at_the_defaults() -> None:
    stricter = overrides(Scanner.FLOW, min_premium=1_000_000, min_dte=10, max_dte=20, min_score=90)
    assert loosest_settings(Scanner.FLOW, DEFAULTS, [stricter]) == DEFAULTS.flow
