"""Seeded background trading: small prints everywhere, so volume moves without anything
alert-worthy.

Options: each contract trades at a rate that falls off away from the money and with time to
expiry, at the ask, the bid or mid of the NBBO in force. No contract's background prints add
up to more than `option_max_premium` within any `option_window_minutes`, and a contract with
a planted order is left quiet around it, so the planted premium is exactly what a scanner
should measure. Stocks: lit prints at the bid or ask and dark (TRF) prints inside the spread,
with a day's volume that follows the intraday profile of the history.
"""

from __future__ import annotations

import bisect
import itertools
import random
from collections import deque
from collections.abc import Sequence

from bot.sim.bars import intraday_profile
from bot.sim.chains import Contract
from bot.sim.paths import PricePath
from bot.sim.quotes import option_market, stock_market
from bot.sim.reference import (
    DARK_VENUE,
    LIT_STOCK_VENUES,
    OPTION_AUTO_EXECUTION,
    OPTION_MULTI_LEG,
    OPTION_VENUES,
    STOCK_ISO,
    STOCK_ODD_LOT,
    TRF_IDS,
)
from bot.sim.scenario import BackgroundSpec
from bot.sim.seeding import poisson
from bot.sim.session import NS_PER_MINUTE, SessionTimes
from bot.sim.tape import Print

_OPTION_SIZES = (1, 1, 1, 1, 2, 2, 2, 3, 3, 4, 5, 5, 6, 8, 10, 10, 15, 20)
_MULTI_LEG_SHARE = 0.04


class SessionSampler:
    """Draws moments of the regular session with the intraday volume profile's density."""

    def __init__(self, session: SessionTimes) -> None:
        self.session = session
        self._cumulative = list(itertools.accumulate(intraday_profile(session.minutes)))

    def draw(self, rng: random.Random) -> int:
        minute = min(bisect.bisect_right(self._cumulative, rng.random()), len(self._cumulative) - 1)
        return self.session.open_ns + minute * NS_PER_MINUTE + rng.randrange(NS_PER_MINUTE)

    def moments(self, rng: random.Random, count: int) -> list[int]:
        return sorted(self.draw(rng) for _ in range(count))


def option_prints(
    contract: Contract,
    count: int,
    path: PricePath,
    sampler: SessionSampler,
    spec: BackgroundSpec,
    quiet: Sequence[tuple[int, int]],
    rng: random.Random,
) -> list[Print]:
    spot = path.prices[0]
    intrinsic = max(0.0, spot - contract.strike if contract.kind == "call" else contract.strike - spot)
    if intrinsic * 100 > 2 * spec.option_max_premium:
        return []  # deep in the money: one contract costs more than the budget allows all day
    window_ns = spec.option_window_minutes * NS_PER_MINUTE
    recent: deque[tuple[int, float]] = deque()
    spent = 0.0
    prints: list[Print] = []
    for moment in sampler.moments(rng, count):
        side, size_draw, venue_draw, multi_leg = (
            rng.random(),
            rng.choice(_OPTION_SIZES),
            rng.random(),
            rng.random(),
        )
        if moment >= contract.expires_ns or any(low <= moment <= high for low, high in quiet):
            continue
        while recent and recent[0][0] <= moment - window_ns:
            spent -= recent.popleft()[1]
        _, quote = option_market(contract, path, path.second_of(moment))
        if side < 0.42 or quote.bid <= 0:
            price = quote.ask
        elif side < 0.84:
            price = quote.bid
        else:
            price = round(quote.midpoint, 2)
        size = min(size_draw, int((spec.option_max_premium - spent) // (price * 100)))
        if size < 1:
            continue
        premium = price * size * 100
        recent.append((moment, premium))
        spent += premium
        conditions = (OPTION_MULTI_LEG,) if multi_leg < _MULTI_LEG_SHARE else (OPTION_AUTO_EXECUTION,)
        venue = OPTION_VENUES[int(venue_draw * len(OPTION_VENUES))]
        prints.append(Print(moment, price, size, venue, conditions))
    return prints


def stock_prints(
    path: PricePath,
    quote_key: int,
    sampler: SessionSampler,
    day_volume: float,
    spec: BackgroundSpec,
    rng: random.Random,
) -> list[Print]:
    count = poisson(rng.random(), spec.stock_trades_per_minute * sampler.session.minutes)
    if count == 0:
        return []
    moments = sampler.moments(rng, count)
    dark = [rng.random() < spec.dark_share for _ in moments]
    sizes = [rng.lognormvariate(-0.5, 1.0) for _ in moments]
    # Dark prints are capped below block size; lit prints carry the rest of the day's volume.
    dark_shares = sum(
        min(size * day_volume / count, spec.dark_max_size)
        for size, is_dark in zip(sizes, dark, strict=True)
        if is_dark
    )
    lit_weight = sum(size for size, is_dark in zip(sizes, dark, strict=True) if not is_dark) or 1.0
    lit_scale = max(0.0, day_volume - dark_shares) / lit_weight
    prints: list[Print] = []
    for moment, is_dark, draw in zip(moments, dark, sizes, strict=True):
        quote = stock_market(path, quote_key, path.second_of(moment))
        if is_dark:
            size = _round_lot(min(draw * day_volume / count, spec.dark_max_size))
            price = round(quote.bid + (quote.ask - quote.bid) * rng.uniform(0.1, 0.9), 4)
            prints.append(Print(moment, price, size, DARK_VENUE, _odd_lot(size), rng.choice(TRF_IDS)))
        else:
            size = _round_lot(draw * lit_scale)
            price = quote.ask if rng.random() < 0.5 else quote.bid
            conditions = _odd_lot(size) or ((STOCK_ISO,) if rng.random() < 0.1 else ())
            prints.append(Print(moment, price, size, rng.choice(LIT_STOCK_VENUES), conditions))
    return prints


def _round_lot(shares: float) -> int:
    """Most prints are round lots; small ones stay odd lots."""
    return max(1, int(round(shares, -2)) if shares >= 100 else round(shares))


def _odd_lot(size: int) -> tuple[int, ...]:
    return (STOCK_ODD_LOT,) if size < 100 else ()


def quiet_windows(prints: Sequence[Print], quiet_minutes: int) -> list[tuple[int, int]]:
    margin = quiet_minutes * NS_PER_MINUTE
    return [(item.ts - margin, item.ts + margin) for item in prints]
