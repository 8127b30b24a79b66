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

The universe tracks hundreds of thousands of contracts, so a baseline is not an object of
its own: each underlying keeps its contracts' baselines in parallel arrays, a row per
contract, found through one dict from ticker to row.
"""

from __future__ import annotations

import math
from array import array
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, NamedTuple

from bot.market.clock import Clock

DEFAULT_TTL_SECONDS = 120.0
# VWAPs are rounded by the server; an average a hair outside the day's range is rounding,
# anything more means the two snapshots disagree and the last trade price is the better guess.
PRICE_RANGE_TOLERANCE = 0.01
# A row's last trade time when its snapshot had no last trade (real ones are ns ≥ 0).
NO_TRADE = -(2**63)
# Row numbers are shared int objects: every underlying numbers its rows from 0, and an int
# object of its own per contract (past 256) would add 32 bytes to its ~156.
_ROW_NUMBERS: list[int] = []


def _row_number(row: int) -> int:
    while len(_ROW_NUMBERS) <= row:
        _ROW_NUMBERS.append(len(_ROW_NUMBERS))
    return _ROW_NUMBERS[row]


class VolumeDelta(NamedTuple):  # a tuple: immutable, and cheap to make for every delta
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


class ChainBaselines:
    """The baselines of one underlying's contracts: row `rows[ticker]` of every column.

    Rows are appended in the order contracts are first seen and only ever removed by
    `evict_gone`, which renumbers them in the same order, so `rows` lists the tickers in row
    order. `sessions` and `observed_at` hold references to objects shared by every contract
    of a refresh; the numbers are unboxed in `array`s.
    """

    COLUMNS = ("sessions", "volumes", "vwaps", "observed_at", "last_seen", "last_trade_ns")
    __slots__ = ("stats", "rows", "last_refresh", *COLUMNS)

    def __init__(self, stats: CacheStats) -> None:
        self.stats = stats
        self.rows: dict[str, int] = {}
        self.last_refresh = -math.inf  # the mark of the latest refresh that observed a contract
        self.sessions: list[date] = []
        self.volumes = array("d")
        self.vwaps = array("d")
        self.observed_at: list[datetime] = []
        self.last_seen = array("d")  # the mark of the latest refresh that included the contract
        self.last_trade_ns = array("q")  # the snapshot's own last trade (or NO_TRADE): where its volume stops

    def __len__(self) -> int:
        return len(self.rows)

    def observe(
        self,
        contract: str,
        session: date,
        volume: float,
        vwap: float,
        observed_at: datetime,
        refreshed_at: float,
        day_low: float,
        day_high: float,
        last_trade_price: float | None,
        last_trade_ns: int | None,
    ) -> VolumeDelta | None:
        """Record a contract's session volume; return what traded since its baseline.
        (`VolumeCache.observe` says what the arguments are.)"""
        self.last_refresh = refreshed_at
        stats = self.stats
        row = self.rows.get(contract)
        if row is None:
            stats.misses += 1
            self.rows[contract] = _row_number(len(self.volumes))
            self.sessions.append(session)
            self.volumes.append(volume)
            self.vwaps.append(vwap)
            self.observed_at.append(observed_at)
            self.last_seen.append(refreshed_at)
            self.last_trade_ns.append(NO_TRADE if last_trade_ns is None else last_trade_ns)
            stats.sets += 1
            return None
        stats.hits += 1
        previous = self.volumes[row]
        if self.sessions[row] != session or volume < previous:
            stats.reseeds += 1
            self.sessions[row] = session
            self._update(row, volume, vwap, observed_at, last_trade_ns)
            self.last_seen[row] = refreshed_at
            return None
        self.last_seen[row] = refreshed_at
        if volume == previous:
            # Nothing traded since: the next delta's window starts at this snapshot.
            self.observed_at[row] = observed_at
            return None
        traded = traded_delta(previous, self.vwaps[row], volume, vwap, day_low, day_high, last_trade_price)
        if traded is None:
            return None
        window_start = self.observed_at[row]
        # A baseline with no volume yet has seen none of today's prints.
        prints_after = _timestamp(self.last_trade_ns[row]) if previous > 0 else 0
        self._update(row, volume, vwap, observed_at, last_trade_ns)
        contracts, average, source = traded
        return VolumeDelta(
            contracts, average, contracts * average, source, window_start, observed_at, prints_after, last_trade_ns
        )

    def _update(self, row: int, volume: float, vwap: float, observed_at: datetime, last_trade_ns: int | None) -> None:
        self.volumes[row] = volume
        self.vwaps[row] = vwap
        self.observed_at[row] = observed_at
        self.last_trade_ns[row] = NO_TRADE if last_trade_ns is None else last_trade_ns
        self.stats.sets += 1

    def volume(self, contract: str) -> float | None:
        """The volume of the contract's baseline, or None when it has none."""
        row = self.rows.get(contract)
        return None if row is None else self.volumes[row]

    def evict_gone(self, cutoff: float) -> int:
        """Drop the contracts last seen before `cutoff` and left out of a later refresh."""
        limit = min(cutoff, self.last_refresh)
        kept = [row for row, seen in enumerate(self.last_seen) if seen >= limit]
        gone = len(self.rows) - len(kept)
        if gone:
            tickers = list(self.rows)
            self.rows = {tickers[row]: _row_number(new) for new, row in enumerate(kept)}
            for name in self.COLUMNS:
                setattr(self, name, _picked(getattr(self, name), kept))
        return gone


def _timestamp(ns: int) -> int | None:
    return None if ns == NO_TRADE else ns


def _picked(column: Any, rows: list[int]) -> Any:
    picked = [column[row] for row in rows]
    return array(column.typecode, picked) if isinstance(column, array) else picked


@dataclass(slots=True)
class VolumeCache:
    clock: Clock
    ttl_seconds: float = DEFAULT_TTL_SECONDS
    stats: CacheStats = field(default_factory=CacheStats)
    _chains: dict[str, ChainBaselines] = field(default_factory=dict)

    def __len__(self) -> int:
        return sum(len(chain) for chain in self._chains.values())

    def chain(self, underlying: str) -> ChainBaselines:
        """The baselines of `underlying`'s contracts, for a refresh to observe them all."""
        found = self._chains.get(underlying)
        if found is None:
            found = self._chains[underlying] = ChainBaselines(self.stats)
        return found

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
        return self.chain(underlying).observe(
            contract, session, volume, vwap, observed_at, refreshed_at,
            day_low, day_high, last_trade_price, last_trade_ns,
        )  # fmt: skip

    def volume(self, underlying: str, contract: str) -> float | None:
        """The volume of the contract's baseline, or None when it has none."""
        chain = self._chains.get(underlying)
        return None if chain is None else chain.volume(contract)

    def cleanup(self, watched_underlyings: Iterable[str]) -> int:
        """Evict baselines nobody refreshes any more; returns how many went.

        A baseline goes when it is older than the TTL and either its underlying has left
        the watchlist, or its underlying was refreshed since without it (gone from the chain).
        """
        watched = set(watched_underlyings)
        cutoff = self.clock.monotonic() - self.ttl_seconds
        evicted = 0
        for underlying, chain in list(self._chains.items()):
            if underlying not in watched and chain.last_refresh < cutoff:
                evicted += len(chain)
                del self._chains[underlying]
            else:
                evicted += chain.evict_gone(cutoff)
        self.stats.evictions += evicted
        return evicted
