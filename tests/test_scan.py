"""The headless scan: the live pipeline on a running market posts what replay posts for the
same window, keeps to the session's hours unless told not to, and survives a dead server."""

from __future__ import annotations

import io
import socket
from datetime import datetime, time
from pathlib import Path

import pytest
from rich.console import Console

from bot.alerts.model import Alert, Scanner
from bot.config import load_settings
from bot.market.calendar import ET, MarketCalendar
from bot.market.clock import ScaledClock
from bot.market.watchlist import WatchedSymbol
from bot.replay import replay, replay_watchlist
from bot.scan import OptionsAlwaysOpen, greet_server, hours_notice, only_scanners, run_scan
from bot.sim.scenario import load_scenario
from bot.sim.server import SimServer
from tests.support.fixtures import REPO_ROOT

QUICK = REPO_ROOT / "data" / "scenarios" / "quick.json"
# Around the golden sweep planted in SPY at 10:05; nothing else is planted in it.
WINDOW_START, WINDOW_END = time(10, 4), time(10, 7)
SPEED = 30.0
# The options scanners only, in both runs: the stock scanners have nothing planted in the
# window, and replay would spend most of its time reading dark prints from 04:00.
OPTIONS_ONLY = {"scanners": {"darkpool": {"enabled": False}, "breakouts": {"enabled": False}}}


def console() -> tuple[Console, io.StringIO]:
    out = io.StringIO()
    return Console(file=out, width=100), out


async def test_a_scan_of_a_window_posts_the_alerts_replay_posts_for_it(tmp_path: Path) -> None:
    scenario = load_scenario(QUICK)
    start = datetime.combine(scenario.session_date, WINDOW_START, tzinfo=ET)
    end = datetime.combine(scenario.session_date, WINDOW_END, tzinfo=ET)
    clock = ScaledClock(start, SPEED)
    screen, shown = console()
    async with SimServer.start(scenario, clock=clock) as sim:
        await sim.prepare()
        clock.restart()  # the market opens at the window's start once the books are built
        settings = load_settings(polygon_base_url=sim.base_url, polygon_api_key=sim.api_key, **OPTIONS_ONLY)
        scanned = await run_scan(
            settings, replay_watchlist(scenario), screen, clock=clock,
            duration=(end - start).total_seconds() / SPEED, jsonl=tmp_path / "scan.jsonl",
        )  # fmt: skip
    replayed = await replay(QUICK, until=WINDOW_END, settings_overrides=OPTIONS_ONLY)
    in_window = [alert for alert in replayed.alerts if start <= alert.detected_at < end]

    def by_contract(alerts: list[Alert]) -> dict[tuple[Scanner, str | None], float | None]:
        return {(alert.scanner, alert.contract): alert.premium for alert in alerts}

    live, replay_window = by_contract(scanned.alerts), by_contract(in_window)
    assert {Scanner.SWEEPS, Scanner.GOLDEN_SWEEPS} <= {scanner for scanner, _ in replay_window}
    assert live.keys() == replay_window.keys()
    for key, premium in replay_window.items():
        assert live[key] == pytest.approx(premium, rel=0.01), key
    # Shown as the demo draws it, and logged as replay writes it.
    assert "SPY $642 Call" in shown.getvalue() and "Golden Sweeps" in shown.getvalue()
    logged = [Alert.model_validate_json(line) for line in (tmp_path / "scan.jsonl").read_text().splitlines()]
    assert logged == scanned.alerts
    summary = scanned.render()
    assert f"alerts: {len(live)} (flow 0, sweeps 1, golden_sweeps 1, bullseye 0, scalps 0)" in summary
    assert f"requests used: {scanned.requests} (" in summary and scanned.requests > 0


async def test_outside_the_session_the_chains_wait_unless_hours_are_ignored() -> None:
    scenario = load_scenario(QUICK)
    pre_market = datetime.combine(scenario.session_date, time(8, 0), tzinfo=ET)
    requests = {}
    for ignore_hours in (False, True):
        clock = ScaledClock(pre_market, 10.0)
        screen, shown = console()
        async with SimServer.start(scenario, clock=clock) as sim:
            settings = only_scanners(
                load_settings(polygon_base_url=sim.base_url, polygon_api_key=sim.api_key), [Scanner.SWEEPS]
            )
            summary = await run_scan(settings, replay_watchlist(scenario)[:1], screen, clock=clock, duration=1.5,
                                     ignore_hours=ignore_hours, heartbeat_seconds=0.5)  # fmt: skip
            requests[ignore_hours] = {endpoint: sum(counts.values()) for endpoint, counts in sim.stats()["requests"].items()}
        text = shown.getvalue()
        if ignore_hours:
            assert "ignoring market hours: the options feed polls the chains whatever the time" in text
        else:
            assert "the options market is closed now (Mon 2026-03-30 08:00 ET)" in text
            assert "wait for the open, Mon 2026-03-30 09:30 ET" in text and "--ignore-hours" in text
        assert "flow events · alerts: none yet" in text  # the heartbeat
        assert summary.scanners == [Scanner.SWEEPS]
    assert "options_chain" not in requests[False]
    assert requests[True]["options_chain"] > 0


async def test_a_scan_of_stock_scanners_alone_fetches_no_options_chain() -> None:
    scenario = load_scenario(QUICK)
    clock = ScaledClock(datetime.combine(scenario.session_date, time(10, 30), tzinfo=ET), 10.0)
    screen, _ = console()
    async with SimServer.start(scenario, clock=clock) as sim:
        settings = load_settings(polygon_base_url=sim.base_url, polygon_api_key=sim.api_key,
                                 scanners={"darkpool": {"interval_seconds": 1, "stagger_seconds": 0}})  # fmt: skip
        summary = await run_scan(only_scanners(settings, [Scanner.DARKPOOL]), [WatchedSymbol("SPY", 1)], screen,
                                 clock=clock, duration=1.0)  # fmt: skip
        requests = sim.stats()["requests"]
    assert summary.scanners == [Scanner.DARKPOOL]
    assert "trades" in requests and "options_chain" not in requests


async def test_a_server_that_does_not_answer_is_scanned_anyway_and_each_failure_counted(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings = load_settings(
        polygon_base_url=f"http://127.0.0.1:{port}", polygon_api_key="scan-SECRET-key-77", http_max_retries=0
    )
    screen, shown = console()
    watchlist = [WatchedSymbol("SPY", 1), WatchedSymbol("C", 2)]
    clock = await greet_server(settings, screen)
    summary = await run_scan(settings, watchlist, screen, clock=clock, duration=1.5, ignore_hours=True)
    text = shown.getvalue()
    assert f"cannot ask http://127.0.0.1:{port} for its status now (connection failed" in text
    assert "scanning anyway" in text
    assert summary.stats.refresh_failures > 0 and summary.stats.refreshes == 0
    assert "failed: " in summary.render()
    # One warning per underlying, not one per failed refresh.
    warnings = [record for record in caplog.records if record.getMessage().startswith("chain refresh failed")]
    assert 0 < len(warnings) <= 2
    assert "scan-SECRET-key-77" not in text + caplog.text


def test_the_hours_notice_names_the_next_open() -> None:
    calendar = MarketCalendar()
    saturday = datetime(2026, 3, 28, 12, 0, tzinfo=ET)
    assert "wait for the open, Mon 2026-03-30 09:30 ET" in hours_notice(saturday, calendar)
    good_friday_eve = datetime(2026, 4, 2, 17, 0, tzinfo=ET)
    assert "wait for the open, Mon 2026-04-06 09:30 ET" in hours_notice(good_friday_eve, calendar)
    assert hours_notice(datetime(2026, 3, 30, 10, 0, tzinfo=ET), calendar) == "options session open until 16:00 ET"
    half_day = datetime(2026, 11, 27, 10, 0, tzinfo=ET)  # the day after Thanksgiving closes at 13:00
    assert hours_notice(half_day, calendar) == "options session open until 13:00 ET"
    assert hours_notice(saturday, OptionsAlwaysOpen()).startswith("ignoring market hours")


def test_choosing_scanners_enables_exactly_those() -> None:
    settings = load_settings(scanners={"darkpool": {"enabled": False}, "flow": {"min_premium": 25_000}})
    chosen = only_scanners(settings, [Scanner.DARKPOOL, Scanner.FLOW])
    assert {scanner for scanner in Scanner if getattr(chosen.scanners, scanner.value).enabled} == {
        Scanner.DARKPOOL, Scanner.FLOW,
    }  # fmt: skip
    assert chosen.scanners.flow.min_premium == 25_000  # the rest of the settings stay
    assert settings.scanners.darkpool.enabled is False  # the original is untouched
