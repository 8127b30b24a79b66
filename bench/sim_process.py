"""The market simulator in a process of its own (`python -m bot sim`), so what a benchmark
measures in its own process (memory above all) is the bot's side alone."""

from __future__ import annotations

import asyncio
import ctypes
import signal
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime, time
from typing import Any

import aiohttp

from bot.market.clock import ScaledClock

STARTUP_SECONDS = 60.0
PR_SET_PDEATHSIG = 1  # linux/prctl.h


@dataclass(frozen=True)
class SimProcess:
    base_url: str
    api_key: str
    clock: ScaledClock  # this process's copy of the simulator's market clock

    async def stats(self) -> dict[str, Any]:
        """The simulator's request counts (`sim.stats()`, served at /sim/stats)."""
        async with aiohttp.ClientSession() as session, session.get(f"{self.base_url}/sim/stats") as response:
            stats: dict[str, Any] = await response.json()
            return stats


@asynccontextmanager
async def simulator_process(scenario: str, start: time, speed: float = 1.0) -> AsyncIterator[SimProcess]:
    """Serve `scenario` from `start` (ET) at `speed` in a child process until the block ends."""
    child = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "sim", "--scenario", scenario, "--port", "0",
        "--start", start.strftime("%H:%M"), "--speed", str(speed),
        stdout=asyncio.subprocess.PIPE, preexec_fn=_end_with_parent,
    )  # fmt: skip
    try:
        base_url, api_key = await asyncio.wait_for(_announced(child), STARTUP_SECONDS)
        yield SimProcess(base_url, api_key, await _market_clock(base_url, api_key, speed))
    finally:
        if child.returncode is None:
            child.terminate()
            await child.wait()


def _end_with_parent() -> None:
    """In the child: be sent SIGTERM when the benchmark dies, even by SIGKILL, so no
    simulator is left serving on a shared machine."""
    ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


async def _announced(child: asyncio.subprocess.Process) -> tuple[str, str]:
    """The base URL and key the simulator prints once it listens."""
    assert child.stdout is not None
    base_url = api_key = ""
    while not (base_url and api_key):
        line = (await child.stdout.readline()).decode()
        if not line:
            raise RuntimeError("the simulator exited before it was serving")
        label, _, value = line.strip().partition(" ")
        if label == "base":  # "base URL  http://127.0.0.1:PORT"
            base_url = value.split()[-1]
        elif label == "API":  # "API key   KEY (plan)"
            api_key = value.split()[1]
    return base_url, api_key


async def _market_clock(base_url: str, api_key: str, speed: float) -> ScaledClock:
    """A clock reading the simulator's market time, from its own market-status answer."""
    headers = {"Authorization": f"Bearer {api_key}"}
    async with aiohttp.ClientSession() as session:
        async with session.get(f"{base_url}/v1/marketstatus/now", headers=headers) as response:
            server_time = (await response.json())["serverTime"]
    return ScaledClock(datetime.fromisoformat(server_time), speed)
