"""Planted events turned into concrete prints.

An option flow becomes one print (block), several prints on one venue (split) or one print on
each of several venues (sweep), all inside one second at the NBBO then in force: at the ask
for a buy, at the bid for a sell, at mid otherwise. A stock print becomes one print, with
Form T added when it falls outside the regular session (as the SIP would).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from bot.analytics.greeks import Greeks
from bot.sim.bars import split_total
from bot.sim.chains import Contract, occ_ticker
from bot.sim.paths import PricePath
from bot.sim.quotes import Nbbo, option_market
from bot.sim.reference import (
    DARK_VENUE,
    OPTION_AUTO_EXECUTION,
    OPTION_ISO,
    OPTION_MULTI_LEG,
    OPTION_VENUES,
    STOCK_FORM_T,
)
from bot.sim.scenario import OptionFlowEvent, ScenarioError, StockPrintEvent
from bot.sim.seeding import stream
from bot.sim.session import NS_PER_MS, SessionTimes
from bot.sim.tape import NO_TRF, Print

FIRST_PRINT_DELAY_MS = 100  # the first print lands this long after the event's whole second
ORDER_SPAN_MS = 800  # every print of one order lands within this, so within the same second
DEFAULT_LIT_VENUE = 11  # NYSE Arca
DEFAULT_TRF = 202


@dataclass(frozen=True, slots=True)
class PlantedFlow:
    event: OptionFlowEvent
    contract: Contract
    prints: tuple[Print, ...]
    spot: float  # the underlying when the order printed
    greeks: Greeks  # the contract's fair value and greeks then
    quote: Nbbo  # the NBBO in force

    @property
    def size(self) -> int:
        return sum(item.size for item in self.prints)

    @property
    def premium(self) -> float:
        return round(sum(item.price * item.size * 100 for item in self.prints), 2)

    @property
    def exchanges(self) -> tuple[int, ...]:
        return tuple(sorted({item.exchange for item in self.prints}))


def flow_ticker(
    event: OptionFlowEvent,
    index: int,
    expirations: Sequence[date],
    strikes: Sequence[float],
    spot: float,
    session_date: date,
) -> str:
    """The OCC ticker of the listed contract the event names; a contract that is not listed
    is a scenario error naming the event's field."""
    ref = event.contract
    where = f"events[{index}] ({event.id!r}).contract"
    expiration = ref.expiration or session_date + timedelta(days=ref.dte or 0)
    if expiration not in expirations:
        listed = ", ".join(str((day - session_date).days) for day in expirations[:12])
        field = "expiration" if ref.expiration else "dte"
        raise ScenarioError(
            f"{where}.{field}: {event.symbol} lists no expiration on {expiration} "
            f"(days to expiry listed: {listed}{'...' if len(expirations) > 12 else ''})"
        )
    if ref.strike is not None:
        if not any(abs(ref.strike - strike) < 1e-6 for strike in strikes):
            raise ScenarioError(
                f"{where}.strike: {ref.strike:g} is not a listed {event.symbol} strike "
                f"({strikes[0]:g} to {strikes[-1]:g})"
            )
        strike = ref.strike
    else:
        nearest = min(range(len(strikes)), key=lambda position: abs(strikes[position] - spot))
        position = nearest + (ref.strike_offset or 0)
        if not 0 <= position < len(strikes):
            raise ScenarioError(
                f"{where}.strike_offset: {ref.strike_offset} strikes from {strikes[nearest]:g} is past "
                f"the listed {event.symbol} strikes ({strikes[0]:g} to {strikes[-1]:g})"
            )
        strike = strikes[position]
    return occ_ticker(event.symbol, expiration, ref.type, strike)


def plant_flow(
    event: OptionFlowEvent, contract: Contract, path: PricePath, session: SessionTimes, seed: int
) -> PlantedFlow:
    rng = stream(seed, event.id, "flow")
    count = event.print_count
    start = session.at(event.time) + FIRST_PRINT_DELAY_MS * NS_PER_MS
    second = path.second_of(start)
    greeks, quote = option_market(contract, path, second)
    if event.price is not None:
        price = event.price
    elif event.side == "buy":
        price = quote.ask
    elif event.side == "sell":
        price = quote.bid if quote.bid > 0 else quote.ask
    else:
        price = round(quote.midpoint, 2)
    venues = (
        rng.sample(OPTION_VENUES, count) if event.style == "sweep" else [rng.choice(OPTION_VENUES)] * count
    )
    if event.multi_leg:
        conditions: tuple[int, ...] = (OPTION_MULTI_LEG,)
    elif event.style == "sweep":
        conditions = (OPTION_ISO,)
    else:
        conditions = (OPTION_AUTO_EXECUTION,)
    sizes = split_total(event.size, [rng.uniform(0.6, 1.4) for _ in range(count)])
    gap_ns = ORDER_SPAN_MS * NS_PER_MS // count
    prints = tuple(
        Print(
            start + position * gap_ns + rng.randrange(gap_ns // 2),
            price,
            size,
            venue,
            conditions,
            tag=event.id,
        )
        for position, (size, venue) in enumerate(zip(sizes, venues, strict=True))
    )
    return PlantedFlow(event, contract, prints, path.prices[second], greeks, quote)


def plant_stock_print(event: StockPrintEvent, path: PricePath, session: SessionTimes) -> Print:
    moment = session.at(event.time)
    price = event.price if event.price is not None else round(path.at(moment), 2)
    conditions = tuple(event.conditions)
    if not session.open_ns <= moment < session.close_ns and STOCK_FORM_T not in conditions:
        conditions = (*conditions, STOCK_FORM_T)
    if event.venue == "dark":
        return Print(moment, price, event.size, DARK_VENUE, conditions, event.trf_id or DEFAULT_TRF, event.id)
    return Print(moment, price, event.size, event.exchange or DEFAULT_LIT_VENUE, conditions, NO_TRF, event.id)
