"""API keys, plans and per-key request rates, as Polygon enforces them.

A plan says what a key may read and how fresh: `starter` sees snapshots and aggregates 15
minutes delayed and no trades or quotes, `developer` adds trades, `advanced` is real-time with
trades and quotes; `options_advanced` is `advanced` for options alone (Polygon sells stock and
options data separately), every stock endpoint refused. A key with a rate gets a token bucket on the simulator's clock.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from bot.sim.scenario import ApiKeySpec

NOT_ENTITLED = "You are not entitled to this data. Please upgrade your plan at https://polygon.io/pricing"
RATE_LIMITED = (
    "You've exceeded the maximum requests per minute, please wait or upgrade your subscription "
    "to continue. https://polygon.io/pricing"
)
UNKNOWN_KEY = "Unknown API Key"
MISSING_KEY = "API Key was not provided"


@dataclass(frozen=True, slots=True)
class Plan:
    name: str
    trades: bool
    quotes: bool
    delay_minutes: int
    stocks: bool = True

    def allows(self, endpoint: str, *, stock_data: bool) -> bool:
        if stock_data and not self.stocks:
            return False
        if endpoint == "trades":
            return self.trades
        if endpoint == "quotes":
            return self.quotes
        return True

    @property
    def timeframe(self) -> str:
        return "DELAYED" if self.delay_minutes else "REAL-TIME"


PLANS: dict[str, Plan] = {
    "starter": Plan("starter", trades=False, quotes=False, delay_minutes=15),
    "developer": Plan("developer", trades=True, quotes=False, delay_minutes=15),
    "advanced": Plan("advanced", trades=True, quotes=True, delay_minutes=0),
    "options_advanced": Plan("options_advanced", trades=True, quotes=True, delay_minutes=0, stocks=False),
}


class RateBucket:
    """`rate` requests a second, `burst` back to back; refused requests cost nothing."""

    def __init__(self, rate: float, burst: int) -> None:
        self.rate = rate
        self.burst = burst
        self._tokens = float(burst)
        self._updated: float | None = None

    def take(self, now: float) -> float | None:
        """None when the request may go ahead, else the seconds until it could."""
        if self._updated is not None:
            self._tokens = min(float(self.burst), self._tokens + (now - self._updated) * self.rate)
        self._updated = now
        if self._tokens >= 1.0:
            self._tokens -= 1.0
            return None
        return (1.0 - self._tokens) / self.rate


@dataclass(slots=True)
class Grant:
    spec: ApiKeySpec
    plan: Plan
    bucket: RateBucket | None


class KeyRing:
    def __init__(self, specs: list[ApiKeySpec]) -> None:
        self._grants: dict[str, Grant] = {}
        for spec in specs:
            self.set(spec)

    def set(self, spec: ApiKeySpec) -> None:
        rate = spec.requests_per_second
        bucket = RateBucket(rate, spec.burst or max(1, math.floor(rate))) if rate else None
        self._grants[spec.key] = Grant(spec, PLANS[spec.plan], bucket)

    def remove(self, key: str) -> None:
        self._grants.pop(key, None)

    def get(self, key: str) -> Grant | None:
        return self._grants.get(key)

    @property
    def keys(self) -> list[str]:
        return list(self._grants)


def retry_after_header(wait_seconds: float) -> str:
    """Retry-After in whole seconds, rounded up so a client that honours it succeeds."""
    return str(max(1, math.ceil(wait_seconds)))
