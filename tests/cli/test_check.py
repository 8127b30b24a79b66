"""`python -m bot check` against the simulator: each plan, a refused key and a server that is
down give the right table, verdicts and exit code, and the key is never printed."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import datetime, time
from pathlib import Path

import pytest

from bot.alerts.model import Scanner
from bot.cli import main
from bot.market.calendar import ET
from bot.market.clock import VirtualClock
from bot.sim.market import Market
from bot.sim.scenario import Scenario, load_scenario
from bot.sim.server import SimServer
from tests.cli.logging_setup import LoggingCalls, record_logging_setup
from tests.support.fixtures import REPO_ROOT

KEY = "check-SECRET-key-0042"
QUICK = REPO_ROOT / "data" / "scenarios" / "quick.json"
LARGE_VOLUME = "option trades not in plan (403) → alerts labelled LARGE VOLUME, side from snapshot quotes"


@pytest.fixture(scope="module")
def quick() -> tuple[Scenario, Market]:
    """The quick scenario's market with SPY's books built once for the whole module."""
    scenario = load_scenario(QUICK)
    market = Market(scenario)
    for part in ("options", "stock"):
        market.books["SPY"].build(part)
    return scenario, market



@pytest.fixture(autouse=True)
def logging_setup(monkeypatch: pytest.MonkeyPatch) -> LoggingCalls:
    return record_logging_setup(monkeypatch, "check")


@pytest.fixture
async def sim(quick: tuple[Scenario, Market]) -> AsyncIterator[SimServer]:
    scenario, market = quick
    clock = VirtualClock(datetime.combine(scenario.session_date, time(10, 30), tzinfo=ET))
    async with SimServer.start(scenario, clock=clock, market=market) as server:
        yield server


Check = Callable[[str, int], Awaitable[str]]


@pytest.fixture
def check(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> Check:
    """Run `python -m bot check` against a base URL, expecting an exit code; returns what it
    printed, after making sure the key is nowhere in it."""
    watchlist = tmp_path / "watchlist.txt"
    watchlist.write_text("SPY 1\nQQQ 1\n")
    monkeypatch.setenv("POLYGON_API_KEY", KEY)
    monkeypatch.setenv("ORAKL_WATCHLIST_PATH", str(watchlist))
    monkeypatch.setenv("ORAKL_HTTP_TIMEOUT_SECONDS", "5")

    async def run(base_url: str, exit_code: int) -> str:
        monkeypatch.setenv("ORAKL_POLYGON_BASE_URL", base_url)
        # `main` runs its own event loop: a thread keeps the simulator serving on this one.
        assert await asyncio.to_thread(main, ["check"]) == exit_code
        captured = capsys.readouterr()
        assert KEY not in captured.out + captured.err
        return captured.out

    return run


def table(output: str) -> dict[str, tuple[str, str]]:
    """data kind -> (access, freshness), read from the printed probe table."""
    rows = output.split("  data kind", 1)[1].split("\n\n", 1)[0].splitlines()[1:]
    found = {}
    for row in rows:
        cells = [cell.strip() for cell in row.strip().split("  ") if cell.strip()]
        if len(cells) >= 3:
            found[cells[0]] = (cells[1], cells[2])
    return found


def scanner_lines(output: str) -> dict[str, str]:
    block = output.split("\nscanners:\n", 1)[1].split("\n\n", 1)[0]
    lines: dict[str, str] = {}
    name = ""
    for row in block.splitlines():
        if row.startswith("  ") and not row.startswith("   "):
            name, _, rest = row.strip().partition(" ")
            lines[name] = rest.strip()
        else:
            lines[name] += "\n" + row.strip()
    return lines


async def test_a_full_real_time_plan_is_ready_and_exits_0(sim: SimServer, check: Check) -> None:
    sim.set_key(KEY, plan="advanced")
    output = await check(sim.base_url, 0)
    assert output.startswith("settings: ok\n")
    assert "reachable, key accepted; server time 2026-03-30 10:30 ET, market open" in output
    assert "probes (one each, for SPY):" in output
    assert set(table(output).values()) == {("available", "real-time")}
    assert len(table(output)) == 6
    assert set(scanner_lines(output).values()) == {"ready"}
    assert output.rstrip().endswith("ready: all 7 enabled scanners can run")
    # One probe per data kind: trades twice (options and stock), the rest once, plus the handshake.
    requests = {endpoint: sum(statuses.values()) for endpoint, statuses in sim.stats()["requests"].items()}
    assert requests == {"market_status": 1, "stock_snapshot": 1, "aggregates": 1, "trades": 2,
                        "options_chain": 1, "quotes": 1}  # fmt: skip


async def test_a_plan_without_quotes_runs_every_scanner_with_sides_from_snapshot_quotes(
    sim: SimServer, check: Check
) -> None:
    sim.set_key(KEY, plan="developer")
    output = await check(sim.base_url, 0)
    rows = table(output)
    assert rows["option quotes"] == ("not in plan (403)", "-")
    assert rows["option trades"] == ("available", "delayed")
    assert rows["chain snapshot"] == ("available", "delayed")
    assert rows["aggregates"] == ("available", "delayed")
    sweeps = scanner_lines(output)["sweeps"]
    assert sweeps.startswith("runs, degraded: option quotes not in plan (403) → side of each print from the "
                             "snapshot quote, marked approximate")  # fmt: skip
    assert "alerts come about 15 minutes late, marked DELAYED" in sweeps
    assert output.rstrip().endswith("ready: all 7 enabled scanners can run")


async def test_a_plan_without_trades_or_quotes_stops_darkpool_and_exits_1(sim: SimServer, check: Check) -> None:
    sim.set_key(KEY, plan="starter")
    output = await check(sim.base_url, 1)
    rows = table(output)
    trades_and_quotes = ("option trades", "option quotes", "stock trades")
    assert {kind: rows[kind][0] for kind in trades_and_quotes} == dict.fromkeys(trades_and_quotes, "not in plan (403)")
    verdicts = scanner_lines(output)
    assert verdicts["darkpool"] == "cannot run: needs stock trades, not in plan (403)"
    for name in ("flow", "sweeps", "golden_sweeps", "bullseye", "scalps"):
        assert verdicts[name].startswith(f"runs, degraded: {LARGE_VOLUME}"), name
    assert output.rstrip().endswith("not ready: 6 of 7 enabled scanners can run; cannot run: darkpool")


async def test_an_options_only_plan_runs_the_options_flow_scanners_and_names_what_needs_stock_data(
    sim: SimServer, check: Check
) -> None:
    sim.set_key(KEY, plan="options_advanced")
    output = await check(sim.base_url, 1)
    rows = table(output)
    stock_data = ("stock snapshot", "stock trades", "aggregates")
    options_data = ("chain snapshot", "option trades", "option quotes")
    assert {kind: rows[kind][0] for kind in stock_data} == dict.fromkeys(stock_data, "not in plan (403)")
    assert {kind: rows[kind] for kind in options_data} == dict.fromkeys(options_data, ("available", "real-time"))
    verdicts = scanner_lines(output)
    for name in ("flow", "golden_sweeps"):
        assert verdicts[name] == "runs, degraded: stock snapshot not in plan (403) → first chain of each symbol " \
                                 "read whole (no strike window), a few more pages once", name
    for name in ("bullseye", "scalps", "darkpool", "breakouts"):
        assert verdicts[name].startswith("cannot run: "), name
    assert output.rstrip().endswith(
        "not ready: 3 of 7 enabled scanners can run; cannot run: bullseye, scalps, darkpool, breakouts"
    )


async def test_the_same_plan_is_ready_once_the_scanner_it_cannot_feed_is_disabled(
    sim: SimServer, check: Check, monkeypatch: pytest.MonkeyPatch
) -> None:
    sim.set_key(KEY, plan="starter")
    monkeypatch.setenv("ORAKL_SCANNERS__DARKPOOL__ENABLED", "false")
    output = await check(sim.base_url, 0)
    assert scanner_lines(output)["darkpool"] == "disabled"
    assert output.rstrip().endswith("ready: all 6 enabled scanners can run")


async def test_with_every_scanner_disabled_nothing_would_run_and_it_exits_1(
    sim: SimServer, check: Check, monkeypatch: pytest.MonkeyPatch
) -> None:
    sim.set_key(KEY, plan="advanced")
    for scanner in Scanner:
        monkeypatch.setenv(f"ORAKL_SCANNERS__{scanner.value.upper()}__ENABLED", "false")
    output = await check(sim.base_url, 1)
    assert set(scanner_lines(output).values()) == {"disabled"}
    assert output.rstrip().endswith("not ready: no scanner is enabled")


async def test_a_refused_key_fails_every_kind_without_probing_and_is_never_printed(
    sim: SimServer, check: Check, logging_setup: LoggingCalls
) -> None:
    sim.remove_key(KEY)
    output = await check(sim.base_url, 1)
    assert "refused the key (401: Unknown API Key); check POLYGON_API_KEY" in output
    assert "probes (none sent: each would fail the same way):" in output
    assert set(table(output).values()) == {("bad key (401)", "-")}
    assert all(line.startswith("cannot run: needs chain snapshot, bad key (401)")
               for name, line in scanner_lines(output).items() if name not in ("darkpool", "breakouts"))  # fmt: skip
    assert sim.stats()["requests"] == {"market_status": {"401": 1}}
    assert logging_setup == [("ERROR", [KEY])]  # anything logged has the key scrubbed


async def test_a_server_that_is_down_is_unreachable_for_every_kind(check: Check) -> None:
    with socket.socket() as probe:  # a port nobody listens on once closed
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    output = await check(f"http://127.0.0.1:{port}", 1)
    assert f"server: http://127.0.0.1:{port}: unreachable (connection failed" in output
    assert set(table(output).values()) == {("unreachable", "-")}
    assert output.rstrip().endswith("not ready: 0 of 7 enabled scanners can run; cannot run: flow, sweeps, "
                                    "golden_sweeps, bullseye, scalps, darkpool, breakouts")  # fmt: skip


def test_every_settings_problem_is_listed_on_its_own_line_before_any_request(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("ORAKL_REQUESTS_PER_SECOND", "fast")
    monkeypatch.setenv("ORAKL_SCANNERS__SWEEPS__MIN_PREMIUM", "-5")
    monkeypatch.setenv("ORAKL_POLYGON_BASE_URL", "api.polygon.io")
    assert main(["check"]) == 1
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "settings: 3 problems"
    assert [line.split(":")[0].strip() for line in lines[1:4]] == [
        "ORAKL_POLYGON_BASE_URL", "ORAKL_REQUESTS_PER_SECOND", "ORAKL_SCANNERS__SWEEPS__MIN_PREMIUM",
    ]  # fmt: skip
    assert lines[-1] == "not ready: fix the settings above, then run check again"


def test_a_missing_key_and_an_unreadable_watchlist_are_both_named(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    monkeypatch.setenv("ORAKL_WATCHLIST_PATH", str(tmp_path / "nowhere.txt"))
    assert main(["check"]) == 1
    output = capsys.readouterr().out
    assert output.splitlines()[:3] == [
        "settings: 2 problems",
        "  POLYGON_API_KEY is not set: set it in .env (see .env.example) or in the environment.",
        f"  ORAKL_WATCHLIST_PATH: cannot read watchlist {tmp_path / 'nowhere.txt'}: No such file or directory",
    ]
    assert "note: DISCORD_TOKEN is not set" in output


def test_a_malformed_symbol_is_refused_before_anything_else(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "--symbol", "SPY500"]) == 2
    assert "--symbol: 'SPY500' is not a US symbol" in capsys.readouterr().out
