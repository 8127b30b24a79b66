"""The health endpoint as Docker, Render and Prometheus use it: `/health` follows the scheduler,
`/metrics` carries the monitoring points, no secret in either, off unless a port is set."""

from __future__ import annotations

import asyncio
import json
import socket
import sys
from collections.abc import AsyncIterator
from functools import partial
from pathlib import Path

import aiohttp
import pytest
from prometheus_client.parser import text_string_to_metric_families

from bot.app import open_services
from bot.config import Settings
from bot.health import HealthServer, HealthServerError
from bot.market.clock import VirtualClock
from bot.status import StatusSnapshot
from tests.polygon.stub import PolygonStub
from tests.support.discord_bot import API_KEY, World, clock, polygon, settings, start_bot, stop_bot
from tests.test_status import measurable_day

__all__ = ["clock", "polygon", "settings"]  # the fixtures this module uses

REPO = Path(__file__).resolve().parents[1]
Samples = dict[tuple[str, tuple[tuple[str, str], ...]], float]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def port() -> int:
    return free_port()


@pytest.fixture
async def world(settings: Settings, clock: VirtualClock, port: int) -> AsyncIterator[World]:
    """The bot with its health endpoint on `port`; the scheduler not started (no gateway yet)."""
    started = await start_bot(settings.model_copy(update={"health_port": port}), partial(open_services, clock=clock))
    yield started
    await stop_bot(started)


async def get(port: int, path: str, accept: str | None = None) -> tuple[int, str, str]:
    headers = {"Accept": accept} if accept else {}
    async with aiohttp.ClientSession() as session, session.get(f"http://127.0.0.1:{port}{path}", headers=headers) as r:
        return r.status, r.headers["Content-Type"], await r.text()


def samples(text: str) -> Samples:
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


async def test_health_is_200_with_the_status_while_the_scheduler_runs_and_503_before_and_after(
    world: World, port: int
) -> None:
    scheduler = world.bot.services.scheduler
    status, _, body = await get(port, "/health")
    assert status == 503 and StatusSnapshot.model_validate_json(body).scheduler_running is False
    scheduler.start()
    try:
        status, content_type, body = await get(port, "/health")
        assert status == 200 and content_type.startswith("application/json")
        snapshot = StatusSnapshot.model_validate_json(body)
        assert snapshot.scheduler_running and {s.scanner.value for s in snapshot.scanners} >= {"flow", "sweeps"}
    finally:
        await scheduler.stop(grace_seconds=1)
    status, _, _ = await get(port, "/health")
    assert status == 503


async def test_metrics_carry_every_monitoring_point(
    world: World, clock: VirtualClock, polygon: PolygonStub, monkeypatch: pytest.MonkeyPatch, port: int
) -> None:
    await measurable_day(world, clock, polygon, monkeypatch)
    status, _, text = await get(port, "/metrics")
    assert status == 200
    found = samples(text)
    assert found[("orakl_api_requests_last_minute", ())] == 3
    assert found[("orakl_api_budget_per_minute", ())] == 1200
    assert found[("orakl_api_rate_limited_total", ())] == 1
    assert found[("orakl_api_errors_total", (("kind", "not_found"),))] == 1
    assert found[("orakl_api_error_ratio", ())] == pytest.approx(1 / 3)
    assert found[("orakl_volume_cache_hit_ratio", ())] == 0.75
    assert found[("orakl_scanner_alerts_last_hour", (("scanner", "sweeps"),))] == 1
    assert found[("orakl_scanner_alerts_last_hour", (("scanner", "scalps"),))] == 0
    assert found[("orakl_scanner_failures_total", (("scanner", "scalps"),))] == 1
    assert found[("orakl_refresh_lag_seconds", (("tier", "1"),))] == 6
    assert ("orakl_refresh_lag_seconds", (("tier", "2"),)) not in found  # never refreshed: no number
    assert found[("orakl_refresh_promised_seconds", (("tier", "2"),))] == 30
    assert found[("orakl_memory_rss_bytes", ())] > 10_000_000
    assert found[("orakl_broken_subscriptions", ())] == 1
    assert found[("orakl_uptime_seconds", ())] == 90
    assert found[("orakl_scheduler_running", ())] == 0


async def test_a_scraper_that_asks_for_openmetrics_gets_it(world: World, port: int) -> None:
    status, content_type, text = await get(port, "/metrics", accept="application/openmetrics-text; version=1.0.0")
    assert status == 200 and content_type.startswith("application/openmetrics-text")
    assert text.rstrip().endswith("# EOF")


async def test_no_secret_in_health_or_metrics(
    world: World, clock: VirtualClock, polygon: PolygonStub, monkeypatch: pytest.MonkeyPatch, port: int
) -> None:
    await measurable_day(world, clock, polygon, monkeypatch)  # Scalps failed with the key in its error
    _, _, health = await get(port, "/health")
    _, _, metrics = await get(port, "/metrics")
    assert "chain fetch refused for key ***" in health
    assert API_KEY not in health and API_KEY not in metrics


def dockerfile_healthcheck() -> list[str]:
    """The HEALTHCHECK's command from the Dockerfile, continuation lines joined."""
    text = (REPO / "Dockerfile").read_text().replace("\\\n", " ")
    [line] = [line for line in text.splitlines() if line.startswith("HEALTHCHECK")]
    command: list[str] = json.loads(line.split(" CMD ", 1)[1])
    return command


async def test_the_dockerfile_healthcheck_passes_while_the_scheduler_runs_and_fails_otherwise(
    world: World, port: int
) -> None:
    program, *arguments = dockerfile_healthcheck()
    assert program == "python"

    async def probe() -> int:
        # Not subprocess.run: the endpoint answers from this event loop, which must keep running.
        process = await asyncio.create_subprocess_exec(
            sys.executable, *arguments, env={"ORAKL_HEALTH_PORT": str(port)},
            stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL,
        )  # fmt: skip
        return await process.wait()

    assert await probe() != 0
    world.bot.services.scheduler.start()
    try:
        assert await probe() == 0
    finally:
        await world.bot.services.scheduler.stop(grace_seconds=1)


async def test_a_port_already_taken_is_one_clear_error() -> None:
    async def never() -> StatusSnapshot:
        raise AssertionError("no request expected")

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(HealthServerError) as caught:
            await HealthServer.start(never, "127.0.0.1", port)
    assert str(caught.value).startswith(f"cannot serve the health endpoint on 127.0.0.1:{port} (ORAKL_HEALTH_HOST")


async def test_the_endpoint_is_off_unless_a_port_is_set(
    settings: Settings, clock: VirtualClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    opened: list[int] = []

    async def start(snapshot: object, host: str, port: int) -> None:
        opened.append(port)

    monkeypatch.setattr(HealthServer, "start", start)
    assert settings.health_port is None
    started = await start_bot(settings, partial(open_services, clock=clock))
    await stop_bot(started)
    assert opened == []
