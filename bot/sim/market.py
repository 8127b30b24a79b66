"""The synthetic market of one scenario: every underlying's history, price path, chain and
tapes, built lazily and deterministically.

Nothing here knows about HTTP. Each underlying is a `Book` whose parts (the path, the
options side, the stock side) are built on first use under a lock, so the server can build a
heavy part in a worker thread while the event loop keeps serving, and two requests never
build the same part twice. Every part depends only on the scenario and the underlying's seed
(its own `seed`, or the scenario's).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from datetime import timedelta
from typing import Any, Literal, TypeVar

from bot.market.calendar import MarketCalendar
from bot.sim.background import (
    SessionSampler,
    option_prints,
    quiet_windows,
    stock_prints,
)
from bot.sim.bars import Bar, daily_history, day_volume_factor, historic_minutes
from bot.sim.chains import (
    Chain,
    Contract,
    build_chain,
    listed_expirations,
    listed_strikes,
)
from bot.sim.paths import BreakoutPin, PricePath, build_path
from bot.sim.planted import PlantedFlow, flow_ticker, plant_flow, plant_stock_print
from bot.sim.scenario import (
    BreakoutEvent,
    OptionFlowEvent,
    Scenario,
    ScenarioError,
    StockPrintEvent,
    UnderlyingSpec,
)
from bot.sim.seeding import poisson, stable_int, stream, unit
from bot.sim.session import SessionTimes
from bot.sim.tape import Print, Tape

T = TypeVar("T")
Part = Literal["options", "stock"]
BREAKOUT_LOOKBACK = 20
MINUTE_CACHE_DAYS = 2048  # historical sessions of 1-minute bars kept, across all symbols
OCC_SUFFIX = 15  # YYMMDD + C/P + 8-digit strike
_BACKGROUND_SALT = 0x6261636B  # keeps the count draw apart from the quote-noise draws


class Book:
    """One underlying: its stock and its options."""

    def __init__(self, market: Market, spec: UnderlyingSpec) -> None:
        self.market = market
        self.spec = spec
        self.symbol = spec.symbol
        self.seed = seed = spec.seed if spec.seed is not None else market.scenario.seed
        events = [
            (index, event)
            for index, event in enumerate(market.scenario.events)
            if event.symbol == spec.symbol
        ]
        self.flow_events = [(index, event) for index, event in events if isinstance(event, OptionFlowEvent)]
        self.print_events = [event for _, event in events if isinstance(event, StockPrintEvent)]
        self.breakout = next((event for _, event in events if isinstance(event, BreakoutEvent)), None)
        self.history: list[Bar] = daily_history(spec, market.history_days, seed)
        self.breakout_pin = self._pin(self.breakout)
        self.quote_key = stable_int(seed, spec.symbol, "stock-quotes")
        self._lock = threading.RLock()
        self._parts: dict[str, Any] = {}
        # Each contract's fair value at the previous close never changes during the session;
        # computing it once instead of on every page is a third of a chain page's cost.
        self.previous_closes: dict[str, float] = {}

    def _pin(self, event: BreakoutEvent | None) -> BreakoutPin | None:
        if event is None:
            return None
        recent = self.history[-BREAKOUT_LOOKBACK:]
        level = max(bar.high for bar in recent) if event.direction == "up" else min(bar.low for bar in recent)
        return BreakoutPin(
            level, self.market.session.second_of(event.time), event.direction, event.beyond_pct
        )

    def _once(self, name: str, build: Callable[[], T]) -> T:
        found = self._parts.get(name)
        if found is None:
            with self._lock:
                found = self._parts.get(name)
                if found is None:
                    found = self._parts[name] = build()
        return found  # type: ignore[no-any-return]

    def is_built(self, part: Part) -> bool:
        return ("option_tape" if part == "options" else "stock_tape") in self._parts

    def build(self, part: Part) -> None:
        if part == "options":
            self.option_tape  # noqa: B018 - built for its side effect
        else:
            self.stock_tape  # noqa: B018

    @property
    def path(self) -> PricePath:
        return self._once(
            "path", lambda: build_path(self.spec, self.market.session, self.seed, self.breakout_pin)
        )

    @property
    def previous_close(self) -> float:
        return self.history[-1].close

    @property
    def flow_tickers(self) -> dict[str, str]:
        """Planted flow id -> the OCC ticker it trades (a contract that is not listed is a
        scenario error)."""
        return self._once("flow_tickers", self._resolve_flows)

    def _resolve_flows(self) -> dict[str, str]:
        market = self.market
        expirations = listed_expirations(self.spec, market.session.day, market.calendar)
        strikes = listed_strikes(self.spec)
        return {
            event.id: flow_ticker(
                event,
                index,
                expirations,
                strikes,
                self.path.at(market.session.at(event.time)),
                market.session.day,
            )
            for index, event in self.flow_events
        }

    @property
    def chain(self) -> Chain:
        return self._once("chain", self._build_chain)

    def _build_chain(self) -> Chain:
        pins = {
            self.flow_tickers[event.id]: event.open_interest
            for _, event in self.flow_events
            if event.open_interest is not None
        }
        market = self.market
        return build_chain(self.spec, market.session.day, market.calendar, self.seed, pins)

    @property
    def flows(self) -> list[PlantedFlow]:
        return self._once("flows", self._plant_flows)

    def _plant_flows(self) -> list[PlantedFlow]:
        chain, session = self.chain, self.market.session
        return [
            plant_flow(event, chain.by_ticker[self.flow_tickers[event.id]], self.path, session, self.seed)
            for _, event in self.flow_events
        ]

    @property
    def option_tape(self) -> Tape:
        return self._once("option_tape", self._build_option_tape)

    def _build_option_tape(self) -> Tape:
        market = self.market
        background = market.scenario.background
        planted: dict[str, list[Print]] = {}
        for flow in self.flows:
            planted.setdefault(flow.contract.ticker, []).extend(flow.prints)
        rate = background.option_trades_per_day * self.spec.option_activity
        tape = Tape()
        for contract in self.chain.contracts:
            own = planted.get(contract.ticker, [])
            count = poisson(unit(contract.noise_key ^ _BACKGROUND_SALT), rate * contract.activity)
            noise: list[Print] = []
            if count:  # most far contracts never trade: no stream is built for them
                rng = stream(self.seed, contract.ticker, "background")
                quiet = quiet_windows(own, background.quiet_minutes)
                noise = option_prints(contract, count, self.path, market.sampler, background, quiet, rng)
            tape.add(contract.ticker, [*noise, *own])
        return tape

    @property
    def day_volume(self) -> float:
        """Expected shares today: an ordinary day's luck, or on a breakout day exactly its
        relative volume times the recent average, so the scenario controls the surge."""
        if self.breakout is not None:
            recent = self.history[-BREAKOUT_LOOKBACK:]
            return self.breakout.relative_volume * sum(bar.volume for bar in recent) / len(recent)
        return self.spec.avg_daily_volume * day_volume_factor(self.seed, self.symbol, self.market.session.day)

    @property
    def stock_tape(self) -> Tape:
        return self._once("stock_tape", self._build_stock_tape)

    def _build_stock_tape(self) -> Tape:
        market = self.market
        rng = stream(self.seed, self.symbol, "stock-background")
        noise = stock_prints(
            self.path, self.quote_key, market.sampler, self.day_volume, market.scenario.background, rng
        )
        planted = [plant_stock_print(event, self.path, market.session) for event in self.print_events]
        tape = Tape()
        tape.add(self.symbol, [*noise, *planted])
        return tape

    def contract(self, ticker: str) -> Contract | None:
        return self.chain.by_ticker.get(ticker)


class Market:
    def __init__(self, scenario: Scenario, calendar: MarketCalendar | None = None) -> None:
        self.scenario = scenario
        self.calendar = calendar or MarketCalendar()
        self.session = SessionTimes.of(scenario.session_date, self.calendar)
        self.history_days = self._history_days()
        self.sampler = SessionSampler(self.session)
        self.books = {spec.symbol: Book(self, spec) for spec in scenario.underlyings}
        self._minutes: OrderedDict[tuple[str, int], list[Bar]] = OrderedDict()
        self._minutes_lock = threading.Lock()
        for book in self.books.values():
            book.flow_tickers  # noqa: B018 - a planted contract that is not listed fails now, not mid-replay

    def _history_days(self) -> list[SessionTimes]:
        wanted = self.scenario.history_sessions
        last = self.calendar.previous_session(self.scenario.session_date)
        first = last - timedelta(days=wanted * 7 // 4 + 30)
        try:
            days = self.calendar.sessions_between(first, last)[-wanted:]
        except ValueError as error:
            raise ScenarioError(f"history_sessions: {error}") from None
        if len(days) < wanted:
            raise ScenarioError(
                f"history_sessions: the calendar has only {len(days)} sessions before the session"
            )
        return [SessionTimes.of(day, self.calendar) for day in days]

    def book(self, symbol: str) -> Book | None:
        return self.books.get(symbol)

    def option_book(self, ticker: str) -> Book | None:
        """The book an OCC ticker (`O:SPY251219C00600000`) belongs to, read from its root
        alone, so nothing is built to answer."""
        if not ticker.startswith("O:") or len(ticker) <= 2 + OCC_SUFFIX:
            return None
        return self.books.get(ticker[2:-OCC_SUFFIX])

    def option(self, ticker: str) -> tuple[Book, Contract] | None:
        """The book and listed contract of an OCC ticker (builds the chain if need be)."""
        book = self.option_book(ticker)
        contract = book.contract(ticker) if book else None
        return (book, contract) if book and contract else None

    def minutes(self, book: Book, day_index: int) -> list[Bar]:
        """1-minute bars of the `day_index`-th historical session, cached (least recently used
        first out) because relative volume asks for twenty days of them, often."""
        key = (book.symbol, day_index)
        with self._minutes_lock:
            found = self._minutes.get(key)
            if found is not None:
                self._minutes.move_to_end(key)
                return found
        bars = historic_minutes(book.spec, self.history_days[day_index], book.history[day_index], book.seed)
        with self._minutes_lock:
            self._minutes[key] = bars
            while len(self._minutes) > MINUTE_CACHE_DAYS:
                self._minutes.popitem(last=False)
        return bars
