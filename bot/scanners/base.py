"""What every options scanner shares: reading its events, the tape, dedup, the Alert.

A scanner module decides only its own rules: which events are worth a look
(`select`, cheap, before any request) and whether a read event is an alert, with
what score (`evaluate`). Fetching, dedup and building the Alert happen here, once.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import ClassVar, Generic, Protocol, TypeVar

from bot.alerts.model import Alert, ContractType, DataDelay, Scanner, ScoreComponent, Status, Tag
from bot.analytics.greeks import MissingVolatility, prob_itm
from bot.analytics.tape import Style
from bot.config import OptionsScannerSettings
from bot.market.bars import BarsService
from bot.market.calendar import years_to_expiry
from bot.market.clock import Clock
from bot.market.events import FlowEvent
from bot.market.trade_reader import TapeReading, TradeReader
from bot.scanners.dedup import Decision, decide
from bot.store.dedup import DedupState
from bot.scanners.scoring import total

SettingsT = TypeVar("SettingsT", bound=OptionsScannerSettings)

STYLE_TAGS = {Style.SWEEP: Tag.SWEEP, Style.BLOCK: Tag.BLOCK, Style.SPLIT: Tag.SPLIT}
# The snapshot's VWAP-derived premium and the prints' own sum differ by rounding; an event a
# hair under the threshold on the snapshot may still clear it on its prints.
SNAPSHOT_PREMIUM_TOLERANCE = 0.99


class DedupStore(Protocol):
    async def get(self, scanner: str, key: str) -> DedupState | None: ...

    async def put(self, scanner: str, key: str, state: DedupState) -> None: ...


@dataclass
class ScanContext:
    clock: Clock
    trades: TradeReader
    bars: BarsService
    dedup: DedupStore


@dataclass(frozen=True)
class Finding:
    """A scanner's verdict on one event: its score and what else the alert should show."""

    components: list[ScoreComponent]
    tags: frozenset[Tag] = frozenset()
    extra: dict[str, object] = field(default_factory=dict)


@dataclass
class ScanReport:
    events: int = 0
    candidates: int = 0
    alerts: list[Alert] = field(default_factory=list)
    suppressed: int = 0


class OptionsScanner(ABC, Generic[SettingsT]):
    name: ClassVar[Scanner]

    @abstractmethod
    def select(self, event: FlowEvent, settings: SettingsT) -> bool:
        """Whether the snapshot event deserves a read of its prints (cheap: no request).

        Runs once per event in order, so a scanner may remember what it saw here.
        """

    @abstractmethod
    async def evaluate(
        self, event: FlowEvent, reading: TapeReading, settings: SettingsT, ctx: ScanContext
    ) -> Finding | None:
        """The scanner's own rules on an event whose prints were read; None: no alert."""

    async def run(self, events: Sequence[FlowEvent], settings: SettingsT, ctx: ScanContext) -> ScanReport:
        report = ScanReport(events=len(events))
        for event in events:
            if not (settings.enabled and in_dte_range(event, settings) and self.select(event, settings)):
                continue
            report.candidates += 1
            reading = await ctx.trades.read(event)
            if reading.premium < settings.min_premium:
                continue  # the prints that count fell short (cancelled, multi-leg, ...)
            finding = await self.evaluate(event, reading, settings, ctx)
            if finding is None or total(finding.components) < settings.min_score:
                continue
            now = ctx.clock.now()
            state = await ctx.dedup.get(self.name.value, event.contract)
            decision, state = decide(state, reading.premium, event.session, now)
            await ctx.dedup.put(self.name.value, event.contract, state)
            if decision is Decision.SUPPRESSED:
                report.suppressed += 1
                continue
            report.alerts.append(option_alert(self.name, event, reading, finding, decision, state, ctx.clock))
        return report


def in_dte_range(event: FlowEvent, settings: OptionsScannerSettings) -> bool:
    return settings.min_dte <= event.dte <= settings.max_dte


def big_enough(event: FlowEvent, settings: OptionsScannerSettings) -> bool:
    """Whether the event, with any part of an order a refresh cut off before it, is worth
    reading; what the prints then show decides."""
    return reaches_min_premium(event.premium + event.carried_premium, settings)


def reaches_min_premium(premium: float, settings: OptionsScannerSettings) -> bool:
    return premium >= settings.min_premium * SNAPSHOT_PREMIUM_TOLERANCE


def strike_within(event: FlowEvent, fraction: float) -> bool:
    distance = event.strike_distance
    return distance is not None and distance <= fraction


def probability_itm(event: FlowEvent) -> float | None:
    """Risk-neutral P(ITM) from the contract's own IV; None when the snapshot has no IV."""
    if not event.underlying_price:
        return None
    try:
        return prob_itm(
            event.underlying_price,
            event.strike,
            years_to_expiry(event.expiration, event.window_end),
            event.implied_volatility,
            "call" if event.is_call else "put",
        )
    except MissingVolatility:
        return None


def is_opening(event: FlowEvent, reading: TapeReading) -> bool:
    """More contracts traded than open interest plus the rest of today's volume could close."""
    if event.open_interest is None:
        return False
    earlier_volume = event.day_volume - event.contracts
    return reading.contracts > event.open_interest + earlier_volume


def flow_tags(event: FlowEvent, reading: TapeReading) -> set[Tag]:
    tags: set[Tag] = set()
    if reading.style is not None:
        tags.add(STYLE_TAGS[reading.style])
    else:
        tags.add(Tag.LARGE_VOLUME)
    if is_opening(event, reading):
        tags.add(Tag.OPENING)
    return tags


def option_alert(
    scanner: Scanner,
    event: FlowEvent,
    reading: TapeReading,
    finding: Finding,
    decision: Decision,
    state: DedupState,
    clock: Clock,
) -> Alert:
    tags = flow_tags(event, reading) | set(finding.tags)
    status = Status.ACCUMULATION if decision is Decision.ACCUMULATION else Status.NEW
    if status is Status.ACCUMULATION:
        tags.add(Tag.ACCUMULATION)
    probability = probability_itm(event)
    fields: dict[str, object] = dict(
        scanner=scanner,
        dedup_key=event.contract,
        ticker=event.underlying,
        detected_at=clock.now(),
        data_delay=_delay(event.timeframe),
        status=status,
        tags=frozenset(tags),
        contract=event.contract,
        contract_type=ContractType(event.contract_type),
        strike=event.strike,
        expiration=event.expiration,
        dte=max(0, event.dte),
        premium=reading.premium,
        size=max(1, round(reading.contracts)),
        average_price=reading.average_price,
        side=reading.side,
        side_is_approximate=reading.side_is_approximate,
        sentiment=reading.sentiment,
        score=total(finding.components),
        score_components=tuple(finding.components),
        spot=event.underlying_price or None,
        prob_itm=probability,
        implied_volatility=event.implied_volatility if event.implied_volatility else None,
        delta=event.delta,
        volume_oi_ratio=volume_oi_ratio(event),
        open_interest=None if event.open_interest is None else int(event.open_interest),
        day_volume=int(event.day_volume),
        exchanges=reading.exchanges or None,
        window_start=event.window_start,
        window_end=event.window_end,
    )
    if status is Status.ACCUMULATION:
        fields["accumulated_premium"] = state.accumulated_premium
    fields.update(finding.extra)
    return Alert(**fields)  # type: ignore[arg-type]


def volume_oi_ratio(event: FlowEvent) -> float | None:
    if not event.open_interest:
        return None
    return event.day_volume / event.open_interest


def _delay(timeframe: str) -> DataDelay:
    try:
        return DataDelay(timeframe)
    except ValueError:
        return DataDelay.UNKNOWN

