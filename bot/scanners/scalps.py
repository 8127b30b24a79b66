"""Scalps: 0-7 DTE (0DTE included) $2K+ flow with the strike within 3% of spot, when the
underlying's closed 5-minute candles complete a Strat combo in the flow's direction and
RSI(14) on them sits between 30 and 70 on the matching side of 50.
"""

from __future__ import annotations

from bot.alerts.model import Scanner
from bot.analytics.ta import rsi, strat_combo
from bot.config import ScalpsSettings
from bot.market.events import FlowEvent
from bot.market.trade_reader import TapeReading
from bot.polygon.errors import PolygonError
from bot.scanners.base import Finding, OptionsScanner, ScanContext, big_enough, strike_within
from bot.scanners.components import premium_points, strike_proximity
from bot.scanners.direction import flow_direction
from bot.scanners.scoring import component, linear_points

CANDLE_MINUTES = 5
RSI_PERIOD = 14


class ScalpsScanner(OptionsScanner[ScalpsSettings]):
    name = Scanner.SCALPS

    def select(self, event: FlowEvent, settings: ScalpsSettings) -> bool:
        return big_enough(event, settings) and strike_within(event, settings.max_strike_distance)

    async def evaluate(
        self, event: FlowEvent, reading: TapeReading, settings: ScalpsSettings, ctx: ScanContext
    ) -> Finding | None:
        direction = flow_direction(reading)
        if direction is None:
            return None
        try:
            candles = await ctx.bars.closed_candles(event.underlying, CANDLE_MINUTES)
        except PolygonError:
            return None
        combo = strat_combo(candles)
        if combo is None or combo.direction != direction:
            return None
        latest_rsi = rsi([candle.close for candle in candles], RSI_PERIOD)[-1] if candles else None
        if latest_rsi is None or not settings.rsi_low <= latest_rsi <= settings.rsi_high:
            return None
        if (latest_rsi > 50) != (direction == "bullish") or latest_rsi == 50:
            return None
        return Finding(
            [
                component("strat", 25, f"{combo.pattern} on {CANDLE_MINUTES}-min candles"),
                component("RSI", linear_points(abs(latest_rsi - 50), 0, 20, 20), f"RSI(14) {latest_rsi:.0f}"),
                strike_proximity(event, settings.max_strike_distance, 20),
                premium_points(reading.premium, 2_000, 500_000, 35),
            ]
        )
