"""Listed option contracts: expirations that exist, strikes on the symbol's step, open
interest fixed for the day and an implied volatility with a smile.

A chain is built for one underlying on first use, from the scenario alone, so its contracts
are the same whichever endpoint asked first.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

from bot.market.calendar import SECONDS_PER_YEAR, MarketCalendar, expires_at
from bot.market.clock import epoch_ns
from bot.sim.scenario import UnderlyingSpec
from bot.sim.seeding import lognormal, stable_int

OptionKind = Literal["call", "put"]
MIN_IV, MAX_IV = 0.05, 3.0


@dataclass(frozen=True, slots=True)
class Contract:
    ticker: str  # OCC, e.g. O:SPY251219C00600000
    underlying: str
    kind: OptionKind
    strike: float
    expiration: date
    expires_ns: int  # 16:00 ET on the expiration date
    dte: int  # calendar days from the session date
    iv: float
    open_interest: int
    activity: float  # how much it trades against the front at-the-money contract
    noise_key: int  # seeds the contract's quote sizes and venues, second by second

    def years_left(self, moment_ns: int) -> float:
        return max(0.0, (self.expires_ns - moment_ns) / 1e9 / SECONDS_PER_YEAR)


@dataclass(frozen=True, slots=True)
class Chain:
    underlying: str
    contracts: tuple[Contract, ...]  # in ticker order, the endpoint's default sort
    by_ticker: dict[str, Contract]
    expirations: tuple[date, ...]
    strikes: tuple[float, ...]


def occ_ticker(underlying: str, expiration: date, kind: OptionKind, strike: float) -> str:
    """`O:` + root + YYMMDD + C/P + strike in thousandths, 8 digits (the OCC symbology)."""
    return f"O:{underlying}{expiration:%y%m%d}{'C' if kind == 'call' else 'P'}{round(strike * 1000):08d}"


def default_strike_step(price: float) -> float:
    """Listing increments as exchanges use them: finer for cheaper stocks."""
    for ceiling, step in ((25.0, 0.5), (100.0, 1.0), (250.0, 2.5), (1000.0, 5.0)):
        if price < ceiling:
            return step
    return 10.0


def listed_strikes(spec: UnderlyingSpec) -> tuple[float, ...]:
    step = spec.strike_step or default_strike_step(spec.price)
    center = round(spec.price / step)
    return tuple(
        round(index * step, 4)
        for index in range(center - spec.strikes_each_side, center + spec.strikes_each_side + 1)
        if index > 0
    )


def _third_friday(year: int, month: int) -> date:
    first = date(year, month, 1)
    return first + timedelta(days=(4 - first.weekday()) % 7 + 14)


def listed_expirations(
    spec: UnderlyingSpec, session_date: date, calendar: MarketCalendar
) -> tuple[date, ...]:
    """Daily symbols list every session; the others list Friday weeklies `weekly_days` out and
    monthlies (the third Friday) to `max_days`. A Friday that is a holiday moves its expiration
    to the trading day before (Good Friday's weeklies expire on Thursday)."""
    last = session_date + timedelta(days=spec.max_days)
    if spec.expirations == "daily":
        return tuple(calendar.sessions_between(session_date, last))
    found: set[date] = set()
    friday = session_date + timedelta(days=(4 - session_date.weekday()) % 7)
    # A Friday just past `last` can still list: a holiday moves its expiration back inside.
    while friday <= last + timedelta(days=4):
        monthly = friday == _third_friday(friday.year, friday.month)
        if monthly or (friday - session_date).days <= spec.weekly_days:
            expiry = friday if calendar.is_session(friday) else calendar.previous_session(friday)
            if session_date <= expiry <= last:
                found.add(expiry)
        friday += timedelta(days=7)
    return tuple(sorted(found))


def implied_vol(spec: UnderlyingSpec, strike: float, years: float) -> float:
    """A put-skewed smile around the previous close, a little richer in the front month."""
    moneyness = math.log(strike / spec.price)
    term = 1.0 + 0.12 * math.exp(-years * 365.0 / 30.0)
    smile = 1.0 - 0.9 * moneyness + 2.0 * moneyness * moneyness
    return min(MAX_IV, max(MIN_IV, spec.volatility * term * smile))


def activity_weight(spec: UnderlyingSpec, strike: float, years: float, dte: int) -> float:
    """How much a contract trades relative to the front at-the-money one: falls off with
    distance from spot (in standard deviations to expiry) and with time to expiry."""
    width = spec.volatility * math.sqrt(max(years, 2.0 / 365.0))
    distance = math.log(strike / spec.price) / width
    return math.exp(-0.5 * (distance / 1.2) ** 2) / (1.0 + dte / 10.0)


def build_chain(
    spec: UnderlyingSpec,
    session_date: date,
    calendar: MarketCalendar,
    seed: int,
    pinned_open_interest: dict[str, int],
) -> Chain:
    expirations = listed_expirations(spec, session_date, calendar)
    strikes = listed_strikes(spec)
    session_open_ns = epoch_ns(calendar.open_at(session_date))
    contracts: list[Contract] = []
    for expiration in expirations:
        expires_ns = epoch_ns(expires_at(expiration))
        years = max(0.0, (expires_ns - session_open_ns) / 1e9 / SECONDS_PER_YEAR)
        dte = (expiration - session_date).days
        for kind in ("call", "put"):
            for strike in strikes:
                ticker = occ_ticker(spec.symbol, expiration, kind, strike)
                key = stable_int(seed, ticker)
                weight = activity_weight(spec, strike, years, dte)
                open_interest = pinned_open_interest.get(ticker) or max(
                    1, round(spec.open_interest_scale * weight**0.6 * lognormal(key, 0.7))
                )
                contracts.append(
                    Contract(
                        ticker,
                        spec.symbol,
                        kind,
                        strike,
                        expiration,
                        expires_ns,
                        dte,
                        implied_vol(spec, strike, years),
                        open_interest,
                        weight,
                        key,
                    )  # fmt: skip
                )
    contracts.sort(key=lambda contract: contract.ticker)
    return Chain(
        spec.symbol,
        tuple(contracts),
        {contract.ticker: contract for contract in contracts},
        expirations,
        strikes,
    )
