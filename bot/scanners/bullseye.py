"""Bullseye: near-the-money swing setups — $5K+ at 7-60 DTE, |delta| 0.40-0.60, today's
volume at least 3× open interest, with daily momentum (SMA20 against SMA50, and the price
against SMA20) pointing the same way as the flow.
"""

from __future__ import annotations

from bot.alerts.model import Scanner
from bot.analytics.ta import sma
from bot.config import BullseyeSettings
from bot.market.events import FlowEvent
from bot.market.trade_reader import TapeReading
from bot.polygon.errors import PolygonError
from bot.scanners.base import Finding, OptionsScanner, ScanContext, big_enough, volume_oi_ratio
from bot.scanners.components import premium_points
from bot.scanners.direction import Direction, flow_direction
from bot.scanners.scoring import component, linear_points

LONG_AVERAGE = 50
SHORT_AVERAGE = 20


class BullseyeScanner(OptionsScanner[BullseyeSettings]):
    name = Scanner.BULLSEYE

    def select(self, event: FlowEvent, settings: BullseyeSettings) -> bool:
        ratio = volume_oi_ratio(event)
        return (
            big_enough(event, settings)
            and event.delta is not None
            and settings.min_abs_delta <= abs(event.delta) <= settings.max_abs_delta
            and ratio is not None
            and ratio >= settings.min_volume_oi_ratio
        )

    async def evaluate(
        self, event: FlowEvent, reading: TapeReading, settings: BullseyeSettings, ctx: ScanContext
    ) -> Finding | None:
        direction = flow_direction(reading)
        if direction is None or not event.underlying_price:
            return None
        try:
            history = await ctx.bars.daily_history(event.underlying, LONG_AVERAGE)
        except PolygonError:
            return None
        momentum = daily_momentum([bar.c for bar in history], event.underlying_price)
        if momentum is None or momentum[0] != direction:
            return None
        _, spread = momentum
        assert event.delta is not None
        ratio = volume_oi_ratio(event) or 0.0
        return Finding(
            [
                component(
                    "volume/OI",
                    linear_points(ratio, settings.min_volume_oi_ratio, 10, 30),
                    f"{ratio:.1f}× open interest",
                ),
                component(
                    "delta", linear_points(abs(abs(event.delta) - 0.5), 0.1, 0, 20), f"delta {event.delta:+.2f}"
                ),
                component("momentum", linear_points(abs(spread), 0, 0.05, 20), f"SMA20 {spread:+.1%} vs SMA50"),
                premium_points(reading.premium, 5_000, 1_000_000, 30),
            ],
            extra={"sma20": sma([bar.c for bar in history], SHORT_AVERAGE)[-1]},
        )


def daily_momentum(closes: list[float], price: float) -> tuple[Direction, float] | None:
    """("bullish", spread) when SMA20 > SMA50 and price > SMA20; bearish mirrored; else None.

    `spread` is SMA20 / SMA50 − 1, on the closes of complete sessions.
    """
    if len(closes) < LONG_AVERAGE:
        return None
    short, long = sma(closes, SHORT_AVERAGE)[-1], sma(closes, LONG_AVERAGE)[-1]
    assert short is not None and long is not None
    spread = short / long - 1
    if short > long and price > short:
        return "bullish", spread
    if short < long and price < short:
        return "bearish", spread
    return None
