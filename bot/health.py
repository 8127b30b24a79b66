"""The health endpoint: `GET /health` and `GET /metrics`, for Docker, Render and Prometheus.

Off unless `ORAKL_HEALTH_PORT` is set. `/health` answers 200 with the status snapshot as JSON
while the scheduler runs jobs, 503 (same body) when it does not: before the gateway is ready,
or once the bot is stopping. `/metrics` is the same snapshot in Prometheus' text format
(OpenMetrics when the scraper asks for it). Both are taken fresh on every request.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Iterator

from aiohttp import web
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.exposition import choose_encoder
from prometheus_client.registry import Collector, CollectorRegistry

from bot.status import ScannerState, StatusSnapshot

log = logging.getLogger(__name__)

SnapshotSource = Callable[[], Awaitable[StatusSnapshot]]


class HealthServerError(Exception):
    """The endpoint could not listen where it was told to (the port is taken, say)."""


class HealthServer:
    def __init__(self, runner: web.AppRunner) -> None:
        self._runner = runner

    @classmethod
    async def start(cls, snapshot: SnapshotSource, host: str, port: int) -> HealthServer:
        """Listen on host:port (0: any free port) until `close()`."""

        async def health(request: web.Request) -> web.Response:
            taken = await snapshot()
            status = 200 if taken.scheduler_running else 503
            return web.json_response(text=taken.model_dump_json(), status=status)

        async def metrics(request: web.Request) -> web.Response:
            registry = CollectorRegistry()
            registry.register(SnapshotCollector(await snapshot()))
            encode, content_type = choose_encoder(request.headers.get("Accept", ""))
            return web.Response(body=encode(registry), headers={"Content-Type": content_type})

        app = web.Application()
        app.router.add_get("/health", health)
        app.router.add_get("/metrics", metrics)
        # A health check every few seconds must not fill the log.
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        try:
            await web.TCPSite(runner, host, port).start()
        except OSError as error:
            await runner.cleanup()
            raise HealthServerError(
                f"cannot serve the health endpoint on {host}:{port} (ORAKL_HEALTH_HOST/ORAKL_HEALTH_PORT): "
                f"{error.strerror or error}"
            ) from error
        server = cls(runner)
        log.info("health endpoint listening", extra={"context": {"url": f"{server.url}/health"}})
        return server

    @property
    def url(self) -> str:
        host, port = self._runner.addresses[0][:2]
        return f"http://{host}:{port}"

    async def close(self) -> None:
        await self._runner.cleanup()


class SnapshotCollector(Collector):
    """One snapshot as Prometheus metrics; counters count since the bot started."""

    def __init__(self, snapshot: StatusSnapshot) -> None:
        self._snapshot = snapshot

    def collect(self) -> Iterator[Metric]:
        taken = self._snapshot
        api = taken.api
        yield gauge("orakl_scheduler_running", "1 while the scheduler runs jobs", float(taken.scheduler_running))
        yield gauge("orakl_uptime_seconds", "seconds since the bot started", taken.uptime.total_seconds())
        yield gauge("orakl_memory_rss_bytes", "resident memory of the bot process (target < 300 MB)", taken.rss_bytes)
        yield gauge("orakl_api_requests_last_minute", "Polygon requests sent in the last minute",
                    api.requests_last_minute)  # fmt: skip
        yield gauge("orakl_api_budget_per_minute", "Polygon requests the plan's budget allows per minute",
                    api.budget_per_minute)  # fmt: skip
        yield counter("orakl_api_requests", "Polygon requests sent, retries included", api.requests)
        yield counter("orakl_api_rate_limited", "429 answers from Polygon", api.rate_limited)
        errors = CounterMetricFamily("orakl_api_errors", "Polygon requests given up on, by kind", labels=["kind"])
        for kind, number in sorted(api.errors.items()):
            errors.add_metric([kind], number)
        yield errors
        yield gauge("orakl_api_error_ratio", "Polygon requests given up on per request sent", api.error_rate)
        if taken.feed.volume_cache_hit_rate is not None:
            yield gauge("orakl_volume_cache_hit_ratio", "VolumeCache lookups that found a baseline (target > 0.7)",
                        taken.feed.volume_cache_hit_rate)  # fmt: skip
        yield from scanner_metrics(taken)
        lag = GaugeMetricFamily("orakl_refresh_lag_seconds", "age of the stalest chain of each watchlist tier",
                                labels=["tier"])  # fmt: skip
        promised = GaugeMetricFamily("orakl_refresh_promised_seconds", "refresh interval promised to each tier",
                                     labels=["tier"])  # fmt: skip
        for tier in taken.feed.tiers:
            if tier.lag_seconds is not None:
                lag.add_metric([str(tier.tier)], tier.lag_seconds)
            promised.add_metric([str(tier.tier)], tier.promised_seconds)
        yield lag
        yield promised
        yield gauge("orakl_broken_subscriptions", "subscriptions whose channel cannot be posted to",
                    taken.broken_subscriptions)  # fmt: skip
        yield gauge("orakl_digest_held_alerts", "alerts held for the next digest", taken.held_for_digest)


def scanner_metrics(taken: StatusSnapshot) -> Iterator[Metric]:
    running = [scanner for scanner in taken.scanners if scanner.state is ScannerState.RUNNING]
    families = {
        "alerts": GaugeMetricFamily("orakl_scanner_alerts_last_hour", "alerts raised in the last hour",
                                    labels=["scanner"]),
        "runs": CounterMetricFamily("orakl_scanner_runs", "scheduled runs", labels=["scanner"]),
        "failures": CounterMetricFamily("orakl_scanner_failures", "runs that raised", labels=["scanner"]),
        "overruns": CounterMetricFamily("orakl_scanner_overruns", "runs skipped while the previous one ran",
                                        labels=["scanner"]),
        "interval": GaugeMetricFamily("orakl_scanner_interval_seconds", "seconds between runs", labels=["scanner"]),
    }  # fmt: skip
    for scanner in running:
        label = [scanner.scanner.value]
        families["alerts"].add_metric(label, scanner.alerts_last_hour)
        families["runs"].add_metric(label, scanner.runs)
        families["failures"].add_metric(label, scanner.failures)
        families["overruns"].add_metric(label, scanner.overruns)
        families["interval"].add_metric(label, scanner.interval_seconds)
    yield from families.values()


def gauge(name: str, documentation: str, value: float) -> GaugeMetricFamily:
    return GaugeMetricFamily(name, documentation, value=value)


def counter(name: str, documentation: str, value: float) -> CounterMetricFamily:
    return CounterMetricFamily(name, documentation, value=value)
