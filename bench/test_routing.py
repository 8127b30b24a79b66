"""Routing: one sweep alert to 10,000 guilds, each with a channel subscribed to Sweeps and
most with their own overrides (premium floor, DTE range, score floor, ticker filter), on a
SQLite temp file with the guild settings cached (`GuildConfig.load`).

Two measurements:
- *decide and record*: which channels get the alert (the subscriptions, each guild's cached
  filter) and the alert with one pending delivery per channel stored in one transaction:
  what stands between a scanner's alert and the first post;
- *whole route*: the same plus every post and its bookkeeping (budgets read, deliveries
  written out as rows and marked sent), to a Discord that answers instantly, so only ORAKL's
  own cost is timed.

The deliveries are recorded packed, one row per alert, and written out as rows by the next
write to deliveries (`bot/store/deliveries.py`). *decide and record* leaves its rounds'
alerts packed (no bookkeeping follows in it), so the whole route's warm-up round writes them
all out and the timed rounds see what a running bot sees: nothing packed from before.
"""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta

import discord
import pytest
from pytest_benchmark.fixture import BenchmarkFixture

from bench.conftest import Results
from bot.alerts import Alert, DataDelay, Scanner, ScoreComponent, Sentiment, Side, Tag
from bot.config import Settings
from bot.delivery import GuildConfig, Router
from bot.delivery.outcomes import Posted, PostOutcome
from bot.market.clock import VirtualClock
from bot.store import Database, Store

GUILDS = 10_000
TARGET_SECONDS = 0.020
NOW = datetime(2025, 12, 10, 16, 0, tzinfo=UTC)


class InstantDiscord:
    """Every post succeeds at once: the benchmark times ORAKL, not Discord."""

    def __init__(self) -> None:
        self._message_ids = itertools.count(1)

    async def post(self, channel_id: int, embed: discord.Embed) -> PostOutcome:
        return Posted(next(self._message_ids))


def guild_overrides(guild: int) -> dict[str, float | int]:
    """A spread of what admins change: half raise the premium floor, a quarter narrow DTE,
    some ask for a minimum score; a fifth keep the defaults."""
    overrides: dict[str, float | int] = {}
    if guild % 2 == 0:
        overrides["min_premium"] = 50_000 + 10_000 * (guild % 200)  # up to $2.04M: some refuse
    if guild % 4 == 1:
        overrides |= {"min_dte": 1, "max_dte": 30 + guild % 60}
    if guild % 7 == 3:
        overrides["min_score"] = guild % 90
    return overrides


class Routing:
    def __init__(self, store: Store, router: Router, clock: VirtualClock) -> None:
        self.store, self.router, self.clock = store, router, clock
        self._numbers = itertools.count()

    def next_alert(self) -> Alert:
        """A new sweep an hour after the last, so no channel's hourly budget fills up and
        no alert is a repeat of one already routed."""
        self.clock.advance(3600)
        strike = 600 + next(self._numbers)
        contract = f"O:SPY251219C00{strike}000"
        return Alert(
            scanner=Scanner.SWEEPS, dedup_key=contract, ticker="SPY", detected_at=self.clock.now(),
            data_delay=DataDelay.REAL_TIME, contract=contract, contract_type="call", strike=strike,
            expiration=date(2025, 12, 19), dte=9, premium=1_200_000, size=2_000, average_price=6.0,
            side=Side.BUY, sentiment=Sentiment.BULLISH, tags={Tag.SWEEP}, exchanges=4, spot=590.12,
            window_start=self.clock.now() - timedelta(seconds=15), window_end=self.clock.now(),
            score=78, score_components=(ScoreComponent(name="premium", points=78, basis="$1.2M"),),
        )  # fmt: skip

    async def decide_and_record(self, alert: Alert) -> int:
        # The router's own first half (`_route_one` before its posts), called directly.
        targets = await self.router._targets(alert)
        await self.store.alerts.add(
            scanner=alert.scanner.value, ticker=alert.ticker, dedup_key=alert.dedup_key,
            payload=alert.to_json(), deliver_to=targets,
        )  # fmt: skip
        return len(targets)


@pytest.fixture(scope="module")
def loop() -> Iterator[asyncio.AbstractEventLoop]:
    loop = asyncio.new_event_loop()
    yield loop
    loop.close()


@pytest.fixture(scope="module")
def routing(loop: asyncio.AbstractEventLoop, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Routing]:
    clock = VirtualClock(NOW)
    db = loop.run_until_complete(Database.open(tmp_path_factory.mktemp("routing") / "orakl.db", clock=clock))
    store = Store(db)
    loop.run_until_complete(_subscribe(store))
    config = GuildConfig(store.guild_settings, Settings().scanners)
    loop.run_until_complete(config.load())
    yield Routing(store, Router(store, config, InstantDiscord(), clock), clock)
    loop.run_until_complete(db.close())


async def _subscribe(store: Store) -> None:
    for guild in range(1, GUILDS + 1):
        await store.subscriptions.subscribe(guild, 1_000_000 + guild, ["sweeps"])
        if overrides := guild_overrides(guild):
            await store.guild_settings.set_overrides(guild, "sweeps", overrides)
        if guild % 10 == 0:
            await store.guild_settings.add_tickers(guild, ["SPY", "QQQ"] if guild % 20 == 0 else ["NVDA"])


def test_decide_and_record(
    benchmark: BenchmarkFixture, routing: Routing, loop: asyncio.AbstractEventLoop, results: Results
) -> None:
    benchmark.group = "routing: one alert, 10,000 guild subscriptions"
    reached = benchmark.pedantic(
        lambda alert: loop.run_until_complete(routing.decide_and_record(alert)),
        setup=lambda: ((routing.next_alert(),), {}), rounds=15, warmup_rounds=1,
    )  # fmt: skip
    benchmark.extra_info["channels_reached"] = reached
    results.facts["routing_channels"] = reached
    results.record("routing_decide_record", benchmark)


def test_whole_route(
    benchmark: BenchmarkFixture, routing: Routing, loop: asyncio.AbstractEventLoop, results: Results
) -> None:
    benchmark.group = "routing: one alert, 10,000 guild subscriptions"
    recorded = benchmark.pedantic(
        lambda alert: loop.run_until_complete(routing.router.route([alert])),
        setup=lambda: ((routing.next_alert(),), {}), rounds=5, warmup_rounds=1,
    )  # fmt: skip
    benchmark.extra_info["channels_reached"] = len(recorded[0].deliveries)
    results.record("routing_whole", benchmark)


@pytest.fixture(scope="module", autouse=True)
def _targets(results: Results) -> None:
    results.target("routing, decide and record (10,000 subscriptions)", _verdict("routing_decide_record"))
    results.target("routing, whole route with instant posts (10,000 subscriptions)", _verdict("routing_whole"))


def _verdict(name: str) -> Callable[[Results], tuple[bool, str]]:
    def verdict(results: Results) -> tuple[bool, str]:
        median = results.medians[name]
        reached = int(results.facts.get("routing_channels", 0))
        detail = f"median {median * 1e3:,.1f} ms for {reached:,} of {GUILDS:,} channels reached (target ≤ 20 ms)"
        return median <= TARGET_SECONDS, detail

    return verdict
