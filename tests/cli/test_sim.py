from __future__ import annotations

import asyncio
import json
import signal
import sys
from pathlib import Path

import aiohttp
import pytest

from bot.cli import main
from tests.support.fixtures import REPO_ROOT

QUICK = str(REPO_ROOT / "data" / "scenarios" / "quick.json")


def test_truth_prints_every_planted_event_as_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["sim", "--scenario", QUICK, "--truth"]) == 0
    entries = json.loads(capsys.readouterr().out)
    scenario = json.loads(Path(QUICK).read_text())
    assert sorted(entry["id"] for entry in entries) == sorted(event["id"] for event in scenario["events"])
    assert {entry["expected"] for entry in entries} == {"alert", "ignored"}


def test_a_bad_scenario_or_flag_exits_2_naming_the_problem(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    broken = tmp_path / "broken.json"
    broken.write_text(
        json.dumps(
            {"name": "x", "session_date": "2026-04-03", "underlyings": [{"symbol": "SPY", "price": 1}]}
        )
    )
    assert main(["sim", "--scenario", str(broken), "--truth"]) == 2
    assert "session_date: 2026-04-03 is not an NYSE trading day" in capsys.readouterr().err
    assert main(["sim", "--scenario", QUICK, "--key", "k:platinum", "--truth"]) == 2
    assert "access.keys[0].plan" in capsys.readouterr().err
    assert main(["sim", "--scenario", QUICK, "--fault", "http_503", "--truth"]) == 2
    assert "faults[0].kind" in capsys.readouterr().err


async def test_serve_prints_where_it_listens_and_answers_until_interrupted() -> None:
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "sim", "--scenario", QUICK, "--port", "0", "--speed", "60",
        "--start", "08:00", "--key", "demo-key:developer", "--fault", "http_502:market_status:1",
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE, cwd=REPO_ROOT,
    )  # fmt: skip
    assert process.stdout is not None
    try:
        lines: list[str] = []
        while not lines or not lines[-1].startswith("Ctrl-C"):
            line = await asyncio.wait_for(process.stdout.readline(), timeout=60)
            assert line, "the simulator exited before serving"
            lines.append(line.decode().strip())
        printed = dict(line.split(None, 1) for line in lines[1:-1])
        assert printed["API"] == "key   demo-key (developer)"
        base_url = printed["base"].removeprefix("URL").strip()
        headers = {"Authorization": "Bearer demo-key"}
        async with aiohttp.ClientSession() as http:
            async with http.get(f"{base_url}/v1/marketstatus/now", headers=headers) as first:
                assert first.status == 502  # the fault asked for on the command line
            async with http.get(f"{base_url}/v1/marketstatus/now", headers=headers) as second:
                assert second.status == 200 and (await second.json())["market"] == "extended-hours"
            async with http.get(f"{base_url}/v3/quotes/SPY", headers=headers) as quotes:
                assert quotes.status == 403  # developer keys have trades but no quotes
            async with http.get(f"{base_url}/v3/snapshot/options/C?limit=2", headers=headers) as chain:
                body = await chain.json()  # C's book is built in a worker thread on a wall clock
                assert chain.status == 200 and len(body["results"]) == 2
                assert body["results"][0]["last_quote"]["timeframe"] == "DELAYED"
    finally:
        process.send_signal(signal.SIGINT)
        out, _ = await asyncio.wait_for(process.communicate(), timeout=30)
    assert process.returncode == 0 and out.decode().strip().endswith("stopped.")
