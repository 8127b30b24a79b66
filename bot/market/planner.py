"""Which underlyings to refresh next, within the request budget.

Priority is staleness measured in units of the symbol's tier interval, raised by recent flow
activity: tier 1 (index ETFs, megacaps) is due four times as often as tier 3, and a chain
that just produced flow is looked at sooner. The cost of a refresh is learned from the pages
its last fetch took, so a 30-page SPY chain is budgeted as 30 requests, not one. When the
whole watchlist cannot be refreshed at the target intervals within the budget, every tier's
interval stretches by the same factor, and `promised_interval` says so.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

from bot.market.clock import Clock
from bot.market.watchlist import WatchedSymbol

TARGET_INTERVAL_SECONDS = {1: 15.0, 2: 30.0, 3: 60.0}
# Enrichment beside the chain itself (a stock snapshot on first sight, trades for candidates).
EXTRA_REQUESTS_PER_REFRESH = 0.5
ACTIVITY_DECAY = 0.5  # each refresh halves the remembered activity before adding the new one
# A chain with flow is looked at sooner, at most twice as often as its tier's interval: the
# rest of the budget stays with the quiet symbols, whose flow is just as new when it comes.
MAX_ACTIVITY_BOOST = 1.0
ACTIVITY_FOR_FULL_BOOST = 20.0


@dataclass(slots=True)
class PlannedSymbol:
    symbol: str
    tier: int
    last_refresh: float | None = None
    pages: int = 1
    activity: float = 0.0  # decayed count of flow events
    in_flight: bool = False

    @property
    def cost(self) -> float:
        return self.pages + EXTRA_REQUESTS_PER_REFRESH


class RefreshPlanner:
    def __init__(
        self, watchlist: Iterable[WatchedSymbol], clock: Clock, requests_per_second: float
    ) -> None:
        self.clock = clock
        self.requests_per_second = requests_per_second
        self.symbols = {w.symbol: PlannedSymbol(w.symbol, w.tier) for w in watchlist}

    def stretch(self) -> float:
        """How much slower than the targets the budget allows (1.0 = on target)."""
        needed = sum(s.cost / TARGET_INTERVAL_SECONDS[s.tier] for s in self.symbols.values())
        return max(1.0, needed / self.requests_per_second)

    def promised_interval(self, tier: int) -> float:
        return TARGET_INTERVAL_SECONDS[tier] * self.stretch()

    def priority(self, planned: PlannedSymbol, now: float) -> float:
        if planned.last_refresh is None:
            return math.inf
        overdue = (now - planned.last_refresh) / self.promised_interval(planned.tier)
        boost = MAX_ACTIVITY_BOOST * min(1.0, math.log1p(planned.activity) / math.log1p(ACTIVITY_FOR_FULL_BOOST))
        return overdue * (1.0 + boost)

    def choose(self, budget_requests: float) -> list[str]:
        """Symbols due now, most urgent first, whose learned cost fits the budget.

        A symbol never refreshed comes first (tier order); one already being refreshed is
        never chosen twice. At least one due symbol is chosen even if it costs more than the
        budget, so a big chain cannot starve.
        """
        now = self.clock.monotonic()
        due = [
            s
            for s in self.symbols.values()
            if not s.in_flight and (s.last_refresh is None or self.priority(s, now) >= 1.0)
        ]
        due.sort(key=lambda s: (-self.priority(s, now), s.tier, s.symbol))
        chosen: list[str] = []
        spent = 0.0
        for planned in due:
            if chosen and spent + planned.cost > budget_requests:
                break
            chosen.append(planned.symbol)
            spent += planned.cost
            planned.in_flight = True
        return chosen

    def record(self, symbol: str, *, pages: int, events: int) -> None:
        planned = self.symbols[symbol]
        planned.last_refresh = self.clock.monotonic()
        planned.pages = max(1, pages)
        planned.activity = planned.activity * ACTIVITY_DECAY + events
        planned.in_flight = False

    def failed(self, symbol: str) -> None:
        """A refresh that failed is retried on the next plan, not stuck in flight."""
        self.symbols[symbol].in_flight = False

    def lag_by_tier(self) -> dict[int, float | None]:
        """Seconds since the stalest symbol of each tier was refreshed (None: never)."""
        now = self.clock.monotonic()
        lag: dict[int, float | None] = {}
        for planned in self.symbols.values():
            age = None if planned.last_refresh is None else now - planned.last_refresh
            current = lag.get(planned.tier, 0.0)
            lag[planned.tier] = None if age is None or current is None else max(current, age)
        return lag
