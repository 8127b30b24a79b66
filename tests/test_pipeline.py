"""The pipeline's jobs against the simulator: the options feed keeps to the session, and flow is
alerted by the refresh that sees it, once, whichever job scans it."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Sequence
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from functools import partial
from pathlib import Path
from typing import Any

import pytest

from bot.alerts.model import Alert, Scanner
from bot.config import load_settings
from bot.engine import OptionsEngine
from bot.market.calendar import ET
from bot.market.clock import VirtualClock, from_epoch_ns
from bot.market.events import FlowEvent
from bot.market.watchlist import WatchedSymbol
from bot.pipeline import FEED_JOB, Job, Pipeline, ScanOutcome, run_stepped
from bot.polygon.client import PolygonClient
from bot.scheduler import Scheduler
from bot.sim.scenario import OptionFlowEvent, Scenario, load_scenario
from bot.sim.server import SimServer
from bot.sim.truth import OptionFlowTruth
from bot.store import Database, Store
from bot.wiring import HeadlessPipeline, OnAlert, open_headless

QUICK = load_scenario(Path(__file__).resolve().parents[1] / "data" / "scenarios" / "quick.json")
GOLDEN_SWEEP = "q-golden-spy"  # SPY at 10:05, for sweeps and golden sweeps; nothing else near it


def at(hour: int, minute: int, second: int = 0) -> datetime:
    return datetime.combine(QUICK.session_date, time(hour, minute, second), tzinfo=ET)


@dataclass
class World:
    clock: VirtualClock
    sim: SimServer
    run: HeadlessPipeline

    @property
    def pipeline(self) -> Pipeline:
        return self.run.pipeline

    @property
    def golden_sweep(self) -> OptionFlowTruth:
        (flow,) = (t for t in self.sim.truth() if isinstance(t, OptionFlowTruth) and t.id == GOLDEN_SWEEP)
        return flow

    def alerts_on(self, contract: str) -> list[Alert]:
        return [alert for alert in self.run.outlet.alerts if alert.contract == contract]

    def volume_seen(self, contract: str) -> float:
        """The contract's day volume as far as the feed has taken it in (its volume baseline;
        0 before the first refresh)."""
        return self.run.options.feed.cache.volume("SPY", contract) or 0.0


@asynccontextmanager
async def world_at(
    moment: datetime,
    scenario: Scenario = QUICK,
    watchlist: Sequence[WatchedSymbol] = (WatchedSymbol("SPY", 1),),
    on_alert: OnAlert | None = None,
    **settings_overrides: Any,
) -> AsyncIterator[World]:
    """The headless pipeline over SPY (or `watchlist`) against the quick scenario, its clock
    at `moment`."""
    clock = VirtualClock(moment)
    async with AsyncExitStack() as stack:
        sim = await stack.enter_async_context(SimServer.start(scenario, clock=clock))
        settings = load_settings(polygon_base_url=sim.base_url, polygon_api_key=sim.api_key, **settings_overrides)
        run = await open_headless(stack, settings, clock, watchlist, on_alert=on_alert)
        yield World(clock, sim, run)


def own_jobs_reporting(pipeline: Pipeline, reports: dict[Scanner, list[ScanOutcome]]) -> list[Job]:
    """The pipeline's jobs, each scanner's own job keeping what it reports (as the bot's
    scanner cogs do for /status)."""

    async def report(name: Scanner) -> None:
        outcome = await pipeline.run_scanner(name)
        if outcome is not None:
            reports.setdefault(name, []).append(outcome)

    scanner_jobs = {f"scanner:{name.value}": name for name in pipeline.scanners()}
    return [
        Job(job.id, job.seconds, job.stagger, partial(report, scanner_jobs[job.id])) if job.id in scanner_jobs else job
        for job in pipeline.jobs()
    ]


def break_rules(monkeypatch: pytest.MonkeyPatch, pipeline: Pipeline, name: Scanner) -> None:
    """A bug in one scanner's rules: it raises on every event it is shown."""

    def select(event: FlowEvent, settings: object) -> bool:
        raise RuntimeError(f"{name.value} cannot read {event.contract}")

    monkeypatch.setattr(pipeline.options.scanners[name], "select", select)


async def test_the_options_feed_makes_no_request_outside_the_session(db_path: Path) -> None:
    clock = VirtualClock(at(7, 0))
    async with SimServer.start(QUICK, clock=clock) as sim, await Database.open(db_path, clock=clock) as db:
        settings = load_settings(polygon_base_url=sim.base_url, polygon_api_key=sim.api_key)
        async with PolygonClient.from_settings(settings, clock) as client:
            watchlist = [WatchedSymbol("SPY", 1), WatchedSymbol("C", 2)]
            options = OptionsEngine(settings, client, clock, watchlist, Store(db).dedup)

            async def publish(alerts: object) -> None:
                return None

            pipeline = Pipeline(options, None, clock, publish)

            async def run_every_job_at(moment: datetime) -> int:
                """Requests the simulator has answered, after the feed and every scanner ran."""
                clock.set(moment)
                await clock.run(pipeline.refresh())
                for name in options.scanners:
                    await clock.run(pipeline.run_scanner(name))
                return int(sim.stats()["total"])

            assert await run_every_job_at(at(7, 0)) == 0
            assert await run_every_job_at(at(9, 29)) == 0
            in_session = await run_every_job_at(at(9, 31))
            assert in_session > 0 and sim.stats()["requests"]["options_chain"]
            assert await run_every_job_at(at(16, 0)) == in_session
            assert await run_every_job_at(at(19, 30)) == in_session


async def test_a_planted_sweep_is_alerted_by_the_refresh_that_first_sees_it() -> None:
    async with world_at(at(10, 3)) as world:
        sweep = world.golden_sweep
        # Only the feed job runs: no scanner's own job ever gets its slot.
        while True:
            await world.clock.run(world.pipeline.refresh())
            if world.volume_seen(sweep.contract) >= sweep.day_volume:
                break
            assert not world.alerts_on(sweep.contract), "alerted before the feed saw the trade"
            world.clock.advance(1)
        alerted_by = {alert.scanner for alert in world.alerts_on(sweep.contract)}
        assert alerted_by == {Scanner.SWEEPS, Scanner.GOLDEN_SWEEPS}


async def test_each_event_is_scanned_once_although_the_refresh_and_the_scanners_own_jobs_both_run() -> None:
    reports: dict[Scanner, list[ScanOutcome]] = {}
    async with world_at(at(10, 3)) as world:
        pipeline = world.pipeline
        jobs = own_jobs_reporting(pipeline, reports)
        await world.clock.run(run_stepped(jobs, world.clock, at(10, 8)))
        for job in jobs:  # each scanner's own job once more, as at its next slot
            if job.id.startswith("scanner:"):
                await world.clock.run(job.run())
        sweep = world.golden_sweep
        alerted_by = sorted(alert.scanner for alert in world.alerts_on(sweep.contract))
        assert alerted_by == sorted([Scanner.SWEEPS, Scanner.GOLDEN_SWEEPS])
        assert pipeline.stats.events > 0
        for name in pipeline.options.scanners:
            # What a scanner's own job reports is what /status shows: every event the feed
            # appended, each once, and every alert the scanner raised, whichever job ran it.
            assert sum(outcome.looked_at for outcome in reports[name]) == pipeline.stats.events, name
            assert sum(len(outcome.alerts) for outcome in reports[name]) == pipeline.stats.alerts[name.value]


async def test_a_failing_scanner_stops_neither_the_feed_nor_the_others_and_shows_as_failing(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    async with world_at(at(10, 3)) as world:
        pipeline, sweep = world.pipeline, world.golden_sweep
        break_rules(monkeypatch, pipeline, Scanner.SWEEPS)  # sweeps scans before golden sweeps
        scheduler = Scheduler()  # not started: its guard records the job's health for /status
        sweeps_job = scheduler.guarded("scanner:sweeps", partial(pipeline.run_scanner, Scanner.SWEEPS))
        with caplog.at_level(logging.ERROR, logger="bot.pipeline"):
            while world.volume_seen(sweep.contract) < sweep.day_volume:
                await world.clock.run(pipeline.refresh())
                world.clock.advance(1)
        assert {alert.scanner for alert in world.alerts_on(sweep.contract)} == {Scanner.GOLDEN_SWEEPS}
        assert pipeline.stats.scanner_failures[Scanner.SWEEPS.value] > 1
        logged = [record for record in caplog.records if record.name == "bot.pipeline"]
        assert len(logged) == 1, "the same failure is logged once, not at every refresh"
        assert logged[0].context == {"scanner": "sweeps", "job": FEED_JOB}  # type: ignore[attr-defined]

        await world.clock.run(sweeps_job())
        health = scheduler.health["scanner:sweeps"]
        assert health.failures == 1 and health.last_error is not None and "cannot read" in health.last_error

        monkeypatch.undo()  # the scanner fixed (a restart with the fix, say)
        world.clock.advance(15)
        await world.clock.run(pipeline.refresh())
        await world.clock.run(sweeps_job())
        assert health.last_error is None and health.failures == 1


async def test_a_replay_of_the_same_window_alerts_the_same_flows_at_the_same_moments_with_the_same_requests() -> None:
    async def replayed() -> tuple[list[Alert], dict[str, int]]:
        async with world_at(at(10, 3)) as world:
            await world.clock.run(run_stepped(world.pipeline.jobs(), world.clock, at(10, 7)))
            return world.run.outlet.alerts, dict(world.run.client.stats.requests_by_endpoint)

    first, again = await replayed(), await replayed()
    assert first[0], "the window holds the golden sweep"
    assert first == again


async def test_a_golden_sweep_cut_in_two_by_a_refresh_is_still_alerted_whole() -> None:
    async with world_at(at(10, 4)) as world:
        sweep = world.golden_sweep
        await world.clock.run(world.pipeline.refresh())
        # A refresh while the order is still printing sees only part of it: less than $1M.
        world.clock.set(from_epoch_ns(sweep.timestamp_ns) + timedelta(milliseconds=300))
        await world.clock.run(world.pipeline.refresh())
        assert 0 < world.volume_seen(sweep.contract) < sweep.day_volume
        assert Scanner.GOLDEN_SWEEPS not in {alert.scanner for alert in world.alerts_on(sweep.contract)}
        world.clock.advance(15)
        await world.clock.run(world.pipeline.refresh())
        assert world.volume_seen(sweep.contract) == sweep.day_volume
        alerts = world.alerts_on(sweep.contract)
        assert sorted(alert.scanner for alert in alerts) == sorted([Scanner.SWEEPS, Scanner.GOLDEN_SWEEPS])
        (golden,) = (alert for alert in alerts if alert.scanner is Scanner.GOLDEN_SWEEPS)
        assert golden.premium == pytest.approx(sweep.premium, rel=0.01)


async def test_two_orders_that_add_up_to_a_million_are_not_made_one_golden_sweep() -> None:
    # The golden sweep's contract takes two $0.64M sweeps 20 s apart instead.
    (golden,) = (event for event in QUICK.events if event.id == GOLDEN_SWEEP)
    assert isinstance(golden, OptionFlowEvent)
    halves = [golden.model_copy(update={"id": f"half-{n}", "time": moment, "size": 1500})
              for n, moment in enumerate((time(10, 5), time(10, 5, 20)))]  # fmt: skip
    two_orders = QUICK.model_copy(update={"events": halves})
    golden_sweeps_alone = {"scanners": {name: {"enabled": False} for name in ("flow", "sweeps", "bullseye", "scalps")}}
    async with world_at(at(10, 4), two_orders, **golden_sweeps_alone) as world:
        first, second = (t for t in world.sim.truth() if isinstance(t, OptionFlowTruth))
        assert first.contract == second.contract and first.premium + second.premium > 1_000_000
        tape = world.run.options.context.trades
        await world.clock.run(world.pipeline.refresh())
        # Each refresh lands within a second of an order's last print, as if it might have cut it.
        for order in (first, second):
            world.clock.set(from_epoch_ns(order.timestamp_ns) + timedelta(seconds=1.5))
            await world.clock.run(world.pipeline.refresh())
        assert tape.readings == 1, "the second order's prints were read, the first carried into it"
        assert not world.alerts_on(first.contract)


async def test_a_chains_flow_is_alerted_before_the_next_chain_of_the_round_is_fetched() -> None:
    fetched_c_before_alert: list[datetime] = []

    def note_when_c_was_fetched(alert: Alert) -> None:
        fetched_c_before_alert.append(world.run.options.feed.latest["C"].chain.fetched_at)

    # SPY (tier 1) comes before C (tier 2) in a round, and only SPY has flow at 10:05.
    watchlist = (WatchedSymbol("SPY", 1), WatchedSymbol("C", 2))
    async with world_at(at(10, 4, 50), watchlist=watchlist, on_alert=note_when_c_was_fetched) as world:
        await world.clock.run(world.pipeline.refresh())  # both chains seen once: baselines, no flow
        seeded = world.run.options.feed.latest["C"].chain.fetched_at
        world.clock.set(at(10, 5, 30))
        await world.clock.run(world.pipeline.refresh())
        assert world.run.options.feed.latest["C"].chain.fetched_at > seeded, "C was refreshed in the same round"
        assert {alert.scanner for alert in world.run.outlet.alerts} == {Scanner.SWEEPS, Scanner.GOLDEN_SWEEPS}
        assert fetched_c_before_alert == [seeded, seeded]
