"""What a Polygon key's plan gives each scanner: one probe per data kind, a verdict per scanner.

A handshake (`/v1/marketstatus/now`) first says whether the server answers and takes the key,
and what time the server thinks it is. Then each data kind the scanners read is asked for
once, for one symbol: available, not in the plan (403), refused key (401), unreachable, or
failed otherwise; and whether it is real-time or delayed, from the options snapshot's
`timeframe` fields and the aggregates' `status`. `python -m bot check` prints the result;
`scan` uses the handshake to follow the server's clock.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta, timezone
from enum import StrEnum
from typing import cast
from urllib.parse import quote

from bot.alerts.model import AlertKind, Scanner
from bot.config import Settings
from bot.market.calendar import et_date
from bot.market.clock import Clock, ScaledClock, WallClock, epoch_ns
from bot.polygon import models
from bot.polygon.client import PolygonClient
from bot.polygon.errors import AuthError, NotEntitledError, PaginationError, PolygonError, UpstreamError
from bot.polygon.models import ChainContract, ChainSnapshot

# A server whose clock is further off than this is serving another moment (a simulator
# replaying a past session); closer, it is the same moment and ours is kept.
CLOCK_TOLERANCE = timedelta(minutes=2)
# Probe windows: short, so each answer is one page.
STOCK_TRADES_WINDOW = timedelta(seconds=5)
OPTION_TICKS_WINDOW = timedelta(minutes=15)
CHAIN_DAYS = 7
CHAIN_STRIKE_BAND = 0.03
DAILY_BARS_DAYS = 10
# A probe is one question, not a campaign: one retry for a passing hiccup.
PROBE_RETRIES = 1


class DataKind(StrEnum):
    CHAIN = "chain snapshot"
    OPTION_TRADES = "option trades"
    OPTION_QUOTES = "option quotes"
    STOCK_TRADES = "stock trades"
    AGGREGATES = "aggregates"
    STOCK_SNAPSHOT = "stock snapshot"


class Access(StrEnum):
    AVAILABLE = "available"
    NOT_IN_PLAN = "not in plan (403)"
    BAD_KEY = "bad key (401)"
    UNREACHABLE = "unreachable"
    FAILED = "failed"
    NOT_PROBED = "not probed"


class Freshness(StrEnum):
    REAL_TIME = "real-time"
    DELAYED = "delayed"
    UNKNOWN = "-"


@dataclass(frozen=True)
class Probe:
    kind: DataKind
    access: Access
    freshness: Freshness = Freshness.UNKNOWN
    detail: str = ""  # why, when not available

    @property
    def available(self) -> bool:
        return self.access is Access.AVAILABLE


def access_of(error: PolygonError) -> Access:
    if isinstance(error, AuthError):
        return Access.BAD_KEY
    if isinstance(error, NotEntitledError):
        return Access.NOT_IN_PLAN
    # A 5xx is the server answering, badly; only a connection or timeout failure is unreachable.
    if isinstance(error, UpstreamError) and error.status is None:
        return Access.UNREACHABLE
    return Access.FAILED


def failed(kind: DataKind, error: PolygonError) -> Probe:
    access = access_of(error)
    # A 403 says all there is to say; other failures keep the server's words.
    return Probe(kind, access, detail="" if access is Access.NOT_IN_PLAN else error.detail or error.summary)


# --- the handshake -------------------------------------------------------------------------


@dataclass(frozen=True)
class Handshake:
    access: Access  # AVAILABLE: the server answered and took the key
    detail: str = ""
    server_time: datetime | None = None
    market: str | None = None  # "open", "closed", "extended-hours"


async def handshake(client: PolygonClient) -> Handshake:
    try:
        status = await client.market_status()
    except PolygonError as error:
        return Handshake(access_of(error), error.detail or error.summary)
    server_time = None
    if status.server_time:
        try:
            server_time = datetime.fromisoformat(status.server_time)
        except ValueError:
            pass  # a server that writes its time oddly keeps ours
    return Handshake(Access.AVAILABLE, server_time=server_time if server_time and server_time.tzinfo else None,
                     market=status.market)  # fmt: skip


def server_clock(server_time: datetime | None, wall: datetime) -> Clock:
    """Our clock, or when the server's is more than `CLOCK_TOLERANCE` off, a clock that runs
    at the wall's pace from the server's time (so a simulator's past session reads as now)."""
    if server_time is None or abs(server_time - wall) <= CLOCK_TOLERANCE:
        return WallClock()
    return ScaledClock(server_time, 1.0)


# --- the probes ----------------------------------------------------------------------------


class ProbeClient(PolygonClient):
    """The client plus the one thing a probe needs that scanning never does: the aggregates'
    `status`, which says DELAYED on a delayed plan (the scanners read only the bars)."""

    async def daily_bars_page(self, ticker: str, start: date, end: date) -> models.AggsPage:
        path = f"/v2/aggs/ticker/{quote(ticker, safe=':.')}/range/1/day/{start.isoformat()}/{end.isoformat()}"
        return await self._fetch("aggs_daily", path, (("adjusted", "true"),), models.decode_aggs)


def probe_client(settings: Settings) -> ProbeClient:
    probing = settings.model_copy(update={"http_max_retries": min(settings.http_max_retries, PROBE_RETRIES)})
    return cast(ProbeClient, ProbeClient.from_settings(probing))


def chain_freshness(chain: ChainSnapshot) -> Freshness:
    for contract in chain.results:
        for part in (contract.last_quote, contract.last_trade, contract.underlying_asset):
            if part is not None and part.timeframe == "DELAYED":
                return Freshness.DELAYED
            if part is not None and part.timeframe == "REAL-TIME":
                return Freshness.REAL_TIME
    return Freshness.UNKNOWN


def nearest_contract(chain: ChainSnapshot, spot: float | None) -> ChainContract | None:
    if not chain.results:
        return None
    if spot is None:
        return chain.results[0]
    return min(chain.results, key=lambda contract: abs(contract.details.strike_price - spot))


async def probe_stock_snapshot(client: ProbeClient, symbol: str) -> tuple[Probe, float | None]:
    try:
        snapshot = await client.stock_snapshot(symbol)
    except PolygonError as error:
        return failed(DataKind.STOCK_SNAPSHOT, error), None
    prices = [bar.c for bar in (snapshot.min, snapshot.day, snapshot.prev_day) if bar is not None and bar.c > 0]
    return Probe(DataKind.STOCK_SNAPSHOT, Access.AVAILABLE), prices[0] if prices else None


async def probe_aggregates(client: ProbeClient, symbol: str, today: date) -> Probe:
    try:
        page = await client.daily_bars_page(symbol, today - timedelta(days=DAILY_BARS_DAYS), today)
    except PolygonError as error:
        return failed(DataKind.AGGREGATES, error)
    freshness = Freshness.DELAYED if page.status == "DELAYED" else Freshness.REAL_TIME
    return Probe(DataKind.AGGREGATES, Access.AVAILABLE, freshness)


async def probe_ticks(client: ProbeClient, kind: DataKind, ticker: str, now: datetime, window: timedelta) -> Probe:
    fetch = client.quotes if kind is DataKind.OPTION_QUOTES else client.trades
    try:
        await fetch(ticker, timestamp_gt=epoch_ns(now - window), timestamp_lte=epoch_ns(now), max_pages=1)
    except PaginationError:
        pass  # more than a page of data: the plan has it
    except PolygonError as error:
        return failed(kind, error)
    return Probe(kind, Access.AVAILABLE)


async def probe_chain(
    client: ProbeClient, symbol: str, today: date, spot: float | None
) -> tuple[Probe, ChainContract | None]:
    band = (round(spot * (1 - CHAIN_STRIKE_BAND), 2), round(spot * (1 + CHAIN_STRIKE_BAND), 2)) if spot else (None, None)
    try:
        chain = await client.options_chain(
            symbol, expiration_date_gte=today, expiration_date_lte=today + timedelta(days=CHAIN_DAYS),
            strike_price_gte=band[0], strike_price_lte=band[1], contract_type="call",
        )  # fmt: skip
    except PolygonError as error:
        return failed(DataKind.CHAIN, error), None
    return Probe(DataKind.CHAIN, Access.AVAILABLE, chain_freshness(chain)), nearest_contract(chain, spot)


async def probe_all(client: ProbeClient, symbol: str, clock: Clock) -> dict[DataKind, Probe]:
    """Ask for each data kind once, for `symbol`, at `clock`'s now (the server's, when its
    clock is another day's). Options trades and quotes are asked of one contract of the chain."""
    now = clock.now()
    today = et_date(now)
    snapshot, spot = await probe_stock_snapshot(client, symbol)
    aggregates = await probe_aggregates(client, symbol, today)
    stock_trades = await probe_ticks(client, DataKind.STOCK_TRADES, symbol, now, STOCK_TRADES_WINDOW)
    chain, contract = await probe_chain(client, symbol, today, spot)
    if contract is None:
        why = "the chain snapshot failed" if not chain.available else f"{symbol} listed no call near the money"
        option_trades = Probe(DataKind.OPTION_TRADES, Access.NOT_PROBED, detail=why)
        option_quotes = Probe(DataKind.OPTION_QUOTES, Access.NOT_PROBED, detail=why)
    else:
        ticker = contract.details.ticker
        option_trades = await probe_ticks(client, DataKind.OPTION_TRADES, ticker, now, OPTION_TICKS_WINDOW)
        option_quotes = await probe_ticks(client, DataKind.OPTION_QUOTES, ticker, now, OPTION_TICKS_WINDOW)
    # Trades, quotes and stock snapshots carry no timeframe; a plan's data share one delay,
    # so they take their side's: the options snapshot's timeframe, the aggregates' status.
    option_side = [replace(probe, freshness=chain.freshness) if probe.available else probe
                   for probe in (option_trades, option_quotes)]  # fmt: skip
    stock_side = [replace(probe, freshness=aggregates.freshness) if probe.available else probe
                  for probe in (stock_trades, snapshot)]  # fmt: skip
    return {probe.kind: probe for probe in (chain, *option_side, *stock_side, aggregates)}


def unprobed(access: Access) -> dict[DataKind, Probe]:
    """Every kind marked with the handshake's failure: a refused key or a server that does
    not answer fails every probe the same way, so none is sent."""
    return {kind: Probe(kind, access) for kind in DataKind}


# --- verdicts ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Need:
    kind: DataKind
    without: str | None = None  # what the scanner does without it; None: it cannot run
    used_with: DataKind | None = None  # it only refines data of this kind (quotes: trades)


WITHOUT_OPTION_TRADES = "alerts labelled LARGE VOLUME, side from snapshot quotes"
WITHOUT_OPTION_QUOTES = "side of each print from the snapshot quote, marked approximate"
WITHOUT_STOCK_SNAPSHOT = "first chain of each symbol read whole (no strike window), a few more pages once"
OPTIONS_FEED = (
    Need(DataKind.CHAIN),
    # The feed centres its first chain fetch of an underlying on the stock's price.
    Need(DataKind.STOCK_SNAPSHOT, WITHOUT_STOCK_SNAPSHOT),
    Need(DataKind.OPTION_TRADES, WITHOUT_OPTION_TRADES),
    Need(DataKind.OPTION_QUOTES, WITHOUT_OPTION_QUOTES, used_with=DataKind.OPTION_TRADES),
)
NEEDS: dict[Scanner, tuple[Need, ...]] = {
    Scanner.FLOW: OPTIONS_FEED,
    Scanner.SWEEPS: (*OPTIONS_FEED, Need(DataKind.AGGREGATES, "no volume boost in the score (no contract history)")),
    Scanner.GOLDEN_SWEEPS: OPTIONS_FEED,
    Scanner.BULLSEYE: (*OPTIONS_FEED, Need(DataKind.AGGREGATES)),
    Scanner.SCALPS: (*OPTIONS_FEED, Need(DataKind.AGGREGATES)),
    Scanner.DARKPOOL: (
        Need(DataKind.STOCK_TRADES),
        Need(DataKind.AGGREGATES, "alerts without average volume and the year's range"),
        Need(DataKind.STOCK_SNAPSHOT, "alerts without where the print sat against the quote"),
    ),
    Scanner.BREAKOUTS: (
        Need(DataKind.AGGREGATES),
        Need(DataKind.STOCK_SNAPSHOT, "live prices from minute bars instead (one more request per symbol a run)"),
    ),
}


class Readiness(StrEnum):
    READY = "ready"
    DEGRADED = "runs, degraded"
    BLOCKED = "cannot run"
    DISABLED = "disabled"


@dataclass(frozen=True)
class Verdict:
    scanner: Scanner
    readiness: Readiness
    notes: tuple[str, ...] = ()

    @property
    def can_run(self) -> bool:
        return self.readiness in (Readiness.READY, Readiness.DEGRADED)


def verdict(scanner: Scanner, enabled: bool, probes: Mapping[DataKind, Probe]) -> Verdict:
    if not enabled:
        return Verdict(scanner, Readiness.DISABLED)
    needs = NEEDS[scanner]
    absent = [
        (need, probes[need.kind])
        for need in needs
        if not probes[need.kind].available and (need.used_with is None or probes[need.used_with].available)
    ]
    blocked = [f"needs {probe.kind}, {probe.access}" for need, probe in absent if need.without is None]
    if blocked:
        return Verdict(scanner, Readiness.BLOCKED, tuple(blocked))
    notes = [f"{probe.kind} {probe.access} → {need.without}" for need, probe in absent]
    # The first need is the scanner's own data: its delay is the alerts' delay.
    if probes[needs[0].kind].freshness is Freshness.DELAYED:
        marked = ", marked DELAYED" if scanner.kind is AlertKind.OPTION else ""
        notes.append(f"{needs[0].kind} delayed → alerts come about 15 minutes late{marked}")
    return Verdict(scanner, Readiness.DEGRADED if notes else Readiness.READY, tuple(notes))


def verdicts(settings: Settings, probes: Mapping[DataKind, Probe]) -> list[Verdict]:
    return [verdict(scanner, settings.scanners.of(scanner).enabled, probes) for scanner in Scanner]


# --- the whole check ------------------------------------------------------------------------


@dataclass(frozen=True)
class PlanReport:
    base_url: str
    symbol: str
    greeting: Handshake
    server_clock_followed: bool  # the server's clock read another day; probes asked at its time
    probes: dict[DataKind, Probe]
    verdicts: list[Verdict]

    @property
    def probed(self) -> bool:
        """False when the handshake failed the way every probe would (none was sent)."""
        return self.greeting.access not in (Access.BAD_KEY, Access.UNREACHABLE)

    @property
    def ready(self) -> bool:
        """Every enabled scanner can run (and at least one is enabled)."""
        enabled = [item for item in self.verdicts if item.readiness is not Readiness.DISABLED]
        return bool(enabled) and all(item.can_run for item in enabled)


async def check_plan(settings: Settings, symbol: str) -> PlanReport:
    """The handshake, then one probe per data kind unless the handshake already failed them all."""
    async with probe_client(settings) as client:
        greeting = await handshake(client)
        clock = server_clock(greeting.server_time, datetime.now(timezone.utc))
        report = PlanReport(settings.polygon_base_url, symbol, greeting, isinstance(clock, ScaledClock), {}, [])
        probes = await probe_all(client, symbol, clock) if report.probed else unprobed(greeting.access)
    return replace(report, probes=probes, verdicts=verdicts(settings, probes))
