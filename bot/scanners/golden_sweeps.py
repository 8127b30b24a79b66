"""Golden Sweeps: $1M+ near the money (strike within 5% of spot), 1-180 DTE.

The score is led by premium; the label is whatever the prints show, as for Sweeps.
"""

from __future__ import annotations

from bot.alerts.model import Scanner
from bot.config import GoldenSweepsSettings
from bot.market.events import FlowEvent
from bot.market.trade_reader import TapeReading
from bot.scanners.base import Finding, OptionsScanner, ScanContext, big_enough, strike_within
from bot.scanners.components import aggressor, premium_points, size_vs_oi, strike_proximity


class GoldenSweepsScanner(OptionsScanner[GoldenSweepsSettings]):
    name = Scanner.GOLDEN_SWEEPS

    def select(self, event: FlowEvent, settings: GoldenSweepsSettings) -> bool:
        return big_enough(event, settings) and strike_within(event, settings.max_strike_distance)

    async def evaluate(
        self, event: FlowEvent, reading: TapeReading, settings: GoldenSweepsSettings, ctx: ScanContext
    ) -> Finding:
        return Finding(
            [
                premium_points(reading.premium, 500_000, 20_000_000, 60),
                strike_proximity(event, settings.max_strike_distance, 15),
                aggressor(reading, 15),
                size_vs_oi(event, reading, 10),
            ]
        )
