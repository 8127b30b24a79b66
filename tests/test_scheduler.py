import asyncio
from datetime import datetime, timedelta, timezone

import pytest

from bot.scheduler import Scheduler, staggered_start

NOW = datetime(2026, 11, 24, 15, 47, 22, 500_000, tzinfo=timezone.utc)


def fire_seconds(interval: int, stagger: int, count: int = 4) -> list[int]:
    from apscheduler.triggers.interval import IntervalTrigger

    trigger = IntervalTrigger(seconds=interval, start_date=staggered_start(stagger, NOW))
    times, previous = [], None
    moment = NOW
    for _ in range(count):
        fire = trigger.get_next_fire_time(previous, moment)
        times.append(fire.second)
        previous, moment = fire, fire + timedelta(microseconds=1)
    return times


def test_options_scanners_fire_three_seconds_apart_every_fifteen() -> None:
    assert fire_seconds(15, 0) == [30, 45, 0, 15]
    assert fire_seconds(15, 3) == [33, 48, 3, 18]
    assert fire_seconds(15, 12) == [27, 42, 57, 12]


def test_stock_scanners_fire_every_two_minutes_at_their_stagger() -> None:
    assert fire_seconds(120, 15) == [15, 15, 15, 15]


async def test_a_failing_run_is_recorded_and_the_job_runs_again() -> None:
    scheduler = Scheduler()
    calls = []

    async def flaky() -> None:
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("upstream hiccup")

    job = scheduler.guarded("scanner:sweeps", flaky)
    await job()
    health = scheduler.health["scanner:sweeps"]
    assert (health.runs, health.failures, health.last_error) == (1, 1, "RuntimeError: upstream hiccup")
    await job()
    assert (health.runs, health.failures, health.last_error) == (2, 1, None)


async def test_jobs_do_not_stack_and_an_overrun_is_counted() -> None:
    scheduler = Scheduler()
    running = 0
    most_at_once = 0

    async def slow() -> None:
        nonlocal running, most_at_once
        running += 1
        most_at_once = max(most_at_once, running)
        await asyncio.sleep(2.5)
        running -= 1

    scheduler.every("feed:refresh", 1, slow)
    scheduler.start()
    try:
        await asyncio.sleep(3.2)
    finally:
        scheduler.shutdown()
    assert most_at_once == 1
    assert scheduler.health["feed:refresh"].overruns >= 1


def test_jobs_are_listed_and_removed_by_id() -> None:
    scheduler = Scheduler()

    async def nothing() -> None:
        return None

    scheduler.every("scanner:flow", 15, nothing)
    scheduler.daily("housekeeping", 4, 0, nothing)
    assert scheduler.job_ids() == ["housekeeping", "scanner:flow"]
    scheduler.remove("scanner:flow")
    assert scheduler.job_ids() == ["housekeeping"]
    assert "scanner:flow" not in scheduler.health


async def test_stop_lets_a_run_in_flight_finish_within_the_grace() -> None:
    scheduler = Scheduler()
    finished = asyncio.Event()

    async def delivery() -> None:
        await asyncio.sleep(0.3)
        finished.set()

    scheduler.every("deliveries", 1, delivery)
    scheduler.start()
    while not scheduler.health["deliveries"].runs and not scheduler._in_flight:
        await asyncio.sleep(0.05)
    cancelled = await scheduler.stop(grace_seconds=5)
    assert cancelled == 0 and finished.is_set()
    assert not scheduler.running
