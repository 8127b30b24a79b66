"""ORAKL Flow: a contract hit again and again — three or more $10K+ flows within an hour,
1-45 DTE, with a risk-neutral probability of finishing in the money of at least 50% from
the contract's own IV. The alert shows the repeat count and the accumulated premium.
"""

from __future__ import annotations

from collections import deque
from datetime import datetime, timedelta

from bot.alerts.model import Scanner, Tag
from bot.config import FlowSettings
from bot.market.events import FlowEvent
from bot.market.trade_reader import TapeReading
from bot.scanners.base import Finding, OptionsScanner, ScanContext, big_enough, reaches_min_premium, probability_itm
from bot.scanners.components import aggressor, premium_points
from bot.scanners.scoring import component, linear_points


class FlowScanner(OptionsScanner[FlowSettings]):
    name = Scanner.FLOW

    def __init__(self) -> None:
        # contract → (time, premium) of each qualifying hit within the repeat window
        self._hits: dict[str, deque[tuple[datetime, float]]] = {}

    def select(self, event: FlowEvent, settings: FlowSettings) -> bool:
        if not big_enough(event, settings):
            return False
        hits = self._recent_hits(event.contract, event.window_end, settings)
        if hits and reaches_min_premium(event.carried_premium, settings):
            # The rest of an order a refresh cut, whose first part was already a hit: one hit.
            when, premium = hits[-1]
            hits[-1] = (when, premium + event.premium)
        else:
            hits.append((event.window_end, event.premium + event.carried_premium))
        if len(hits) < settings.repeat_hits:
            return False
        probability = probability_itm(event)
        return probability is not None and probability >= settings.min_prob_itm

    def _recent_hits(self, contract: str, now: datetime, settings: FlowSettings) -> deque[tuple[datetime, float]]:
        hits = self._hits.setdefault(contract, deque())
        oldest = now - timedelta(minutes=settings.repeat_window_minutes)
        while hits and hits[0][0] < oldest:
            hits.popleft()
        return hits

    def forget_before(self, moment: datetime, settings: FlowSettings) -> None:
        """Drop hit histories that have aged out (housekeeping keeps memory flat)."""
        for contract in list(self._hits):
            if not self._recent_hits(contract, moment, settings):
                del self._hits[contract]

    async def evaluate(
        self, event: FlowEvent, reading: TapeReading, settings: FlowSettings, ctx: ScanContext
    ) -> Finding:
        hits = self._hits[event.contract]
        accumulated = sum(premium for _, premium in hits)
        probability = probability_itm(event) or 0.0
        return Finding(
            [
                component(
                    "repeat hits",
                    linear_points(len(hits), settings.repeat_hits - 1, settings.repeat_hits + 5, 35),
                    f"{len(hits)} hits within {settings.repeat_window_minutes} min",
                ),
                premium_points(accumulated, 10_000, 5_000_000, 30),
                component(
                    "probability ITM",
                    linear_points(probability, settings.min_prob_itm, 1.0, 20),
                    f"{probability:.0%} from IV",
                ),
                aggressor(reading, 15),
            ],
            tags=frozenset({Tag.REPEAT}),
            extra={"repeat_count": len(hits), "accumulated_premium": accumulated},
        )
