"""The options feed: one paginated chain fetch per underlying per refresh → flow events.

Every scanner reads the events this produces (through the `EventLog`); none of them fetch
chains themselves. What `/flow` reads of each underlying's latest chain is kept as a compact
table; the decoded chain itself is let go after the refresh.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from bot.market.baselines import VolumeCache, VolumeDelta
from bot.market.calendar import et_date
from bot.market.chain_table import OPTION_TYPES, ChainTable
from bot.market.clock import Clock, epoch_ns
from bot.market.events import EventLog, FlowEvent
from bot.market.trade_reader import GROUPING_WINDOW_NS
from bot.polygon.client import PolygonClient
from bot.polygon.errors import NotEntitledError
from bot.polygon.models import ChainContract, ChainDay, ChainSnapshot, OptionLastQuote

# Our clock against the exchange's SIP timestamps: the margin on top of an order's grouping
# window when judging whether it may still have been printing as a chain was requested.
CLOCK_ALLOWANCE_NS = 1_000_000_000


@dataclass(frozen=True, slots=True)
class RefreshResult:
    underlying: str
    pages: int
    contracts: int
    events: list[FlowEvent]
    spot: float | None
    fetched_at: datetime


@dataclass(frozen=True, slots=True)
class LatestChain:
    """What `/flow` reads: the newest chain of one underlying."""

    chain: ChainTable
    spot: float | None


@dataclass
class FeedStats:
    refreshes: int = 0
    pages: int = 0
    contracts: int = 0
    events: int = 0
    skipped_other_type: int = 0


@dataclass
class OptionsFeed:
    client: PolygonClient
    clock: Clock
    cache: VolumeCache
    log: EventLog
    max_dte: int
    strike_window: float = 0.30  # fetch strikes within ±30% of the last known spot
    # Per underlying, from its latest refresh: contracts an order may still have been
    # printing on, with the premium seen of it so far.
    _open_orders: dict[str, dict[str, float]] = field(default_factory=dict)
    latest: dict[str, LatestChain] = field(default_factory=dict)
    stats: FeedStats = field(default_factory=FeedStats)

    async def refresh(self, underlying: str) -> RefreshResult:
        """Fetch the chain once, compute its flow events once, append them to the log."""
        today = et_date(self.clock.now())
        previous = self.latest.get(underlying)
        centre = previous.spot if previous is not None and previous.spot else None
        if centre is None:
            centre = await self._stock_spot(underlying)
        chain = await self.client.options_chain(
            underlying,
            expiration_date_gte=today,
            expiration_date_lte=today + timedelta(days=self.max_dte),
            # Whole dollars: the window moves only when spot does by a dollar's worth, so
            # the request stays the same from one refresh to the next.
            strike_price_gte=math.floor(centre * (1 - self.strike_window)) if centre else None,
            strike_price_lte=math.ceil(centre * (1 + self.strike_window)) if centre else None,
        )
        spot, spot_source = _chain_spot(chain.results), "chain"
        if spot is None:
            # The stock snapshot is cached by the client, so this is usually free.
            spot, spot_source = await self._stock_spot(underlying), "stock_snapshot"
        stamped = self.log.append(self._ingest(chain, spot, spot_source if spot else "none"))
        self.stats.refreshes += 1
        self.stats.pages += chain.pages
        self.stats.contracts += len(chain.results)
        self.stats.events += len(stamped)
        return RefreshResult(underlying, chain.pages, len(chain.results), stamped, spot, chain.fetched_at)

    async def _stock_spot(self, underlying: str) -> float | None:
        """The stock's price, or None on a plan without stock data (an options-only key):
        the first chain is then fetched without a strike window, and later ones centre on
        the spot the chain itself reports."""
        try:
            snapshot = await self.client.stock_snapshot(underlying)
        except NotEntitledError:
            return None
        for bar in (snapshot.min, snapshot.day):
            if bar is not None and bar.c > 0:
                return bar.c
        if snapshot.last_trade is not None and snapshot.last_trade.price > 0:
            return snapshot.last_trade.price
        return None

    def _ingest(self, chain: ChainSnapshot, spot: float | None, spot_source: str) -> list[FlowEvent]:
        """The chain's flow events, from its contracts' baselines; keeps what `/flow` reads."""
        observed_at = chain.fetched_at
        session = et_date(observed_at)
        refreshed_at = self.clock.monotonic()
        observe = self.cache.chain(chain.underlying).observe
        events = []
        for contract in chain.results:
            details, day = contract.details, contract.day
            if details.contract_type not in OPTION_TYPES:
                self.stats.skipped_other_type += 1
                continue
            if day is None:
                continue
            trade = contract.last_trade
            delta = observe(
                details.ticker,
                session,
                day.volume,
                day.vwap,
                observed_at,
                refreshed_at,
                day.low,
                day.high,
                trade.price if trade else None,
                trade.sip_timestamp if trade else None,
            )
            if delta is not None:
                events.append(_event(chain.underlying, contract, day, session, delta, spot, spot_source))
        self._carry_open_orders(chain, events)
        self.latest[chain.underlying] = LatestChain(ChainTable(chain), spot)
        return events

    def _carry_open_orders(self, chain: ChainSnapshot, events: list[FlowEvent]) -> None:
        """A refresh can land while an order is printing, so a $1.2M sweep shows up as $0.5M
        and then $0.7M, neither enough for a $1M threshold on its own. Each event carries
        what its contract's previous event saw when that one ended within an order's reach
        of its refresh (one grouping window plus the clock allowance); the contracts that
        ended so in this chain are kept for the next."""
        carried = self._open_orders.pop(chain.underlying, None)
        if carried:
            for event in events:
                event.carried_premium = carried.get(event.contract, 0.0)
        reach_ns = epoch_ns(chain.requested_at) - GROUPING_WINDOW_NS - CLOCK_ALLOWANCE_NS
        still_open = {
            event.contract: event.premium + event.carried_premium
            for event in events
            if event.prints_until_ns is not None and event.prints_until_ns >= reach_ns
        }
        if still_open:
            self._open_orders[chain.underlying] = still_open


def _chain_spot(results: list[ChainContract]) -> float | None:
    for contract in results:
        asset = contract.underlying_asset
        price = None if asset is None else asset.price if asset.price is not None else asset.value
        if price:
            return price
    return None


def _timeframe(contract: ChainContract, quote: OptionLastQuote | None) -> str:
    for part in (quote, contract.last_trade):
        if part is not None and part.timeframe:
            return part.timeframe
    asset = contract.underlying_asset  # decoded only when neither says
    return asset.timeframe if asset is not None and asset.timeframe else "UNKNOWN"


def _event(
    underlying: str,
    contract: ChainContract,
    day: ChainDay,
    session: date,
    traded: VolumeDelta,
    spot: float | None,
    spot_source: str,
) -> FlowEvent:
    details, greeks, quote = contract.details, contract.greeks, contract.last_quote
    return FlowEvent(
        underlying=underlying,
        contract=details.ticker,
        contract_type=details.contract_type,
        strike=details.strike_price,
        expiration=details.expiration_date,
        shares_per_contract=details.shares_per_contract,
        dte=(details.expiration_date - session).days,  # the session is the ET date of the delta's window end
        contracts=traded.contracts,
        premium=traded.notional * details.shares_per_contract,
        average_price=traded.average_price,
        price_source=traded.price_source,
        window_start=traded.window_start,
        window_end=traded.window_end,
        session=session,
        day_volume=day.volume,
        open_interest=contract.open_interest,
        implied_volatility=contract.implied_volatility,
        delta=greeks.delta if greeks else None,
        gamma=greeks.gamma if greeks else None,
        theta=greeks.theta if greeks else None,
        vega=greeks.vega if greeks else None,
        bid=quote.bid if quote else None,
        ask=quote.ask if quote else None,
        last_trade_price=contract.last_trade.price if contract.last_trade else None,
        underlying_price=spot,
        underlying_price_source=spot_source,
        timeframe=_timeframe(contract, quote),
        prints_after_ns=traded.prints_after_ns,
        prints_until_ns=traded.prints_until_ns,
    )
