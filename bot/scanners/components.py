"""Score components more than one scanner uses, so each is computed and worded one way."""

from __future__ import annotations

from bot.alerts.model import ScoreComponent
from bot.alerts.text import money
from bot.analytics.tape import Side
from bot.market.events import FlowEvent
from bot.market.trade_reader import TapeReading
from bot.scanners.scoring import component, linear_points, log_points


def premium_points(premium: float, low: float, high: float, points: float) -> ScoreComponent:
    return component("premium", log_points(premium, low, high, points), f"{money(premium)} traded")


def size_vs_oi(event: FlowEvent, reading: TapeReading, points: float) -> ScoreComponent:
    if not event.open_interest:
        return component("size vs OI", 0, "open interest unknown")
    ratio = reading.contracts / event.open_interest
    return component("size vs OI", linear_points(ratio, 0, 1.0, points), f"{ratio:.2f}× open interest")


def strike_proximity(event: FlowEvent, widest: float, points: float) -> ScoreComponent:
    distance = event.strike_distance
    if distance is None:
        return component("strike distance", 0, "spot unknown")
    return component(
        "strike distance", linear_points(distance, widest, 0, points), f"strike {distance:.1%} from spot"
    )


def aggressor(reading: TapeReading, points: float) -> ScoreComponent:
    if reading.side in (Side.BUY, Side.SELL):
        at = "ask" if reading.side is Side.BUY else "bid"
        if reading.side_is_approximate:
            return component("side", points / 2, f"at the {at} (snapshot quote)")
        return component("side", points, f"at the {at}")
    if reading.side is Side.MID:
        return component("side", points / 5, "between bid and ask")
    return component("side", 0, "side unknown")
