"""The soak: ORAKL's scanning pipeline through a whole simulated trading day and the rollover
into the next session, on a virtual clock (replay speed), with resident memory sampled.

    .venv/bin/python -m bench.soak                  # quick.json's day, then the next morning
    .venv/bin/python -m bench.soak --until 16:00    # ... then the whole next day

The real client, feed, engines, store and jobs run against the simulator, which rolls over to
the next session at midnight (`bot.sim.rollover`). Every ten market minutes a sample records
the process's resident memory (the bot's and the in-process simulator's, after a full garbage
collection, so it measures what is kept, not what awaits collection), failed chain refreshes,
API errors and the VolumeCache. A job that raises
ends the soak with its traceback: here no failure may go unnoticed. `tests/test_soak.py` runs
the same soak on a lighter market and holds it to: memory flat after warm-up, no error count
growing, every planted event of both sessions caught, baselines re-seeded at the new session.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import sys
from collections.abc import Callable, Mapping, Sequence
from contextlib import AsyncExitStack
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from bot.alerts.model import Alert
from bot.market.calendar import ET, PRE_MARKET_OPENS, et_date
from bot.market.clock import VirtualClock, epoch_ns
from bot.market.watchlist import WatchedSymbol
from bot.pipeline import Job, run_stepped
from bot.replay import replay_settings, replay_watchlist
from bot.sim.market import Market
from bot.sim.rollover import PlantedEvent, next_session
from bot.sim.scenario import Scenario, load_scenario
from bot.sim.scorecard import Scorecard, score
from bot.sim.server import SimServer
from bot.sim.truth import build_truth
from bot.status import rss_bytes
from bot.wiring import HeadlessPipeline, open_headless

QUICK = Path(__file__).resolve().parents[1] / "data" / "scenarios" / "quick.json"
SAMPLE_JOB = "soak:sample"
SAMPLE_EVERY = timedelta(minutes=10)
# Outside the regular session only the stock side works (dark prints in extended hours, read
# every two minutes) or nothing trades at all: ten-second steps lose nothing there.
OUTSIDE_SESSION_STEP_SECONDS = 10.0
# Books are built on their first request and caches fill during the first hour of trading.
WARM_UP = time(10, 30)
# An event planted in the last minutes before the soak stops had no time to be read yet.
DETECTION_ALLOWANCE = timedelta(minutes=5)
# The next morning of any scenario whose underlyings include SPY: a golden sweep and a
# dark-pool block, so both the options and the stock side are scored after the rollover.
NEXT_MORNING: tuple[Mapping[str, Any], ...] = (
    {"kind": "option_flow", "id": "next-golden-spy", "time": "09:50", "symbol": "SPY", "size": 4000,
     "contract": {"type": "call", "dte": 1, "strike_offset": 0}, "style": "sweep", "prints": 4},
    {"kind": "stock_print", "id": "next-dark-spy", "time": "10:05", "symbol": "SPY", "size": 30000},
)  # fmt: skip


@dataclass(frozen=True)
class Sample:
    at: datetime
    rss_bytes: int
    # Memory blocks Python's allocator has handed out: what objects are kept, without the
    # arenas' fragmentation that blurs the resident size.
    allocated_blocks: int
    refresh_failures: int  # chain refreshes that failed
    api_errors: int  # requests the client gave up on
    baselines: int  # VolumeCache entries
    reseeds: int  # baselines re-seeded so far (a new session, or a volume drop)
    queued_events: int  # flow events some scanner has not read yet


@dataclass(frozen=True)
class SessionResult:
    day: date
    alerts: list[Alert]
    scorecard: Scorecard


@dataclass
class SoakResult:
    samples: list[Sample] = field(default_factory=list)
    sessions: list[SessionResult] = field(default_factory=list)

    def after(self, moment: datetime) -> list[Sample]:
        return [sample for sample in self.samples if sample.at >= moment]

    def growth(self, warm: datetime, measure: Callable[[Sample], int]) -> int:
        """How far `measure` rose above its level at `warm`, at its highest since."""
        later = [measure(sample) for sample in self.after(warm)]
        return max(later) - later[0]

    def report(self) -> str:
        lines = ["ET time     RSS MB  Python blocks  refresh failures  API errors  baselines  re-seeds  queued events"]
        lines += [
            f"{sample.at.astimezone(ET):%a %H:%M}  {sample.rss_bytes / 1e6:8.1f}  {sample.allocated_blocks:13}  "
            f"{sample.refresh_failures:16}  "
            f"{sample.api_errors:10}  {sample.baselines:9}  {sample.reseeds:8}  {sample.queued_events:13}"
            for sample in self.samples
        ]
        for session in self.sessions:
            card = session.scorecard
            lines.append(
                f"{session.day}: {len(session.alerts)} alerts · planted events caught {len(card.caught)} of "
                f"{len(card.caught) + len(card.missed)} · missed {[e.truth.id for e in card.missed]} · "
                f"alerts not from a planted event {len(card.unexpected)}"
            )
        return "\n".join(lines)


async def soak(
    today: Scenario,
    next_morning: Sequence[PlantedEvent] = NEXT_MORNING,
    *,
    until: time = time(12, 0),
    watchlist: Sequence[WatchedSymbol] | None = None,
) -> SoakResult:
    """Run `today`'s session and the next one's up to `until` (ET) on a virtual clock."""
    market = Market(today)
    tomorrow = next_session(market, next_morning)
    # The ground truth is worked out before the run, so building it is not counted as growth.
    truths = [build_truth(market), build_truth(Market(tomorrow))]
    clock = VirtualClock(datetime.combine(today.session_date, PRE_MARKET_OPENS, tzinfo=ET))
    result = SoakResult()
    async with AsyncExitStack() as stack:
        sim = await stack.enter_async_context(
            SimServer.start(today, clock=clock, market=market, following=[tomorrow])
        )
        run = await open_headless(stack, replay_settings(sim), clock, watchlist or replay_watchlist(today))
        jobs = run.pipeline.jobs()

        async def sample() -> None:
            result.samples.append(take_sample(clock.now(), run))

        jobs.append(Job(SAMPLE_JOB, int(SAMPLE_EVERY.total_seconds()), 0, sample))

        calendar = market.calendar
        stretches = [
            (calendar.open_at(today.session_date), OUTSIDE_SESSION_STEP_SECONDS),
            (calendar.close_at(today.session_date), 1.0),
            (calendar.open_at(tomorrow.session_date), OUTSIDE_SESSION_STEP_SECONDS),
            (datetime.combine(tomorrow.session_date, until, tzinfo=ET), 1.0),
        ]
        # Everything built so far (the libraries, the markets) is set aside from the collector,
        # so each sample's full collection scans only what the run itself keeps.
        gc.collect()
        gc.freeze()
        try:
            for end, step in stretches:
                await clock.run(run_stepped(jobs, clock, end, step=step))
            await sample()
        finally:
            gc.unfreeze()
        alerts = run.outlet.alerts
        last_due = epoch_ns(clock.now() - DETECTION_ALLOWANCE)
        for scenario, truth in zip((today, tomorrow), truths, strict=True):
            day_alerts = [alert for alert in alerts if et_date(alert.detected_at) == scenario.session_date]
            card = score(truth, day_alerts, until_ns=last_due)
            result.sessions.append(SessionResult(scenario.session_date, day_alerts, card))
    return result


def resident(sample: Sample) -> int:
    return sample.rss_bytes


def blocks(sample: Sample) -> int:
    return sample.allocated_blocks


def take_sample(now: datetime, run: HeadlessPipeline) -> Sample:
    gc.collect()  # cyclic garbage would otherwise count as kept until the collector's next pass
    options = run.options
    return Sample(
        at=now,
        rss_bytes=rss_bytes(),
        allocated_blocks=sys.getallocatedblocks(),
        refresh_failures=run.pipeline.stats.refresh_failures,
        api_errors=sum(run.client.stats.errors.values()),
        baselines=len(options.cache),
        reseeds=options.cache.stats.reseeds,
        queued_events=len(options.log),
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.soak", description=__doc__.split("\n\n")[0])
    parser.add_argument("--scenario", type=Path, default=QUICK, help="the first session (default quick.json)")
    parser.add_argument("--until", type=time.fromisoformat, default=time(12, 0), help="ET time to stop on the next day")
    args = parser.parse_args(argv)
    today = load_scenario(args.scenario)
    result = asyncio.run(soak(today, until=args.until))
    print(result.report())
    warm = datetime.combine(today.session_date, WARM_UP, tzinfo=ET)
    print(f"growth after {WARM_UP:%H:%M} on the first day: resident memory "
          f"{result.growth(warm, resident) / 1e6:.1f} MB, Python blocks {result.growth(warm, blocks):,}")  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
