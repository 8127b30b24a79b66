"""`python -m bot scan`: refuses bad flags and a refused key with a clear line, follows a
simulator's clock, stops on SIGTERM with a summary, and never shows the key."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from collections.abc import AsyncIterator
from datetime import datetime, time
from pathlib import Path

import pytest

from bot.cli import main
from bot.market.calendar import ET
from bot.market.clock import ScaledClock
from bot.sim.scenario import load_scenario
from bot.sim.server import SimServer
from tests.cli.logging_setup import LoggingCalls, record_logging_setup
from tests.support.fixtures import REPO_ROOT

KEY = "scan-SECRET-key-0042"
QUICK = REPO_ROOT / "data" / "scenarios" / "quick.json"



@pytest.fixture(autouse=True)
def logging_setup(monkeypatch: pytest.MonkeyPatch) -> LoggingCalls:
    return record_logging_setup(monkeypatch, "scan")


@pytest.fixture
async def sim() -> AsyncIterator[SimServer]:
    """The quick scenario's market running on the wall's pace from 10:30."""
    scenario = load_scenario(QUICK)
    clock = ScaledClock(datetime.combine(scenario.session_date, time(10, 30), tzinfo=ET))
    async with SimServer.start(scenario, clock=clock) as server:
        server.set_key(KEY, plan="advanced")
        yield server


@pytest.fixture
def keyed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("POLYGON_API_KEY", KEY)


@pytest.mark.usefixtures("keyed")
@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--scanners", "sweeps,nope"], "--scanners: unknown nope; choose from breakouts, bullseye, darkpool, flow, "
                                        "golden_sweeps, scalps, sweeps"),
        (["--watchlist", "SPY,spy"], "--watchlist:2: SPY is listed twice"),
        (["--watchlist", "lists/missing.txt"], "cannot read watchlist lists/missing.txt: No such file or directory"),
        (["--duration", "0"], "--duration must be positive"),
        (["--rps", "-1"], "--rps must be positive"),
        (["--jsonl", "out/alerts.jsonl"], "--jsonl: there is no directory out"),
    ],
)  # fmt: skip
def test_a_bad_flag_exits_2_naming_it(args: list[str], message: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["scan", *args]) == 2
    assert capsys.readouterr().err.strip() == message


def test_without_a_key_it_says_where_to_set_it(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["scan", "--watchlist", "SPY"]) == 2
    assert capsys.readouterr().err == (
        "POLYGON_API_KEY is not set: set it in .env (see .env.example) or in the environment.\n"
    )


@pytest.mark.usefixtures("keyed")
async def test_a_refused_key_stops_before_scanning_without_showing_it(
    sim: SimServer,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    logging_setup: LoggingCalls,
) -> None:
    sim.remove_key(KEY)
    monkeypatch.setenv("ORAKL_POLYGON_BASE_URL", sim.base_url)
    # `main` runs its own event loop: a thread keeps the simulator serving on this one.
    assert await asyncio.to_thread(main, ["scan", "--watchlist", "SPY", "--duration", "5"]) == 2
    captured = capsys.readouterr()
    assert captured.err.startswith("Polygon refused POLYGON_API_KEY (Unknown API Key); check the key")
    assert sim.stats()["requests"] == {"market_status": {"401": 1}}
    assert KEY not in captured.out + captured.err
    # Logging went up before any request, with the key among the secrets it scrubs.
    assert logging_setup == [("ERROR", [KEY])]


async def test_sigterm_stops_a_scan_of_the_simulator_with_its_summary(sim: SimServer, tmp_path: Path) -> None:
    jsonl = tmp_path / "alerts.jsonl"
    env = {**os.environ, "POLYGON_API_KEY": KEY, "ORAKL_POLYGON_BASE_URL": sim.base_url, "PYTHONUNBUFFERED": "1"}
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "scan", "--watchlist", "SPY", "--scanners", "sweeps,golden_sweeps",
        "--rps", "20", "--jsonl", str(jsonl),
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE, cwd=tmp_path, env=env,
    )  # fmt: skip
    assert process.stdout is not None
    try:
        started: list[str] = []
        while not started or started[-1] != "Ctrl-C stops with a summary.":
            line = await asyncio.wait_for(process.stdout.readline(), timeout=60)
            assert line, "scan exited before scanning"
            started.append(line.decode().rstrip())
        # Let it refresh the chain once before it is told to stop.
        while not sim.stats()["requests"].get("options_chain"):
            await asyncio.sleep(0.1)
        process.send_signal(signal.SIGTERM)
        out, err = await asyncio.wait_for(process.communicate(), timeout=30)
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
    assert process.returncode == 0, err.decode()[-2000:]
    assert started[0].startswith("the server's clock reads 2026-03-30 10:30:")
    assert started[0].endswith("another moment than ours: following the server's clock")
    assert started[1] == f"ORAKL scan: 1 symbols · scanners: sweeps, golden_sweeps · 20 requests/s · {sim.base_url} · alerts also to {jsonl}"
    assert started[2] == "options session open until 16:00 ET"
    summary = out.decode().splitlines()
    assert summary[0].startswith("scan stopped: 2026-03-30 10:30:")
    assert summary[1].startswith("  requests used: ") and "options_chain" in summary[1]
    assert summary[-1] == "  alerts: 0 (sweeps 0, golden_sweeps 0)"
    assert jsonl.exists()
    assert KEY not in "\n".join(started) + out.decode() + err.decode()
