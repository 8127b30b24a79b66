"""The NBBO: bid and ask around fair value, on each instrument's tick, one quote a second.

Quotes are not stored. The quote in force at any moment is a pure function of the
instrument, the second and the price path, so `/v3/quotes`, a snapshot's `last_quote` and the
prices of the trades (at the ask, the bid or mid) always agree.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from bot.analytics.greeks import Greeks, black_scholes
from bot.sim.chains import Contract
from bot.sim.paths import PricePath
from bot.sim.reference import LIT_STOCK_VENUES, OPTION_VENUES
from bot.sim.seeding import mix64
from bot.sim.session import NS_PER_SECOND


@dataclass(frozen=True, slots=True)
class Nbbo:
    bid: float
    ask: float
    bid_size: int
    ask_size: int
    bid_exchange: int
    ask_exchange: int

    @property
    def midpoint(self) -> float:
        return round((self.bid + self.ask) / 2, 4)


def fair_value(contract: Contract, spot: float, moment_ns: int) -> Greeks:
    """Black-Scholes at the contract's own IV; intrinsic value once it has expired."""
    return black_scholes(spot, contract.strike, contract.years_left(moment_ns), contract.iv, contract.kind)


def option_market(contract: Contract, path: PricePath, second: int) -> tuple[Greeks, Nbbo]:
    """Fair value, greeks and the NBBO of a contract during one second of the session."""
    greeks = fair_value(contract, path.prices[second], path.open_ns + second * NS_PER_SECOND)
    return greeks, option_quote(greeks.price, contract.noise_key, second)


def stock_market(path: PricePath, key: int, second: int) -> Nbbo:
    return stock_quote(path.prices[second], key, second)


def option_quote(fair: float, key: int, second: int) -> Nbbo:
    """Penny ticks under $3 and nickels above; about 3% wide, never crossed or locked."""
    tick = 1 if fair < 3.0 else 5
    half = max(float(tick), fair * 1.5)  # cents
    cents = fair * 100.0
    bid = max(0, math.floor((cents - half) / tick) * tick)
    ask = max(bid + tick, math.ceil((cents + half) / tick) * tick)
    noise = mix64(key ^ second)
    return Nbbo(
        bid / 100,
        ask / 100,
        1 + noise % 250,
        1 + (noise >> 16) % 250,
        OPTION_VENUES[(noise >> 32) % len(OPTION_VENUES)],
        OPTION_VENUES[(noise >> 40) % len(OPTION_VENUES)],
    )


def stock_quote(price: float, key: int, second: int) -> Nbbo:
    """A penny or two wide around the path's price, in round lots."""
    spread = max(1, round(price * 0.003))  # cents
    bid = math.floor(price * 100.0 - spread / 2)
    noise = mix64(key ^ second)
    return Nbbo(
        bid / 100,
        (bid + spread) / 100,
        100 * (1 + noise % 30),
        100 * (1 + (noise >> 16) % 30),
        LIT_STOCK_VENUES[(noise >> 32) % len(LIT_STOCK_VENUES)],
        LIT_STOCK_VENUES[(noise >> 40) % len(LIT_STOCK_VENUES)],
    )
