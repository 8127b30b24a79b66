"""Fixtures for the simulator's tests: scenarios (shipped or built inline), a server on a
virtual clock, and a raw HTTP session to talk to it."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable
from datetime import date, datetime, time
from typing import Any

import aiohttp
import pytest

from bot.market.calendar import ET
from bot.market.clock import VirtualClock
from bot.sim.market import Market
from bot.sim.scenario import Scenario, load_scenario, parse_scenario
from bot.sim.server import SimServer
from tests.support.fixtures import REPO_ROOT

SCENARIOS = REPO_ROOT / "data" / "scenarios"
KEY = "orakl-sim"
SESSION = date(2026, 3, 30)  # quick.json's and small_scenario's session


def at(hour: int, minute: int = 0) -> datetime:
    """A New York time on the session's date."""
    return datetime.combine(SESSION, time(hour, minute), tzinfo=ET)


def small_scenario(**changes: Any) -> dict[str, Any]:
    """One liquid underlying with a short chain, no planted events: quick to build."""
    scenario: dict[str, Any] = {
        "name": "small",
        "session_date": "2026-03-30",
        "seed": 11,
        "start_time": "10:30",
        "history_sessions": 60,
        "underlyings": [
            {"symbol": "SPY", "price": 640.0, "volatility": 0.16, "strike_step": 1, "strikes_each_side": 6,
             "expirations": "daily", "max_days": 3, "avg_daily_volume": 60000000, "tape": 2},
        ],
    }  # fmt: skip
    scenario.update(changes)
    return scenario


def scenario_of(raw: dict[str, Any]) -> Scenario:
    return parse_scenario(json.dumps(raw))


@pytest.fixture(scope="session")
def quick() -> Scenario:
    return load_scenario(SCENARIOS / "quick.json")


@pytest.fixture(scope="session")
def quick_market(quick: Scenario) -> Market:
    """Built once for the session: its books are deterministic and read-only once built."""
    return Market(quick)


@pytest.fixture
async def sim(quick: Scenario, quick_market: Market) -> AsyncIterator[SimServer]:
    """quick.json served at 11:00, on a virtual clock."""
    async with SimServer.start(quick, clock=VirtualClock(at(11)), market=quick_market) as server:
        yield server


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


class Api:
    """Raw HTTP against one simulator: every call returns (status, decoded body, headers)."""

    def __init__(self, http: aiohttp.ClientSession, sim: SimServer) -> None:
        self.http = http
        self.sim = sim

    async def raw(self, path_or_url: str, *, key: str | None = KEY, **params: Any) -> tuple[int, bytes, Any]:
        url = path_or_url if path_or_url.startswith("http") else self.sim.base_url + path_or_url
        headers = {"Authorization": f"Bearer {key}"} if key else {}
        query = {name: str(value) for name, value in params.items()}
        async with self.http.get(url, headers=headers, params=query) as response:
            return response.status, await response.read(), response.headers

    async def get(self, path_or_url: str, *, key: str | None = KEY, **params: Any) -> tuple[int, Any]:
        status, body, _ = await self.raw(path_or_url, key=key, **params)
        return status, json.loads(body)

    async def ok(self, path_or_url: str, **params: Any) -> Any:
        status, body = await self.get(path_or_url, **params)
        assert status == 200, body
        return body

    async def every_page(self, path: str, **params: Any) -> list[Any]:
        """The results of a listing across all its pages, following `next_url`."""
        body = await self.ok(path, **params)
        results = list(body["results"])
        while "next_url" in body:
            body = await self.ok(body["next_url"])
            results.extend(body["results"])
        return results


@pytest.fixture
def api(http: aiohttp.ClientSession) -> Callable[[SimServer], Api]:
    return lambda sim: Api(http, sim)
