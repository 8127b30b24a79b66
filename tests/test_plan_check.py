"""The plan check's verdicts: what each scanner does with the data kinds a plan gives it.

The verdicts are checked on hand-made probe results here (every combination a plan can
make, including ones the simulator's plans do not offer, such as quotes without trades);
the probes themselves are checked against the simulator in `tests/cli/test_check.py`.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta, timezone

import pytest

from bot.alerts.model import Scanner
from bot.config import load_settings
from bot.market.clock import ScaledClock, WallClock
from bot.plan_check import (
    Access,
    DataKind,
    Freshness,
    Probe,
    Readiness,
    access_of,
    server_clock,
    verdict,
    verdicts,
)
from bot.polygon.errors import AuthError, NotEntitledError, RateLimitedError, UpstreamError

OPTIONS = (Scanner.FLOW, Scanner.SWEEPS, Scanner.GOLDEN_SWEEPS, Scanner.BULLSEYE, Scanner.SCALPS)
LARGE_VOLUME = "option trades not in plan (403) → alerts labelled LARGE VOLUME, side from snapshot quotes"
APPROXIMATE_SIDE = "option quotes not in plan (403) → side of each print from the snapshot quote, marked approximate"


def plan(
    *,
    missing: Iterable[DataKind] = (),
    access: Access = Access.NOT_IN_PLAN,
    freshness: Freshness = Freshness.REAL_TIME,
) -> dict[DataKind, Probe]:
    absent = set(missing)
    return {
        kind: Probe(kind, access) if kind in absent else Probe(kind, Access.AVAILABLE, freshness) for kind in DataKind
    }


def test_a_full_real_time_plan_leaves_every_scanner_ready() -> None:
    found = verdicts(load_settings(), plan())
    assert [(item.scanner, item.readiness, item.notes) for item in found] == [
        (scanner, Readiness.READY, ()) for scanner in Scanner
    ]


def test_without_option_trades_options_alerts_say_large_volume_and_darkpool_still_reads_stock_trades() -> None:
    probes = plan(missing=[DataKind.OPTION_TRADES])
    for scanner in OPTIONS:
        found = verdict(scanner, True, probes)
        assert found.readiness is Readiness.DEGRADED
        # Without prints there is nothing for quotes to refine: the quotes note stays out.
        assert found.notes == (LARGE_VOLUME,)
    assert verdict(Scanner.DARKPOOL, True, probes).readiness is Readiness.READY


def test_without_option_quotes_the_side_of_each_print_comes_from_the_snapshot_quote() -> None:
    found = verdict(Scanner.SWEEPS, True, plan(missing=[DataKind.OPTION_QUOTES]))
    assert (found.readiness, found.notes) == (Readiness.DEGRADED, (APPROXIMATE_SIDE,))


def test_without_any_trades_darkpool_cannot_run_and_the_options_scanners_degrade() -> None:
    probes = plan(missing=[DataKind.OPTION_TRADES, DataKind.OPTION_QUOTES, DataKind.STOCK_TRADES])
    darkpool = verdict(Scanner.DARKPOOL, True, probes)
    assert (darkpool.readiness, darkpool.notes) == (Readiness.BLOCKED, ("needs stock trades, not in plan (403)",))
    assert not darkpool.can_run
    assert all(verdict(scanner, True, probes).notes == (LARGE_VOLUME,) for scanner in OPTIONS)
    assert verdict(Scanner.BREAKOUTS, True, probes).readiness is Readiness.READY


def test_without_aggregates_the_scanners_that_need_bars_stop_and_the_others_say_what_they_lose() -> None:
    probes = plan(missing=[DataKind.AGGREGATES])
    readiness = {scanner: verdict(scanner, True, probes).readiness for scanner in Scanner}
    assert readiness == {
        Scanner.FLOW: Readiness.READY,
        Scanner.SWEEPS: Readiness.DEGRADED,  # its volume boost scores 0
        Scanner.GOLDEN_SWEEPS: Readiness.READY,
        Scanner.BULLSEYE: Readiness.BLOCKED,  # daily momentum
        Scanner.SCALPS: Readiness.BLOCKED,  # 5-minute candles
        Scanner.DARKPOOL: Readiness.DEGRADED,  # no average volume or year range
        Scanner.BREAKOUTS: Readiness.BLOCKED,  # the prior range
    }


def test_without_stock_snapshots_the_options_feed_reads_each_first_chain_whole() -> None:
    probes = plan(missing=[DataKind.STOCK_SNAPSHOT])
    for scanner in OPTIONS:
        found = verdict(scanner, True, probes)
        assert found.readiness is Readiness.DEGRADED
        assert found.notes == ("stock snapshot not in plan (403) → first chain of each symbol read whole "
                               "(no strike window), a few more pages once",)  # fmt: skip
    breakouts = verdict(Scanner.BREAKOUTS, True, probes)
    assert breakouts.readiness is Readiness.DEGRADED and "live prices from minute bars" in breakouts.notes[0]


@pytest.mark.parametrize("access", [Access.BAD_KEY, Access.UNREACHABLE])
def test_a_refused_key_or_a_silent_server_stops_every_scanner(access: Access) -> None:
    probes = plan(missing=DataKind, access=access)
    found = verdicts(load_settings(), probes)
    assert all(item.readiness is Readiness.BLOCKED for item in found)
    assert verdict(Scanner.FLOW, True, probes).notes[0] == f"needs chain snapshot, {access}"


def test_delayed_data_is_said_once_per_scanner_and_only_option_alerts_carry_the_mark() -> None:
    probes = plan(freshness=Freshness.DELAYED)
    assert verdict(Scanner.GOLDEN_SWEEPS, True, probes).notes == (
        "chain snapshot delayed → alerts come about 15 minutes late, marked DELAYED",
    )
    assert verdict(Scanner.DARKPOOL, True, probes).notes == ("stock trades delayed → alerts come about 15 minutes late",)


def test_errors_map_to_what_the_table_says() -> None:
    assert access_of(AuthError(status=401)) is Access.BAD_KEY
    assert access_of(NotEntitledError(status=403)) is Access.NOT_IN_PLAN
    assert access_of(UpstreamError("connection failed")) is Access.UNREACHABLE
    # A 502 is the server answering, badly: reachable, but the data did not come.
    assert access_of(UpstreamError(status=502)) is Access.FAILED
    assert access_of(RateLimitedError(status=429)) is Access.FAILED


def test_the_servers_clock_is_followed_only_when_it_reads_another_moment() -> None:
    wall = datetime(2026, 11, 25, 15, 0, tzinfo=timezone.utc)
    assert isinstance(server_clock(None, wall), WallClock)
    assert isinstance(server_clock(wall + timedelta(seconds=40), wall), WallClock)
    past = datetime(2026, 3, 30, 14, 4, 30, tzinfo=timezone.utc)
    followed = server_clock(past, wall)
    assert isinstance(followed, ScaledClock) and followed.speed == 1.0
    assert timedelta(0) <= followed.now() - past < timedelta(seconds=5)
