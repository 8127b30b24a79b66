"""The VolumeCache: per-contract volume baselines, and the traded delta between snapshots.

A snapshot only shows a contract's volume and VWAP for the whole session so far. What traded
*since we last looked* is the difference between two snapshots of the same ET session, so
each contract keeps a baseline: the last (session, volume, vwap) seen. Rules (DESIGN.md):

- first sight of a contract seeds the baseline and reports nothing (a day's volume is not
  new flow);
- a new session date, or a volume lower than the baseline, re-seeds and reports nothing;
- otherwise ΔV = V_now − V_prev and the traded notional ΔN = vwap_now·V_now − vwap_prev·V_prev,
  so the delta's average price is ΔN/ΔV.

The TTL evicts only baselines that are no longer being refreshed — a contract gone from its
chain, an underlying dropped from the watchlist. While an underlying keeps being refreshed
its baselines stay however late the next refresh comes: a late refresh reports a longer
window, never a lost flow.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime

from bot.market.clock import Clock

DEFAULT_TTL_SECONDS = 120.0
# VWAPs are rounded by the server; an average a hair outside the day's range is rounding,
# anything more means the two snapshots disagree and the last trade price is the better guess.
PRICE_RANGE_TOLERANCE = 0.01


@dataclass(slots=True)
class Baseline:
    underlying: str
    session: date
    volume: float
    vwap: float
    observed_at: datetime
    last_seen: float  # clock.monotonic() of the refresh that last included the contract
    last_trade_ns: int | None  # the snapshot's own last trade: where its volume stops


@dataclass(frozen=True, slots=True)
class VolumeDelta:
    contracts: float
    average_price: float
    notional: float  # per share: multiply by shares_per_contract for premium
    price_source: str  # "vwap" or "last_trade"
    window_start: datetime
    window_end: datetime
    # The prints behind the delta, by the snapshots' own last-trade times: after the one the
    # previous snapshot had seen, up to the one this snapshot has. Our clock's fetch times
    # can differ from when the server took each snapshot (latency, pagination); these cannot.
    prints_after_ns: int | None
    prints_until_ns: int | None


@dataclass(slots=True)
class CacheStats:
    hits: int = 0
    misses: int = 0
    sets: int = 0
    evictions: int = 0
    reseeds: int = 0

    @property
    def hit_rate(self) -> float:
        looked_up = self.hits + self.misses
        return self.hits / looked_up if looked_up else 0.0


def traded_delta(
    prev_volume: float,
    prev_vwap: float,
    volume: float,
    vwap: float,
    day_low: float,
    day_high: float,
    last_trade_price: float | None,
) -> tuple[float, float, str] | None:
    """(contracts, average price, price source) traded between two snapshots, or None."""
    contracts = volume - prev_volume
    if contracts <= 0:
        return None
    average = (vwap * volume - prev_vwap * prev_volume) / contracts
    low = day_low * (1 - PRICE_RANGE_TOLERANCE)
    high = day_high * (1 + PRICE_RANGE_TOLERANCE)
    if day_high > 0 and low <= average <= high:
        return contracts, average, "vwap"
    if last_trade_price is not None and last_trade_price > 0:
        return contracts, last_trade_price, "last_trade"
    return None


@dataclass
class VolumeCache:
    clock: Clock
    ttl_seconds: float = DEFAULT_TTL_SECONDS
    stats: CacheStats = field(default_factory=CacheStats)
    _baselines: dict[str, Baseline] = field(default_factory=dict)
    _last_refresh: dict[str, float] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self._baselines)

    def observe(
        self,
        underlying: str,
        contract: str,
        session: date,
        volume: float,
        vwap: float,
        observed_at: datetime,
        *,
        refreshed_at: float,
        day_low: float = 0.0,
        day_high: float = 0.0,
        last_trade_price: float | None = None,
        last_trade_ns: int | None = None,
    ) -> VolumeDelta | None:
        """Record a contract's session volume; return what traded since the baseline.

        `refreshed_at` is `clock.monotonic()` taken once per chain refresh, so every contract
        of one refresh carries the same mark and none looks older than its siblings.
        """
        now = refreshed_at
        self._last_refresh[underlying] = now
        baseline = self._baselines.get(contract)
        if baseline is None:
            self.stats.misses += 1
            self._seed(underlying, contract, session, volume, vwap, observed_at, now, last_trade_ns)
            return None
        self.stats.hits += 1
        if baseline.session != session or volume < baseline.volume:
            self.stats.reseeds += 1
            self._seed(underlying, contract, session, volume, vwap, observed_at, now, last_trade_ns)
            return None
        baseline.last_seen = now
        if volume == baseline.volume:
            # Nothing traded since: the next delta's window starts at this snapshot.
            baseline.observed_at = observed_at
            return None
        traded = traded_delta(
            baseline.volume, baseline.vwap, volume, vwap, day_low, day_high, last_trade_price
        )
        window_start = baseline.observed_at
        if traded is None:
            return None
        # A baseline with no volume yet has seen none of today's prints.
        prints_after = baseline.last_trade_ns if baseline.volume > 0 else 0
        baseline.volume, baseline.vwap, baseline.observed_at = volume, vwap, observed_at
        baseline.last_trade_ns = last_trade_ns
        self.stats.sets += 1
        contracts, average, source = traded
        return VolumeDelta(
            contracts, average, contracts * average, source, window_start, observed_at, prints_after, last_trade_ns
        )

    def _seed(
        self,
        underlying: str,
        contract: str,
        session: date,
        volume: float,
        vwap: float,
        observed_at: datetime,
        now: float,
        last_trade_ns: int | None,
    ) -> None:
        self._baselines[contract] = Baseline(underlying, session, volume, vwap, observed_at, now, last_trade_ns)
        self.stats.sets += 1

    def cleanup(self, watched_underlyings: Iterable[str]) -> int:
        """Evict baselines nobody refreshes any more; returns how many went.

        A baseline goes when it is older than the TTL and either its underlying has left
        the watchlist, or its underlying was refreshed since without it (gone from the chain).
        """
        watched = set(watched_underlyings)
        cutoff = self.clock.monotonic() - self.ttl_seconds
        stale = [
            contract
            for contract, baseline in self._baselines.items()
            if baseline.last_seen < cutoff
            and (
                baseline.underlying not in watched
                or self._last_refresh.get(baseline.underlying, 0.0) > baseline.last_seen
            )
        ]
        for contract in stale:
            del self._baselines[contract]
        for underlying in [u for u in self._last_refresh if u not in watched]:
            if self._last_refresh[underlying] < cutoff:
                del self._last_refresh[underlying]
        self.stats.evictions += len(stale)
        return len(stale)
