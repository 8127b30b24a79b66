"""The one APScheduler (3.x AsyncIOScheduler) every periodic job runs on, and each job's health.

Jobs never stack (`max_instances=1`) and a late one runs once, not once per missed slot
(`coalesce=True`). A run that raises is logged with its job id and the job runs again at its
next slot; a slot skipped because the previous run was still going counts as an overrun,
and both show in `/status`.
"""

from __future__ import annotations

import asyncio
import logging
import math
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from apscheduler.events import EVENT_JOB_MAX_INSTANCES, EVENT_JOB_MISSED, JobEvent
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from bot.market.calendar import ET

log = logging.getLogger(__name__)

JobFunction = Callable[[], Awaitable[object]]


@dataclass
class JobHealth:
    runs: int = 0
    failures: int = 0
    overruns: int = 0
    missed: int = 0
    last_run: datetime | None = None
    last_duration: float | None = None
    last_error: str | None = None


def staggered_start(stagger: float, now: datetime) -> datetime:
    """The top of the current hour plus `stagger`: an interval that divides the hour then
    fires at the same seconds every time (flow at :00/:15/:30/:45, sweeps at :03/:18/...)."""
    return now.replace(minute=0, second=0, microsecond=0) + timedelta(seconds=stagger)


class Scheduler:
    def __init__(self) -> None:
        self._scheduler = AsyncIOScheduler(timezone=timezone.utc)
        self._scheduler.add_listener(self._on_skipped, EVENT_JOB_MAX_INSTANCES | EVENT_JOB_MISSED)
        self.health: dict[str, JobHealth] = {}
        self._in_flight: set[asyncio.Task[object]] = set()

    @property
    def running(self) -> bool:
        return bool(self._scheduler.running)

    def start(self) -> None:
        self._scheduler.start()

    def shutdown(self) -> None:
        """Stop scheduling; runs in flight finish on the event loop as they will."""
        if self._scheduler.running:
            self._scheduler.shutdown(wait=False)

    async def stop(self, grace_seconds: float) -> int:
        """Stop scheduling and give runs in flight `grace_seconds` to finish (a delivery
        half-sent, a chain half-read); the rest are cancelled. Returns how many were."""
        if not self._scheduler.running:
            return 0
        # Pause first: APScheduler's shutdown cancels the coroutines it is running.
        self._scheduler.pause()
        late: set[asyncio.Task[object]] = set()
        # A job that stops the scheduler itself must not wait on (or cancel) its own run.
        others = self._in_flight - {asyncio.current_task()}
        if others:
            _, late = await asyncio.wait(others, timeout=grace_seconds)
        for task in late:
            task.cancel()
        await asyncio.gather(*late, return_exceptions=True)
        self.shutdown()
        await asyncio.sleep(0)  # AsyncIOScheduler applies its shutdown on the loop's next turn
        return len(late)

    def every(self, job_id: str, seconds: float, function: JobFunction, *, stagger: float = 0) -> None:
        """Run `function` every `seconds`, `stagger` seconds into each interval."""
        trigger = IntervalTrigger(
            seconds=seconds, start_date=staggered_start(stagger, datetime.now(timezone.utc))
        )
        self._add(job_id, trigger, function, misfire_grace_time=max(1, math.ceil(seconds)))

    def daily(self, job_id: str, hour: int, minute: int, function: JobFunction) -> None:
        """Run `function` once a day at hour:minute New York time."""
        self._add(job_id, CronTrigger(hour=hour, minute=minute, timezone=ET), function, misfire_grace_time=3600)

    def remove(self, job_id: str) -> None:
        if self._scheduler.get_job(job_id) is not None:
            self._scheduler.remove_job(job_id)
        self.health.pop(job_id, None)

    def next_run(self, job_id: str) -> datetime | None:
        job = self._scheduler.get_job(job_id)
        return None if job is None else job.next_run_time

    def job_ids(self) -> list[str]:
        return sorted(job.id for job in self._scheduler.get_jobs())

    def _add(self, job_id: str, trigger: object, function: JobFunction, *, misfire_grace_time: int) -> None:
        self.health[job_id] = JobHealth()
        self._scheduler.add_job(
            self.guarded(job_id, function),
            trigger,
            id=job_id,
            name=job_id,
            max_instances=1,
            coalesce=True,
            misfire_grace_time=misfire_grace_time,
            replace_existing=True,
        )

    def guarded(self, job_id: str, function: JobFunction) -> JobFunction:
        """`function` with its health recorded and its failure contained."""

        async def run() -> None:
            health = self.health.setdefault(job_id, JobHealth())
            started = time.monotonic()
            task = asyncio.current_task()
            if task is not None:
                self._in_flight.add(task)
                task.add_done_callback(self._in_flight.discard)
            try:
                await function()
            except Exception as error:  # one failed run must not stop the job or the bot
                health.failures += 1
                health.last_error = f"{type(error).__name__}: {error}"
                log.exception("job failed", extra={"context": {"job": job_id}})
            else:
                health.last_error = None
            finally:
                health.runs += 1
                health.last_run = datetime.now(timezone.utc)
                health.last_duration = time.monotonic() - started

        return run

    def _on_skipped(self, event: JobEvent) -> None:
        health = self.health.setdefault(event.job_id, JobHealth())
        if event.code == EVENT_JOB_MAX_INSTANCES:
            health.overruns += 1
            # A job that overruns once tends to keep doing so: say it once, count the rest.
            level = logging.WARNING if health.overruns == 1 else logging.DEBUG
            log.log(level, "job overran its interval; runs are skipped until it finishes",
                    extra={"context": {"job": event.job_id, "overruns": health.overruns}})  # fmt: skip
        else:
            health.missed += 1
