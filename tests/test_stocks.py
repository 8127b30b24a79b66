"""The stock engine against a Polygon-shaped server: what it reads, what it remembers across
polls and restarts, and which planted prints and breakouts reach an alert."""

from __future__ import annotations

from collections import Counter
from collections.abc import AsyncIterator, Sequence
from datetime import date, datetime, time, timedelta
from typing import Any

import pytest

from bot.alerts.model import Alert, Tag
from bot.config import Settings, load_settings
from bot.market.calendar import ET, MarketCalendar
from bot.market.clock import VirtualClock, from_epoch_ns
from bot.market.watchlist import WatchedSymbol
from bot.polygon.client import PolygonClient
from bot.polygon.models import Trade
from bot.sim.scenario import load_scenario
from bot.sim.server import SimServer
from bot.sim.truth import BreakoutTruth, StockPrintTruth
from bot.stocks import StockEngine
from bot.store import Store
from tests.scanners.fake_stock_api import FakeStockApi
from tests.scanners.market_data import (
    SESSION,
    daily_bar,
    dark,
    et,
    flat_history,
    lit,
    minute_bars,
    ns,
    sessions_before,
    snapshot,
)
# The store's own fixtures, on this module's clock: a temp-file database and a restart of it.
from tests.store.conftest import OpenStore, Restart, open_store, restart, store  # noqa: F401
from tests.support.fixtures import REPO_ROOT

NEXT_SESSION = MarketCalendar().next_session(SESSION)


@pytest.fixture
def clock() -> VirtualClock:
    return VirtualClock(et("10:30"))


@pytest.fixture
async def api(clock: VirtualClock) -> AsyncIterator[FakeStockApi]:
    server = FakeStockApi(clock)
    await server.start()
    yield server
    await server.close()


@pytest.fixture
async def client(api: FakeStockApi, clock: VirtualClock) -> AsyncIterator[PolygonClient]:
    made = PolygonClient(api.url, "test-key", requests_per_second=1000.0, max_retries=0, clock=clock)
    yield made
    await made.close()


def settings(**darkpool: Any) -> Settings:
    return load_settings(scanners={"darkpool": darkpool}) if darkpool else load_settings()


def engine(
    client: PolygonClient, clock: VirtualClock, store: Store, symbols: Sequence[str] = ("AAPL",), config: Settings | None = None
) -> StockEngine:
    watchlist = [WatchedSymbol(symbol) for symbol in symbols]
    return StockEngine(config or settings(), client, clock, watchlist, store)


def keys(alerts: list[Alert]) -> list[str]:
    return [alert.dedup_key for alert in alerts]


def key_of(trade: Trade, symbol: str = "AAPL") -> str:
    return f"{symbol}:{trade.exchange}:{trade.trf_id or ''}:{trade.id}"


# --- darkpool ------------------------------------------------------------------------------------


async def test_a_sessions_first_read_looks_back_fifteen_minutes_and_each_block_alerts_once(
    api: FakeStockApi, client: PolygonClient, clock: VirtualClock, store: Store
) -> None:
    too_early, block = dark("10:10", size=50_000), dark("10:20", size=50_000)
    api.add_trades("AAPL", too_early, block)
    stocks = engine(client, clock, store)

    first = await stocks.scan_darkpool()
    assert keys(first.alerts) == [key_of(block)]
    assert api.trades_asked("AAPL")[0]["timestamp.gte"] == str(ns("10:15"))
    assert api.trades_asked("AAPL")[0]["timestamp.lte"] == str(ns("10:30"))

    clock.advance(120)
    second = await stocks.scan_darkpool()
    assert second.alerts == [] and second.prints == 0
    # The next read starts at the last print seen, not at the look-back again.
    assert api.trades_asked("AAPL")[1]["timestamp.gte"] == str(block.sip_timestamp)


async def test_only_real_dark_blocks_alert(
    api: FakeStockApi, client: PolygonClient, clock: VirtualClock, store: Store
) -> None:
    real = dark("10:21", size=30_000, price=187.30)
    decoys = [
        lit("10:16", size=200_000),  # a lit block
        dark("10:17", size=200_000, conditions=[2]),  # average price
        dark("10:18", size=200_000, conditions=[53]),  # qualified contingent
        dark("10:19", size=200_000, correction=8),  # later cancelled
        dark("10:20", size=9_000, price=187.30),  # dark but small
    ]
    api.add_trades("AAPL", real, *decoys)
    report = await engine(client, clock, store).scan_darkpool()
    assert keys(report.alerts) == [key_of(real)]
    assert report.prints == 6 and report.candidates == 1


async def test_no_print_is_read_twice_or_lost_across_pages_and_a_restart(
    api: FakeStockApi, client: PolygonClient, clock: VirtualClock, store: Store, restart: Restart
) -> None:
    shared = ns("10:25")
    # Ten prints read over three pages, the last two sharing one timestamp.
    early = [dark(f"10:{15 + m}", size=1_000) for m in range(8)] + [dark(at_ns=shared, size=25_000), dark(at_ns=shared, size=1_000)]
    api.add_trades("AAPL", *early)
    first = await engine(client, clock, store).scan_darkpool()
    assert first.prints == 10 and keys(first.alerts) == [key_of(early[8])]

    # Restart; meanwhile a third print landed on that same nanosecond, and one after it.
    store = await restart(store)
    twin, later = dark(at_ns=shared, size=40_000), dark("10:31", size=60_000)
    api.add_trades("AAPL", twin, later)
    clock.advance(120)
    second = await engine(client, clock, store).scan_darkpool()
    assert second.prints == 2
    assert keys(second.alerts) == [key_of(twin), key_of(later)]


async def test_a_print_read_again_after_a_lost_cursor_is_not_posted_again(
    api: FakeStockApi, client: PolygonClient, clock: VirtualClock, store: Store
) -> None:
    api.add_trades("AAPL", dark("10:20", size=50_000))
    stocks = engine(client, clock, store)
    assert len((await stocks.scan_darkpool()).alerts) == 1
    await store.state.delete("darkpool.memory.AAPL")  # as if the bot died before saving it
    clock.advance(60)
    again = await stocks.scan_darkpool()
    assert again.alerts == [] and again.suppressed == 1


async def test_the_alert_places_the_block_against_the_quote_adv_and_the_days_levels(
    api: FakeStockApi, client: PolygonClient, clock: VirtualClock, store: Store
) -> None:
    api.add_bars("AAPL", "day", flat_history(count=260, high=190.0, low=150.0, volume=4_000_000))
    api.snapshots["AAPL"] = snapshot("AAPL", bid=187.20, ask=187.22, last=187.21)
    # $2M of small prints built 187.25 into the day's level before the block arrived.
    api.add_trades("AAPL", *[dark("10:16", size=2_000, price=187.25) for _ in range(5)], dark("10:22", size=40_000, price=187.25))
    (alert,) = (await engine(client, clock, store).scan_darkpool()).alerts
    assert alert.nbbo_position == "above the ask · NBBO 187.20/187.22 at scan"
    assert alert.percent_of_adv == pytest.approx(1.0)
    assert (alert.level_price, alert.level_rank) == (187.25, 1)
    parts = {part.name: part for part in alert.score_components}
    assert parts["dark level"].points == 20 and "#1 dark level $187.25" in parts["dark level"].basis
    assert "52-week high $190.00" in parts["year high/low"].basis


async def test_pre_market_blocks_are_read_and_tagged(
    api: FakeStockApi, client: PolygonClient, clock: VirtualClock, store: Store
) -> None:
    clock.set(et("08:10", NEXT_SESSION))
    api.add_trades("AAPL", dark("08:05", size=30_000, day=NEXT_SESSION))
    (alert,) = (await engine(client, clock, store).scan_darkpool()).alerts
    assert Tag.EXTENDED_HOURS in alert.tags


async def test_a_new_session_starts_from_its_own_look_back_with_new_levels(
    api: FakeStockApi, client: PolygonClient, clock: VirtualClock, store: Store
) -> None:
    api.add_trades("AAPL", dark("10:20", size=500_000, price=50.00))
    stocks = engine(client, clock, store)
    await stocks.scan_darkpool()
    clock.set(et("10:30", NEXT_SESSION))
    block = dark("10:25", size=20_000, price=51.00, day=NEXT_SESSION)
    api.add_trades("AAPL", block)
    (alert,) = (await stocks.scan_darkpool()).alerts
    assert api.trades_asked("AAPL")[-1]["timestamp.gte"] == str(ns("10:15", NEXT_SESSION))
    # Yesterday's $25M level is gone: today's only level is this block's.
    assert alert.level_rank == 1
    assert {part.name: part.basis for part in alert.score_components}["dark level"] == "no dark level before it today"


async def test_after_the_close_prints_are_read_once_more_then_not_at_all(
    api: FakeStockApi, client: PolygonClient, clock: VirtualClock, store: Store
) -> None:
    clock.set(et("19:58"))
    stocks = engine(client, clock, store)
    await stocks.scan_darkpool()
    straggler = dark("19:59:30", size=30_000)
    api.add_trades("AAPL", straggler)
    clock.set(et("20:01"))
    assert keys((await stocks.scan_darkpool()).alerts) == [key_of(straggler)]
    clock.set(et("20:03"))
    await stocks.scan_darkpool()
    clock.set(et("23:00"))
    await stocks.scan_darkpool()
    assert len(api.trades_asked("AAPL")) == 2


async def test_nothing_is_read_overnight_or_on_a_weekend(
    api: FakeStockApi, client: PolygonClient, clock: VirtualClock, store: Store
) -> None:
    stocks = engine(client, clock, store)
    for moment in (et("02:00", NEXT_SESSION), et("12:00", date(2026, 3, 14))):  # before the pre-market; a Saturday
        clock.set(moment)
        assert (await stocks.scan_darkpool()).symbols == 0
    assert api.trades_asked("AAPL") == []


async def test_darkpool_reads_only_the_head_of_the_watchlist(
    api: FakeStockApi, client: PolygonClient, clock: VirtualClock, store: Store
) -> None:
    stocks = engine(client, clock, store, ("SPY", "QQQ", "AAPL", "MSFT"), settings(watchlist_size=2))
    assert stocks.darkpool_symbols == ["SPY", "QQQ"]
    await stocks.scan_darkpool()
    assert [asked.path for asked in api.asked] == ["/v3/trades/SPY", "/v3/trades/QQQ"]


async def test_a_failing_symbol_neither_stops_the_others_nor_loses_its_prints(
    api: FakeStockApi, client: PolygonClient, clock: VirtualClock, store: Store
) -> None:
    aapl, msft = dark("10:20", size=50_000), dark("10:21", size=50_000)
    api.add_trades("AAPL", aapl)
    api.add_trades("MSFT", msft)
    api.failing["AAPL"] = 403
    stocks = engine(client, clock, store, ("AAPL", "MSFT"))
    report = await stocks.scan_darkpool()
    assert keys(report.alerts) == [key_of(msft, "MSFT")] and set(report.failures) == {"AAPL"}
    del api.failing["AAPL"]
    clock.advance(120)
    assert keys((await stocks.scan_darkpool()).alerts) == [key_of(aapl)]


async def test_a_guilds_lower_threshold_reaches_the_engine(
    api: FakeStockApi, client: PolygonClient, clock: VirtualClock, store: Store
) -> None:
    modest = dark("10:20", size=6_000, price=60.0)
    api.add_trades("AAPL", modest)
    assert (await engine(client, clock, store).scan_darkpool()).alerts == []
    await store.state.delete("darkpool.memory.AAPL")
    lowered = engine(client, clock, store, config=settings(min_shares=5_000, min_notional=250_000))
    assert keys((await lowered.scan_darkpool()).alerts) == [key_of(modest)]


# --- breakouts -----------------------------------------------------------------------------------


def plant_range(api: FakeStockApi, symbol: str, day: date, *, price: float, pace: float = 1_000, today: float = 3_000, now: str = "10:30") -> None:
    """A symbol that spent 30 sessions between 90 and 100 trading `pace` shares a minute, and
    today trades `today` a minute up to `now` with its last sale at `price`."""
    api.add_bars(symbol, "day", flat_history(day, 30, high=100.0, low=90.0))
    for previous in sessions_before(day, 20):
        api.add_bars(symbol, "minute", minute_bars(previous, "09:30", "15:59", pace))
    last_minute = (et(now, day) - timedelta(minutes=1)).strftime("%H:%M")
    api.add_bars(symbol, "minute", minute_bars(day, "09:30", last_minute, today, price=price))
    api.snapshots[symbol] = snapshot(symbol, last=price)


async def test_a_breakout_on_heavy_volume_alerts_once_a_session_even_across_a_restart(
    api: FakeStockApi, client: PolygonClient, clock: VirtualClock, store: Store, restart: Restart
) -> None:
    plant_range(api, "NVDA", SESSION, price=101.0)
    (alert,) = (await engine(client, clock, store, ("NVDA",)).scan_breakouts()).alerts
    assert alert.tags == {Tag.BREAKOUT}
    assert (alert.price, alert.resistance, alert.support) == (101.0, 100.0, 90.0)
    assert alert.relative_volume == pytest.approx(3.0)

    clock.advance(120)
    api.add_bars("NVDA", "minute", minute_bars(SESSION, "10:30", "10:31", 3_000, price=101.5))
    again = await engine(client, clock, store, ("NVDA",)).scan_breakouts()
    assert again.alerts == [] and again.suppressed == 1
    after_restart = await engine(client, clock, await restart(store), ("NVDA",)).scan_breakouts()
    assert after_restart.alerts == [] and after_restart.suppressed == 1


async def test_the_next_session_may_break_out_again(
    api: FakeStockApi, client: PolygonClient, clock: VirtualClock, store: Store
) -> None:
    plant_range(api, "NVDA", SESSION, price=101.0)
    stocks = engine(client, clock, store, ("NVDA",))
    assert len((await stocks.scan_breakouts()).alerts) == 1
    clock.set(et("10:30", NEXT_SESSION))
    plant_range(api, "NVDA", NEXT_SESSION, price=102.0)
    api.add_bars("NVDA", "day", [daily_bar(SESSION, high=101.2, low=94.0, close=101.0)])
    (alert,) = (await stocks.scan_breakouts()).alerts
    # Yesterday's breakout is part of today's range; today cleared it as well.
    assert alert.resistance == 101.2


async def test_a_breakdown_is_posted_apart_from_a_breakout(
    api: FakeStockApi, client: PolygonClient, clock: VirtualClock, store: Store
) -> None:
    plant_range(api, "XYZ", SESSION, price=89.0)
    (alert,) = (await engine(client, clock, store, ("XYZ",)).scan_breakouts()).alerts
    assert alert.tags == {Tag.BREAKDOWN} and alert.support == 90.0


@pytest.mark.parametrize(
    ("price", "today_volume"),
    [(100.3, 3_000), (101.0, 1_500), (95.0, 5_000)],
    ids=["not far enough past the high", "volume only 1.5x", "inside the range"],
)
async def test_near_misses_stay_quiet(
    api: FakeStockApi, client: PolygonClient, clock: VirtualClock, store: Store, price: float, today_volume: float
) -> None:
    plant_range(api, "NVDA", SESSION, price=price, today=today_volume)
    assert (await engine(client, clock, store, ("NVDA",)).scan_breakouts()).alerts == []


async def test_minute_bars_are_fetched_for_breaking_symbols_only_and_history_once_a_day(
    api: FakeStockApi, client: PolygonClient, clock: VirtualClock, store: Store
) -> None:
    plant_range(api, "NVDA", SESSION, price=100.8, today=1_500)  # breaks, but the volume is not there yet
    plant_range(api, "AAPL", SESSION, price=95.0)
    stocks = engine(client, clock, store, ("AAPL", "NVDA"))
    await stocks.scan_breakouts()
    clock.advance(120)
    await stocks.scan_breakouts()
    assert api.aggregates_asked("AAPL", "minute") == []
    prior = sessions_before(SESSION, 20)
    assert api.aggregates_asked("NVDA", "minute").count(f"{prior[0]}/{prior[-1]}") == 1
    assert api.aggregates_asked("NVDA", "minute").count(f"{SESSION}/{SESSION}") == 2
    assert len(api.aggregates_asked("NVDA", "day")) == 1
    assert [asked.path for asked in api.asked].count("/v2/snapshot/locale/us/markets/stocks/tickers") == 2


async def test_without_a_snapshot_price_the_latest_minute_bar_is_used(
    api: FakeStockApi, client: PolygonClient, clock: VirtualClock, store: Store
) -> None:
    plant_range(api, "NVDA", SESSION, price=101.0)
    del api.snapshots["NVDA"]
    (alert,) = (await engine(client, clock, store, ("NVDA",)).scan_breakouts()).alerts
    assert alert.price == 101.0


async def test_breakouts_rest_outside_the_regular_session(
    api: FakeStockApi, client: PolygonClient, clock: VirtualClock, store: Store
) -> None:
    clock.set(et("08:30", NEXT_SESSION))
    plant_range(api, "NVDA", NEXT_SESSION, price=103.0)
    report = await engine(client, clock, store, ("NVDA",)).scan_breakouts()
    assert report.alerts == [] and api.asked == []


# --- a simulated session -------------------------------------------------------------------------


def truth_key(entry: StockPrintTruth | BreakoutTruth) -> str:
    """The dedup key a correct alert for a planted event carries."""
    if isinstance(entry, StockPrintTruth):
        return f"{entry.symbol}:{entry.exchange}:{entry.trf_id or ''}:{entry.trade_id}"
    tag = Tag.BREAKOUT if entry.direction == "up" else Tag.BREAKDOWN
    return f"{entry.symbol}:{tag.value}:{entry.time[:10]}"


async def test_a_simulated_session_alerts_each_planted_print_and_breakout_once_and_nothing_else(
    restart: Restart, open_store: OpenStore
) -> None:
    scenario = load_scenario(REPO_ROOT / "data" / "scenarios" / "quick.json")
    clock = VirtualClock(datetime.combine(scenario.session_date, time(4), tzinfo=ET))
    async with SimServer.start(scenario, clock=clock) as sim:
        truth = [entry for entry in sim.truth() if isinstance(entry, (StockPrintTruth, BreakoutTruth))]
        assert {entry.expected for entry in truth} == {"alert", "ignored"}  # the scenario plants both
        moments = sorted({from_epoch_ns(entry.timestamp_ns) for entry in truth})
        # A first read shortly before the earliest print, a read two minutes after each event
        # (a restart half way), and a last one well after the final event.
        polls = [moments[0] - timedelta(minutes=5), *(moment + timedelta(minutes=2) for moment in moments)]
        polls.append(moments[-1] + timedelta(minutes=10))
        async with PolygonClient(sim.base_url, sim.api_key, requests_per_second=1000.0, clock=clock) as client:
            watchlist = [WatchedSymbol(underlying.symbol) for underlying in scenario.underlyings]
            store = await open_store()
            alerts: list[Alert] = []
            for number, moment in enumerate(polls):
                if number == len(polls) // 2:
                    store = await restart(store)
                clock.set(moment)
                stocks = StockEngine(load_settings(), client, clock, watchlist, store)
                for report in (await stocks.scan_darkpool(), await stocks.scan_breakouts()):
                    assert report.failures == {}
                    alerts += report.alerts
    posted = Counter(alert.dedup_key for alert in alerts)
    assert set(posted) == {truth_key(entry) for entry in truth if entry.expected == "alert"}
    assert set(posted.values()) == {1}
    extended = {truth_key(entry) for entry in truth if isinstance(entry, StockPrintTruth) and entry.extended_hours}
    assert {alert.dedup_key for alert in alerts if alert.extended_hours} == extended & set(posted)
