"""Ground truth: for each planted event, what a correct scanner should report.

It is computed from the same prints, paths and bars the simulator serves, judged against the
scanners' default settings (`bot.config.ScannersSettings`), and never served over HTTP. Each
entry says which scanners should alert (`scanners`), `expected` ("alert" or "ignored") and,
per scanner, the check that decided it (`checks`), so a failing replay says why.

The scalps chart rule (a Strat combo and RSI(14) on closed 5-minute candles) is read with the
product's own `bot.analytics.ta` on the simulator's 1-minute bars of the session so far and
the session before, at the moment of the order.
"""

from __future__ import annotations

from datetime import UTC, datetime
from statistics import fmean
from typing import Literal

from pydantic import BaseModel, ConfigDict

from bot.analytics import ta
from bot.analytics.greeks import prob_itm
from bot.config import ScannersSettings
from bot.market.calendar import ET
from bot.market.clock import from_epoch_ns
from bot.sim.bars import Bar, minute_bars
from bot.sim.market import Book, Market
from bot.sim.planted import PlantedFlow
from bot.sim.reference import CONDITION_NAMES, DARK_VENUE
from bot.sim.scenario import BreakoutEvent, StockPrintEvent
from bot.sim.session import NS_PER_MINUTE, NS_PER_MS
from bot.sim.tape import NO_TRF

Expected = Literal["alert", "ignored"]
# Stock conditions the darkpool scanner drops: prices set away from the market (issue 5).
DARKPOOL_EXCLUDED = frozenset({2, 7, 10, 20, 21, 22, 29, 52, 53})
SMA_SHORT, SMA_LONG = 20, 50
CANDLE_MINUTES = 5


class _Truth(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: str
    time: str  # ISO 8601 in New York time
    timestamp_ns: int
    symbol: str
    scanners: list[str]
    expected: Expected
    checks: dict[str, str]
    note: str = ""


class OptionFlowTruth(_Truth):
    kind: Literal["option_flow"] = "option_flow"
    contract: str
    contract_type: str
    strike: float
    expiration: str
    dte: int
    size: int
    premium: float  # sum of price x size x 100 over the prints
    average_price: float
    style: str
    prints: int
    exchanges: list[int]
    side: str
    sentiment: str
    multi_leg: bool
    spot: float
    strike_distance_pct: float
    delta: float
    implied_volatility: float
    prob_itm: float
    open_interest: int
    day_volume: int  # the contract's volume once the order has printed
    volume_oi_ratio: float


class StockPrintTruth(_Truth):
    kind: Literal["stock_print"] = "stock_print"
    trade_id: str
    size: int
    price: float
    notional: float
    venue: str
    exchange: int
    trf_id: int | None
    conditions: list[int]
    extended_hours: bool


class BreakoutTruth(_Truth):
    kind: Literal["breakout"] = "breakout"
    direction: str
    level: float
    price: float
    beyond_pct: float
    relative_volume: float
    sma20: float


TruthEntry = OptionFlowTruth | StockPrintTruth | BreakoutTruth


def _et(moment_ns: int) -> str:
    return from_epoch_ns(moment_ns).astimezone(ET).isoformat()


def _check(ok: bool, yes: str, no: str) -> str:
    return f"yes: {yes}" if ok else f"no: {no}"


def _within(value: float, low: float, high: float) -> bool:
    return low <= value <= high


def _decided(checks: dict[str, str]) -> tuple[list[str], Expected]:
    scanners = [name for name, verdict in checks.items() if verdict.startswith("yes")]
    return scanners, "alert" if scanners else "ignored"


def build_truth(market: Market) -> list[TruthEntry]:
    settings = ScannersSettings()
    entries: list[TruthEntry] = []
    for book in market.books.values():
        entries.extend(_flow_truths(book, settings))
        entries.extend(_print_truth(book, event, settings) for event in book.print_events)
        if book.breakout is not None:
            entries.append(_breakout_truth(book, book.breakout, settings))
    order = {event.id: index for index, event in enumerate(market.scenario.events)}
    return sorted(entries, key=lambda entry: (entry.timestamp_ns, order[entry.id]))


# --- options ------------------------------------------------------------------------------


def _sentiment(kind: str, side: str) -> str:
    if side == "mid":
        return "neutral"
    return "bullish" if (kind == "call") == (side == "buy") else "bearish"


def _flow_truths(book: Book, settings: ScannersSettings) -> list[OptionFlowTruth]:
    if not book.flow_events:
        return []  # no tape to build for an underlying nothing was planted on
    tape = book.option_tape
    entries = []
    for flow in book.flows:
        day = tape.day(flow.contract.ticker, flow.prints[-1].ts)
        assert day is not None  # the order's own prints are on the tape
        entries.append(_flow_truth(book, flow, day.volume, settings))
    verdicts = _repeat_flow_verdicts(entries, settings)
    return [
        _with_check(entry, "flow", verdicts[entry.id]) if entry.id in verdicts else entry for entry in entries
    ]


def _with_check(entry: OptionFlowTruth, scanner: str, verdict: str) -> OptionFlowTruth:
    checks = {**entry.checks, scanner: verdict}
    scanners, expected = _decided(checks)
    return entry.model_copy(update={"checks": checks, "scanners": scanners, "expected": expected})


def _flow_truth(
    book: Book, flow: PlantedFlow, day_volume: int, settings: ScannersSettings
) -> OptionFlowTruth:
    event, contract = flow.event, flow.contract
    moment = flow.prints[0].ts
    spot = flow.spot
    distance = abs(contract.strike / spot - 1.0)
    probability = prob_itm(spot, contract.strike, contract.years_left(moment), contract.iv, contract.kind)
    sentiment = _sentiment(contract.kind, event.side)
    ratio = day_volume / contract.open_interest
    premium, dte, delta = flow.premium, contract.dte, flow.greeks.delta
    checks: dict[str, str] = {}
    if event.multi_leg:
        reason = "multi-leg prints (condition 232) are a spread's leg, not directional flow"
        checks = {name: f"no: {reason}" for name in ("flow", "sweeps", "golden_sweeps", "bullseye", "scalps")}
    else:
        s = settings  # "flow" is decided across the contract's events, in `_repeat_flow_verdicts`
        checks["sweeps"] = _options_check(
            premium, dte, s.sweeps.min_premium, s.sweeps.min_dte, s.sweeps.max_dte
        )
        checks["golden_sweeps"] = _options_check(
            premium, dte, s.golden_sweeps.min_premium, s.golden_sweeps.min_dte, s.golden_sweeps.max_dte,
            (f"strike {distance:.1%} from spot (max {s.golden_sweeps.max_strike_distance:.0%})",
             distance <= s.golden_sweeps.max_strike_distance),
        )  # fmt: skip
        momentum = _momentum(book, spot, sentiment)
        checks["bullseye"] = _options_check(
            premium, dte, s.bullseye.min_premium, s.bullseye.min_dte, s.bullseye.max_dte,
            (f"|delta| {abs(delta):.2f} (range {s.bullseye.min_abs_delta:.2f}-{s.bullseye.max_abs_delta:.2f})",
             _within(abs(delta), s.bullseye.min_abs_delta, s.bullseye.max_abs_delta)),
            (f"volume/OI {ratio:.2f} (min {s.bullseye.min_volume_oi_ratio:g})", ratio >= s.bullseye.min_volume_oi_ratio),
            momentum,
        )  # fmt: skip
        checks["scalps"] = _options_check(
            premium, dte, s.scalps.min_premium, s.scalps.min_dte, s.scalps.max_dte,
            (f"strike {distance:.1%} from spot (max {s.scalps.max_strike_distance:.0%})",
             distance <= s.scalps.max_strike_distance),
            _chart(book, moment, sentiment, s.scalps.rsi_low, s.scalps.rsi_high),
        )  # fmt: skip
    scanners, expected = _decided(checks)
    return OptionFlowTruth(
        id=event.id, time=_et(moment), timestamp_ns=moment, symbol=book.symbol, scanners=scanners,
        expected=expected, checks=checks, note=event.note, contract=contract.ticker,
        contract_type=contract.kind, strike=contract.strike, expiration=contract.expiration.isoformat(),
        dte=dte, size=flow.size, premium=premium, average_price=round(premium / flow.size / 100, 4),
        style=event.style, prints=len(flow.prints), exchanges=list(flow.exchanges), side=event.side,
        sentiment=sentiment, multi_leg=event.multi_leg, spot=round(spot, 4),
        strike_distance_pct=round(distance * 100, 4), delta=round(delta, 6),
        implied_volatility=round(contract.iv, 6), prob_itm=round(probability, 6),
        open_interest=contract.open_interest, day_volume=day_volume, volume_oi_ratio=round(ratio, 4),
    )  # fmt: skip


def _options_check(
    premium: float, dte: int, min_premium: float, min_dte: int, max_dte: int, *rules: tuple[str, bool]
) -> str:
    failed = []
    if premium < min_premium:
        failed.append(f"premium ${premium:,.0f} (min ${min_premium:,.0f})")
    if not min_dte <= dte <= max_dte:
        failed.append(f"DTE {dte} (range {min_dte}-{max_dte})")
    failed.extend(text for text, ok in rules if not ok)
    passed = [f"premium ${premium:,.0f}", f"DTE {dte}", *(text for text, ok in rules if ok)]
    return _check(not failed, "; ".join(passed), "; ".join(failed))


def _momentum(book: Book, spot: float, sentiment: str) -> tuple[str, bool]:
    closes = [bar.close for bar in book.history]
    short, long = fmean(closes[-SMA_SHORT:]), fmean(closes[-SMA_LONG:])
    text = f"for {sentiment}: SMA20 {short:.2f} vs SMA50 {long:.2f}, spot {spot:.2f}"
    if sentiment == "bullish":
        return f"momentum {text}", short > long and spot > short
    if sentiment == "bearish":
        return f"momentum {text}", short < long and spot < short
    return "momentum: a mid-priced order has no direction", False


def _chart(book: Book, moment_ns: int, sentiment: str, rsi_low: float, rsi_high: float) -> tuple[str, bool]:
    """Strat combo and RSI(14) on the 5-minute candles closed at `moment_ns`."""
    if sentiment == "neutral":
        return "chart: a mid-priced order has no direction", False
    market = book.market
    bars: list[Bar] = [
        *market.minutes(book, len(market.history_days) - 1),
        *minute_bars(book.stock_tape, book.symbol, moment_ns),
    ]
    closed_by = from_epoch_ns(moment_ns)
    candles = ta.resample(
        [
            (
                datetime.fromtimestamp(bar.t_ms / 1000, tz=UTC),
                bar.open,
                bar.high,
                bar.low,
                bar.close,
                bar.volume,
            )
            for bar in bars
        ],
        CANDLE_MINUTES,
        closed_by=closed_by,
    )
    signal = ta.strat_combo(candles)
    rsi = ta.rsi([candle.close for candle in candles])[-1] if candles else None
    direction = "bullish" if sentiment == "bullish" else "bearish"
    strat_ok = signal is not None and signal.direction == direction
    rsi_ok = (
        rsi is not None and rsi_low <= rsi <= rsi_high and (rsi > 50 if direction == "bullish" else rsi < 50)
    )
    pattern = signal.pattern + " " + signal.direction if signal else "no Strat combo"
    rsi_text = f"RSI {rsi:.1f}" if rsi is not None else "no RSI"
    return f"chart: {pattern}, {rsi_text}", strat_ok and rsi_ok


def _repeat_flow_verdicts(entries: list[OptionFlowTruth], settings: ScannersSettings) -> dict[str, str]:
    """ORAKL Flow alerts on a contract's `repeat_hits`-th qualifying hit within the window."""
    flow = settings.flow
    window_ns = flow.repeat_window_minutes * NS_PER_MINUTE
    hits: dict[str, list[int]] = {}
    verdicts: dict[str, str] = {}
    for entry in sorted(entries, key=lambda item: item.timestamp_ns):
        if entry.multi_leg:
            continue
        if not (
            entry.premium >= flow.min_premium
            and flow.min_dte <= entry.dte <= flow.max_dte
            and entry.prob_itm >= flow.min_prob_itm
        ):
            verdicts[entry.id] = (
                f"no: each hit needs premium >= ${flow.min_premium:,.0f}, DTE {flow.min_dte}-{flow.max_dte} "
                f"and prob ITM >= {flow.min_prob_itm:.0%} (this: ${entry.premium:,.0f}, DTE {entry.dte}, "
                f"{entry.prob_itm:.0%})"
            )
            continue
        window = f"within {flow.repeat_window_minutes} min"
        recent = [
            moment for moment in hits.get(entry.contract, []) if moment > entry.timestamp_ns - window_ns
        ]
        recent.append(entry.timestamp_ns)
        hits[entry.contract] = recent
        count = len(recent)
        verdicts[entry.id] = _check(
            count >= flow.repeat_hits,
            f"hit {count} on {entry.contract} {window}",
            f"hit {count} of {flow.repeat_hits} on {entry.contract} {window}",
        )
    return verdicts


# --- stocks -------------------------------------------------------------------------------


def _print_truth(book: Book, event: StockPrintEvent, settings: ScannersSettings) -> StockPrintTruth:
    tape = book.stock_tape
    index = tape.tagged[event.id][0]
    size, price = tape.size[index], tape.price[index]
    conditions = list(tape.conditions(index))
    notional = round(price * size, 2)
    moment = tape.ts[index]
    session = book.market.session
    extended = not session.open_ns <= moment < session.close_ns
    dark = tape.exchange[index] == DARK_VENUE and tape.trf_id[index] != NO_TRF
    excluded = [code for code in conditions if code in DARKPOOL_EXCLUDED]
    rules = settings.darkpool
    if not dark:
        verdict = f"no: lit print on exchange {tape.exchange[index]}, not off-exchange"
    elif excluded:
        names = ", ".join(f"{code} ({CONDITION_NAMES.get(code, '?')})" for code in excluded)
        verdict = f"no: condition {names} prints away from the market"
    elif size < rules.min_shares or notional < rules.min_notional:
        floor = f"{rules.min_shares:,} shares and ${rules.min_notional:,.0f}"
        verdict = f"no: {size:,} shares / ${notional:,.0f} below {floor}"
    else:
        verdict = f"yes: {size:,} shares, ${notional:,.0f} off-exchange" + (
            " (extended hours)" if extended else ""
        )
    checks = {"darkpool": verdict}
    scanners, expected = _decided(checks)
    return StockPrintTruth(
        id=event.id, time=_et(moment), timestamp_ns=moment, symbol=book.symbol, scanners=scanners,
        expected=expected, checks=checks, note=event.note, trade_id=str(tape.sequence(index, book.symbol)),
        size=size, price=price, notional=notional, venue=event.venue, exchange=tape.exchange[index],
        trf_id=tape.trf_id[index] if dark else None, conditions=conditions, extended_hours=extended,
    )  # fmt: skip


def _breakout_truth(book: Book, event: BreakoutEvent, settings: ScannersSettings) -> BreakoutTruth:
    pin = book.breakout_pin
    assert pin is not None
    market = book.market
    moment = market.session.at(event.time)
    price = book.path.at(moment)
    relative = _relative_volume(book, moment)
    sma20 = fmean(bar.close for bar in book.history[-SMA_SHORT:])
    rules = settings.breakouts
    right_side = price > sma20 if event.direction == "up" else price < sma20
    failed = []
    if event.beyond_pct < rules.min_break_pct:
        failed.append(f"{event.beyond_pct:g}% past the level < {rules.min_break_pct:g}%")
    if relative < rules.min_relative_volume:
        failed.append(f"relative volume {relative:.2f} < {rules.min_relative_volume:g}")
    if not right_side:
        failed.append(f"price {price:.2f} on the wrong side of SMA20 {sma20:.2f}")
    level_name = "20-session high" if event.direction == "up" else "20-session low"
    checks = {
        "breakouts": _check(
            not failed,
            f"{event.beyond_pct:g}% past the {level_name} {pin.level:.2f}, relative volume {relative:.2f}",
            "; ".join(failed),
        )
    }
    scanners, expected = _decided(checks)
    return BreakoutTruth(
        id=event.id, time=_et(moment), timestamp_ns=moment, symbol=book.symbol, scanners=scanners,
        expected=expected, checks=checks, note=event.note, direction=event.direction, level=pin.level,
        price=round(price, 4), beyond_pct=event.beyond_pct, relative_volume=round(relative, 4), sma20=round(sma20, 4),
    )  # fmt: skip


def _relative_volume(book: Book, moment_ns: int) -> float:
    """Today's volume to `moment_ns` against the average of the prior 20 sessions to the same
    time of day (from their 1-minute bars)."""
    market = book.market
    day = book.stock_tape.day(book.symbol, moment_ns)
    today = day.volume if day else 0
    elapsed = moment_ns - market.session.open_ns
    totals = []
    for index in range(len(market.history_days) - SMA_SHORT, len(market.history_days)):
        offset = market.history_days[index].open_ns // NS_PER_MS
        totals.append(
            sum(bar.volume for bar in market.minutes(book, index) if bar.t_ms - offset < elapsed // NS_PER_MS)
        )
    average = fmean(totals)
    return today / average if average else 0.0
