"""Polygon misbehaving during a live run: a 429 storm, 500s, a hung response, malformed JSON.

Each drill breaks the simulator from 10:02 until 10:07, across the golden sweep planted at
10:05 and the dark-pool block at 10:06. Throughout, the bot keeps running and `/status` shows
what is wrong; once the API answers again, the sweep still reaches the subscribed channels
(late, but not lost: the feed kept the chain's volumes from before the fault).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

import pytest

from bot.alerts import Scanner
from bot.sim.server import SimServer
from tests.drills.conftest import FAULT_HELD_UNTIL, HTTP_TIMEOUT_SECONDS, LiveBot, ticker


@dataclass(frozen=True)
class Fault:
    begin: Callable[[SimServer], object]
    end: Callable[[SimServer], object]
    shown_as: str  # what the "Polygon API" line of /status counts while it lasts
    chains_only: bool  # the options chain endpoint alone fails; the stock side is untouched


def restore_rate(sim: SimServer) -> None:
    sim.set_key(sim.api_key)


FAULTS = {
    # The key's rate drops far below what the bot spends: most requests meet a 429.
    "429 storm": Fault(
        lambda sim: sim.set_key(sim.api_key, requests_per_second=0.05, burst=1), restore_rate,
        "rate-limited (429)", chains_only=False,
    ),
    "500s": Fault(
        lambda sim: sim.inject("http_500", endpoint="options_chain", count=None), SimServer.clear_faults,
        "errors", chains_only=True,
    ),
    # Each chain request hangs past the client's timeout, every retry included.
    "hung response": Fault(
        lambda sim: sim.inject("slow", endpoint="options_chain", count=None, delay_seconds=6 * HTTP_TIMEOUT_SECONDS),
        SimServer.clear_faults, "errors", chains_only=True,
    ),
    "malformed JSON": Fault(
        lambda sim: sim.inject("malformed_json", endpoint="options_chain", count=None), SimServer.clear_faults,
        "errors", chains_only=True,
    ),
}  # fmt: skip


def counted(line: str, what: str) -> int:
    found = re.search(rf"([\d,]+) {re.escape(what)}", line)
    assert found, f"/status does not count {what!r}: {line}"
    return int(found.group(1).replace(",", ""))


def tier_one_lag(line: str) -> tuple[float, float]:
    """(seconds since the stalest tier-1 chain was read, the interval promised)."""
    found = re.search(r"tier 1: (\d+) s \(every (\d+) s\)", line)
    assert found, f"no tier-1 lag in /status: {line}"
    return float(found.group(1)), float(found.group(2))


@pytest.mark.parametrize("fault", list(FAULTS.values()), ids=list(FAULTS))
async def test_the_bot_rides_out_the_fault_shows_it_and_still_delivers_the_sweep(live: LiveBot, fault: Fault) -> None:
    alerts, general = live.channels
    fault.begin(live.sim)
    await live.start()
    await live.until_market(FAULT_HELD_UNTIL)
    if fault.chains_only:
        # The stock side never touches the broken endpoint: its block goes out meanwhile.
        await live.until(lambda: all(live.posts(channel, Scanner.DARKPOOL) for channel in live.channels),
                         "the dark-pool block while the chains fail")  # fmt: skip

    during = await live.status()
    assert counted(during.fields["Polygon API"], fault.shown_as) > 0
    if fault.chains_only:
        lag, promised = tier_one_lag(during.fields["Options feed"])
        assert lag > promised  # SPY's chain has not been read since the fault began
        assert live.posts(alerts, Scanner.GOLDEN_SWEEPS) == []
        assert [ticker(post) for post in live.posts(general, Scanner.DARKPOOL)] == ["C"]

    fault.end(live.sim)
    recovered_at = live.clock.now()
    await live.until(lambda: all(live.posts(channel, Scanner.GOLDEN_SWEEPS) for channel in live.channels),
                     "the golden sweep in both channels")  # fmt: skip
    await live.until(lambda: all(live.posts(channel, Scanner.DARKPOOL) for channel in live.channels),
                     "the dark-pool block in both channels")  # fmt: skip
    [golden] = live.posts(alerts, Scanner.GOLDEN_SWEEPS)
    assert ticker(golden) == "SPY"
    if fault.chains_only:
        assert golden.embeds[0].timestamp >= recovered_at  # found by the first refresh that worked

    # Once the API answers again the feed catches up with its promised refresh intervals.
    after = await live.until_status("ORAKL status: all good")
    assert live.services.scheduler.running
    assert "not run yet" not in after.fields["Scanners"]
