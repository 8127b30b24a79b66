"""The scenario file: one synthetic US session, what trades in it, and who may ask.

The pydantic models below are the format (docs/scenarios.md prints their JSON Schema). A file
is checked completely on load, and every problem is reported with the field it is in, e.g.
`events[3] (option_flow 'spy-sweep').size: Input should be greater than 0`.

Times of day are New York times (`"10:15"` or `"10:15:30"`); the session date must be an NYSE
trading day.
"""

from __future__ import annotations

import json
from collections import Counter
from datetime import date, datetime, time
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from bot.market.calendar import ET, MarketCalendar, OutsideCalendar

Endpoint = Literal[
    "options_chain",
    "option_contract",
    "trades",
    "quotes",
    "aggregates",
    "stock_snapshot",
    "stock_snapshots",
    "conditions",
    "exchanges",
    "market_status",
]
ENDPOINTS: tuple[str, ...] = Endpoint.__args__  # type: ignore[attr-defined]
PlanName = Literal["starter", "developer", "advanced", "options_advanced"]
Scanner = Literal["flow", "sweeps", "golden_sweeps", "bullseye", "scalps", "darkpool", "breakouts"]
FaultKind = Literal["http_500", "http_502", "slow", "malformed_json", "looping_cursor"]
FAULT_KINDS: tuple[str, ...] = FaultKind.__args__  # type: ignore[attr-defined]

PRE_MARKET_OPENS = time(4, 0)
POST_MARKET_CLOSES = time(20, 0)


class ScenarioError(ValueError):
    """A scenario that cannot be used; the message names each bad field."""


def _repeated(values: Any) -> list[Any]:
    return sorted(value for value, count in Counter(values).items() if count > 1)


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Waypoint(_Model):
    """A scripted point of the underlying's price path: the price at `time`, given either as a
    price or as a change from the previous close. Between waypoints the path wanders."""

    time: time
    price: float | None = Field(None, gt=0)
    change_pct: float | None = Field(None, gt=-90, lt=900)

    @model_validator(mode="after")
    def _one_level(self) -> Waypoint:
        if (self.price is None) == (self.change_pct is None):
            raise ValueError("give exactly one of price or change_pct")
        return self


class UnderlyingSpec(_Model):
    symbol: str = Field(pattern=r"^[A-Z]{1,5}$", description="the stock or ETF ticker")
    price: float = Field(gt=0, description="the previous session's close")
    volatility: float = Field(0.25, ge=0.02, le=3.0, description="annualised; drives the path and ATM IV")
    strike_step: float | None = Field(
        None, gt=0, description="distance between listed strikes; by default from the price"
    )
    strikes_each_side: int = Field(15, ge=1, le=200, description="strikes listed above and below spot")
    expirations: Literal["daily", "weekly"] = Field(
        "weekly",
        description="daily: every session (0DTE each day, like SPY/QQQ); weekly: Fridays and "
        "monthlies (third Friday), moved to the trading day before a holiday",
    )
    weekly_days: int = Field(42, ge=0, le=400, description="weeklies are listed this many days out")
    max_days: int = Field(60, ge=0, le=800, description="the farthest expiration, in calendar days")
    avg_daily_volume: int = Field(5_000_000, ge=1_000, description="shares on a normal day")
    tape: Literal[1, 2, 3] = Field(3, description="SIP tape: 1 NYSE, 2 Arca/American, 3 Nasdaq")
    trend: float = Field(0.0, ge=-3.0, le=3.0, description="annualised drift of the daily history")
    open_gap_pct: float = Field(0.0, ge=-50, le=50, description="today's open against the previous close")
    path: list[Waypoint] = Field(default_factory=list, description="scripted intraday prices")
    option_activity: float = Field(1.0, ge=0, description="scales background option trading")
    open_interest_scale: int = Field(3000, ge=1, description="typical open interest at the money")
    seed: int | None = Field(
        None, description="seeds this symbol's history, path and trading; default the scenario's"
    )


class ContractRef(_Model):
    """Which listed contract: an expiration (by date or by days to expiry) and a strike (by
    price, or by listed strikes away from the one nearest spot at the event's time)."""

    type: Literal["call", "put"]
    expiration: date | None = None
    dte: int | None = Field(None, ge=0)
    strike: float | None = Field(None, gt=0)
    strike_offset: int | None = None

    @model_validator(mode="after")
    def _one_each(self) -> ContractRef:
        if (self.expiration is None) == (self.dte is None):
            raise ValueError("give exactly one of expiration or dte")
        if (self.strike is None) == (self.strike_offset is None):
            raise ValueError("give exactly one of strike or strike_offset")
        return self


_STYLE_PRINTS = {"block": (1, 1, 1), "sweep": (2, 4, 16), "split": (2, 3, 50)}  # min, default, max


class _Event(_Model):
    id: str = Field(min_length=1)
    time: time
    symbol: str
    note: str = ""
    expect: list[Scanner] | None = Field(
        None,
        description="the scanners the author means this event to reach ([] for a decoy); the "
        "tests hold the ground truth to it",
    )


class OptionFlowEvent(_Event):
    """A planted options order: `size` contracts printed as one block, a split (several prints
    on one exchange) or a sweep (one print on each of several exchanges), all within a second."""

    kind: Literal["option_flow"]
    contract: ContractRef
    size: int = Field(gt=0, le=1_000_000)
    side: Literal["buy", "sell", "mid"] = Field("buy", description="at the ask, at the bid, or mid")
    price: float | None = Field(None, gt=0, description="overrides the price the side would give")
    style: Literal["block", "split", "sweep"] = "block"
    prints: int | None = Field(None, ge=1, description="number of prints; default block 1, split 3, sweep 4")
    multi_leg: bool = Field(False, description="printed with a multi-leg condition: a decoy scanners ignore")
    open_interest: int | None = Field(None, ge=1, description="pins the contract's open interest for the day")

    @model_validator(mode="after")
    def _prints_fit_style(self) -> OptionFlowEvent:
        low, _, high = _STYLE_PRINTS[self.style]
        if self.prints is not None and not low <= self.prints <= high:
            raise ValueError(f"a {self.style} has {low}..{high} prints, not {self.prints}")
        if self.print_count > self.size:
            raise ValueError(f"{self.print_count} prints cannot carry {self.size} contracts")
        return self

    @property
    def print_count(self) -> int:
        return self.prints if self.prints is not None else _STYLE_PRINTS[self.style][1]


class StockPrintEvent(_Event):
    """A planted stock print: dark (FINRA TRF, exchange 4 with a `trf_id`) or lit."""

    kind: Literal["stock_print"]
    size: int = Field(gt=0)
    price: float | None = Field(None, gt=0, description="default: the path's price at that moment")
    venue: Literal["dark", "lit"] = "dark"
    exchange: int | None = Field(None, ge=1, le=21, description="lit venue id (default 11); dark is always 4")
    trf_id: int | None = Field(None, ge=201, le=203, description="dark only; default 202")
    conditions: list[int] = Field(default_factory=list)

    @model_validator(mode="after")
    def _venue_fields(self) -> StockPrintEvent:
        if self.venue == "lit" and self.trf_id is not None:
            raise ValueError("a lit print has no trf_id")
        if self.venue == "dark" and self.exchange not in (None, 4):
            raise ValueError("a dark print is reported on exchange 4")
        return self


class BreakoutEvent(_Event):
    """The underlying moves through its 20-session high (up) or low (down) at `time`, reaching
    `beyond_pct` past the level, on a session whose volume runs at `relative_volume` times
    normal. Before `time` it stays inside the range; after, within 0.8-1.2x of `beyond_pct`."""

    kind: Literal["breakout"]
    direction: Literal["up", "down"] = "up"
    beyond_pct: float = Field(gt=0, le=20)
    relative_volume: float = Field(2.5, gt=0, le=20)


Event = Annotated[OptionFlowEvent | StockPrintEvent | BreakoutEvent, Field(discriminator="kind")]


class BackgroundSpec(_Model):
    """Seeded small trading everywhere, so volume moves without anything alert-worthy."""

    option_trades_per_day: float = Field(
        12.0, ge=0, description="expected prints a day of the busiest (front, at-the-money) contract"
    )
    option_max_premium: float = Field(
        1_800.0, gt=0, description="most premium one contract's background trades in any window"
    )
    option_window_minutes: int = Field(15, ge=1)
    quiet_minutes: int = Field(
        15, ge=0, description="no background prints on a planted contract this close to its prints"
    )
    stock_trades_per_minute: float = Field(12.0, ge=0)
    dark_share: float = Field(0.35, ge=0, le=1, description="share of stock prints reported to a TRF")
    dark_max_size: int = Field(5_000, ge=1, description="largest background dark print, in shares")


class ApiKeySpec(_Model):
    key: str = Field(min_length=1)
    plan: PlanName = Field(
        "advanced",
        description="starter: 15-minute delayed, no trades or quotes; developer: delayed, trades; "
        "advanced: real-time, trades and quotes; options_advanced: advanced for options only, no stock data",
    )
    requests_per_second: float | None = Field(
        None, gt=0, description="answer 429 above this; none = unlimited"
    )
    burst: int | None = Field(
        None, ge=1, description="requests allowed back to back; default one second's worth"
    )


class AccessSpec(_Model):
    keys: list[ApiKeySpec] = Field(default_factory=lambda: [ApiKeySpec(key="orakl-sim")], min_length=1)

    @model_validator(mode="after")
    def _unique_keys(self) -> AccessSpec:
        repeated = _repeated(spec.key for spec in self.keys)
        if repeated:
            raise ValueError(f"keys: {repeated} listed twice")
        return self


class FaultSpec(_Model):
    """An injected failure: matching requests (after the first `after`) get it, `count` times
    (null: every one from then on)."""

    kind: FaultKind
    endpoint: Endpoint | Literal["*"] = "*"
    after: int = Field(0, ge=0)
    count: int | None = Field(1, ge=1)
    delay_seconds: float = Field(30.0, gt=0, le=600, description="slow only: wall-clock seconds held")


class Scenario(_Model):
    name: str = Field(min_length=1)
    description: str = ""
    session_date: date
    seed: int = 0
    start_time: time = Field(time(9, 25), description="where the clock starts, ET")
    history_sessions: int = Field(150, ge=60, le=1000, description="daily and minute bars before today")
    underlyings: list[UnderlyingSpec] = Field(min_length=1)
    events: list[Event] = Field(default_factory=list)
    background: BackgroundSpec = BackgroundSpec()
    access: AccessSpec = AccessSpec()
    faults: list[FaultSpec] = Field(default_factory=list)

    @model_validator(mode="after")
    def _consistent(self) -> Scenario:
        problems = [*self._calendar_problems(), *self._reference_problems()]
        if problems:
            # One line per problem, each already naming its field (see `parse_scenario`).
            raise ValueError("\n".join(problems))
        return self

    def _calendar_problems(self) -> list[str]:
        calendar = MarketCalendar()
        try:
            session = calendar.session(self.session_date)
        except OutsideCalendar as error:
            return [f"session_date: {error}"]
        if session is None:
            return [f"session_date: {self.session_date} is not an NYSE trading day"]
        opens, closes = session.open.time(), session.close.time()
        problems: list[str] = []
        for u, spec in enumerate(self.underlyings):
            times = [point.time for point in spec.path]
            if times != sorted(set(times)):
                problems.append(f"underlyings[{u}].path: times must increase")
            for p, point in enumerate(spec.path):
                if not opens <= point.time <= closes:
                    problems.append(
                        f"underlyings[{u}].path[{p}].time: {point.time} is outside the session "
                        f"({opens:%H:%M}-{closes:%H:%M} ET)"
                    )
        for e, event in enumerate(self.events):
            # Options and the intraday path live in the regular session; stock prints may be
            # extended-hours (issue 5: tagged, not dropped).
            low, high = (
                (PRE_MARKET_OPENS, POST_MARKET_CLOSES) if event.kind == "stock_print" else (opens, closes)
            )
            if not low <= event.time < high:
                problems.append(
                    f"events[{e}].time: {event.time} is outside {low:%H:%M}-{high:%H:%M} ET for a {event.kind}"
                )
        return problems

    def _reference_problems(self) -> list[str]:
        problems: list[str] = []
        repeated = _repeated(spec.symbol for spec in self.underlyings)
        if repeated:
            problems.append(f"underlyings: {repeated} listed twice")
        repeated = _repeated(event.id for event in self.events)
        if repeated:
            problems.append(f"events: ids {repeated} used twice")
        symbols = {spec.symbol for spec in self.underlyings}
        breakouts: set[str] = set()
        pinned: dict[tuple[str, Any], int] = {}
        for e, event in enumerate(self.events):
            if event.symbol not in symbols:
                problems.append(f"events[{e}].symbol: {event.symbol!r} is not one of the underlyings")
            if isinstance(event, BreakoutEvent):
                if event.symbol in breakouts:
                    problems.append(f"events[{e}].symbol: {event.symbol} already has a breakout")
                breakouts.add(event.symbol)
            if isinstance(event, OptionFlowEvent) and event.open_interest is not None:
                where = (event.symbol, event.contract)
                if pinned.setdefault(where, event.open_interest) != event.open_interest:
                    problems.append(
                        f"events[{e}].open_interest: another event pins this contract differently"
                    )
        return problems

    @property
    def session_start(self) -> datetime:
        """The clock's starting moment (timezone-aware, ET)."""
        return datetime.combine(self.session_date, self.start_time, tzinfo=ET)


def parse_scenario(text: str | bytes, source: str = "scenario") -> Scenario:
    try:
        raw = json.loads(text)
    except json.JSONDecodeError as error:
        raise ScenarioError(f"{source}: not JSON ({error})") from None
    try:
        return Scenario.model_validate(raw)
    except ValidationError as error:
        lines = [line for issue in error.errors() for line in _lines(issue, raw)]
        raise ScenarioError(
            f"{source} is not a valid scenario:\n" + "\n".join(f"  {line}" for line in lines)
        ) from None


def load_scenario(path: Path | str) -> Scenario:
    path = Path(path)
    try:
        text = path.read_bytes()
    except OSError as error:
        raise ScenarioError(f"cannot read scenario {path}: {error.strerror}") from None
    return parse_scenario(text, str(path))


def _lines(issue: Any, raw: Any) -> list[str]:
    message = str(issue["msg"]).removeprefix("Value error, ")
    if not issue["loc"]:  # cross-field checks name their own fields
        return message.splitlines()
    return [f"{_where(issue['loc'], raw)}: {message}"]


def _where(loc: tuple[Any, ...], raw: Any) -> str:
    """`events[3] (option_flow 'spy-sweep').size` from pydantic's location tuple; the union
    tag pydantic inserts after an event's index becomes the label with the event's id."""
    text = ""
    node = raw
    parts = list(loc)
    while parts:
        part = parts.pop(0)
        if isinstance(part, int):
            text += f"[{part}]"
            node = node[part] if isinstance(node, list) and part < len(node) else None
            if isinstance(node, dict) and parts and parts[0] == node.get("kind"):
                parts.pop(0)
                text += f" ({node['kind']} {node.get('id')!r})"
        else:
            text += f".{part}" if text else str(part)
            node = node.get(part) if isinstance(node, dict) else None
    return text
