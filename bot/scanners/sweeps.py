"""Sweeps: $50K+ flow at 1-90 DTE, labelled by what the prints show.

A real sweep (two or more exchanges within a second) is called SWEEP; a block or a split says
so; without trades in the plan it is LARGE VOLUME. The score adds up premium, size against
open interest, today's volume against the contract's own recent days, strike distance and
the aggressor side.
"""

from __future__ import annotations

from bot.alerts.model import Scanner, ScoreComponent
from bot.config import SweepsSettings
from bot.market.events import FlowEvent
from bot.market.trade_reader import TapeReading
from bot.polygon.errors import PolygonError
from bot.scanners.base import Finding, OptionsScanner, ScanContext, big_enough
from bot.scanners.components import aggressor, premium_points, size_vs_oi, strike_proximity
from bot.scanners.scoring import component, linear_points

VOLUME_HISTORY_SESSIONS = 20


class SweepsScanner(OptionsScanner[SweepsSettings]):
    name = Scanner.SWEEPS

    def select(self, event: FlowEvent, settings: SweepsSettings) -> bool:
        return big_enough(event, settings)

    async def evaluate(
        self, event: FlowEvent, reading: TapeReading, settings: SweepsSettings, ctx: ScanContext
    ) -> Finding:
        return Finding(
            [
                premium_points(reading.premium, 10_000, 10_000_000, 35),
                size_vs_oi(event, reading, 20),
                await volume_boost(event, ctx, 20),
                strike_proximity(event, 0.10, 15),
                aggressor(reading, 10),
            ]
        )


async def volume_boost(event: FlowEvent, ctx: ScanContext, points: float) -> ScoreComponent:
    """Today's volume against the contract's own average day (the seed's volume boost)."""
    try:
        history = await ctx.bars.daily_history(event.contract, VOLUME_HISTORY_SESSIONS)
    except PolygonError:
        return component("volume boost", 0, "contract history unavailable")
    volumes = [bar.v for bar in history if bar.v > 0]
    if not volumes:
        return component("volume boost", 0, "no trading history")
    ratio = event.day_volume / (sum(volumes) / len(volumes))
    return component("volume boost", linear_points(ratio, 1, 5, points), f"{ratio:.1f}× its average day")
