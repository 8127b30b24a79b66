"""Fixtures for the Polygon client tests: a virtual clock, a stub server on 127.0.0.1 and a
client factory pointed at it."""

from __future__ import annotations

import random
from collections.abc import AsyncIterator, Callable
from datetime import datetime, timezone
from typing import Any

import pytest

from bot.market.clock import VirtualClock
from bot.polygon.client import PolygonClient
from tests.polygon.stub import PolygonStub

API_KEY = "pk-test-9f3Kq7ZSECRET"  # distinctive, so a leak is easy to find


@pytest.fixture
def clock() -> VirtualClock:
    return VirtualClock(datetime(2024, 3, 5, 15, 0, tzinfo=timezone.utc))


@pytest.fixture
async def stub(clock: VirtualClock) -> AsyncIterator[PolygonStub]:
    server = PolygonStub(clock)
    await server.start()
    yield server
    await server.close()


@pytest.fixture
async def make_client(
    stub: PolygonStub, clock: VirtualClock
) -> AsyncIterator[Callable[..., PolygonClient]]:
    made: list[PolygonClient] = []

    def make(**overrides: Any) -> PolygonClient:
        options: dict[str, Any] = {
            "requests_per_second": 1000.0,
            "max_retries": 2,
            "clock": clock,
            "rng": random.Random(7),
        }
        options.update(overrides)
        client = PolygonClient(options.pop("base_url", stub.url), options.pop("api_key", API_KEY), **options)
        made.append(client)
        return client

    yield make
    for client in made:
        await client.close()
