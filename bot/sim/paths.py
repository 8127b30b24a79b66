"""The underlying's price during the session, second by second.

A seeded random walk from the open, bent through the scenario's scripted waypoints with
Brownian bridges. A breakout pins the path: below the level before its time, exactly
`beyond_pct` past it at its time, and within 0.8-1.2x of that distance afterwards, so the
ground truth can say when a scanner should see it. Outside the regular session the price
holds at the open (before) or the close (after).
"""

from __future__ import annotations

import itertools
import math
from array import array
from dataclasses import dataclass
from typing import Literal

from bot.sim.scenario import UnderlyingSpec
from bot.sim.seeding import stream
from bot.sim.session import NS_PER_SECOND, SessionTimes

TRADING_SECONDS_PER_YEAR = 252 * 23_400
# Before a breakout the path stays this far inside the level, so the level is not touched early.
INSIDE_MARGIN = 0.0005


@dataclass(frozen=True, slots=True)
class BreakoutPin:
    level: float  # the prior 20 sessions' high (up) or low (down)
    second: int  # seconds after the open
    direction: Literal["up", "down"]
    beyond_pct: float

    @property
    def target(self) -> float:
        sign = 1.0 if self.direction == "up" else -1.0
        return self.level * (1.0 + sign * self.beyond_pct / 100.0)

    def clamp(self, second: int, price: float) -> float:
        fraction = self.beyond_pct / 100.0
        if self.direction == "up":
            if second < self.second:
                return min(price, self.level * (1.0 - INSIDE_MARGIN))
            return min(max(price, self.level * (1.0 + 0.8 * fraction)), self.level * (1.0 + 1.2 * fraction))
        if second < self.second:
            return max(price, self.level * (1.0 + INSIDE_MARGIN))
        return max(min(price, self.level * (1.0 - 0.8 * fraction)), self.level * (1.0 - 1.2 * fraction))


class PricePath:
    """Prices at each second of the regular session, `prices[0]` at the open."""

    def __init__(self, open_ns: int, prices: array) -> None:
        self.open_ns = open_ns
        self.prices = prices

    @property
    def seconds(self) -> int:
        return len(self.prices) - 1

    def second_of(self, moment_ns: int) -> int:
        """The session second in force at `moment_ns`, held at the ends outside the session."""
        return min(max(0, (moment_ns - self.open_ns) // NS_PER_SECOND), len(self.prices) - 1)

    def at(self, moment_ns: int) -> float:
        return self.prices[self.second_of(moment_ns)]


def build_path(
    spec: UnderlyingSpec, session: SessionTimes, seed: int, breakout: BreakoutPin | None
) -> PricePath:
    seconds = session.seconds
    open_price = spec.price * (1.0 + spec.open_gap_pct / 100.0)
    anchors: dict[int, float] = {0: math.log(open_price)}
    for point in spec.path:
        second = session.second_of(point.time)
        level = point.price if point.price is not None else spec.price * (1.0 + point.change_pct / 100.0)
        anchors[second] = math.log(level)
    if breakout is not None:
        anchors[breakout.second] = math.log(breakout.target)

    rng = stream(seed, spec.symbol, "path")
    step = spec.volatility / math.sqrt(TRADING_SECONDS_PER_YEAR)
    gauss = rng.gauss
    walk = [0.0, *itertools.accumulate(gauss(0.0, step) for _ in range(seconds))]

    logs: list[float] = []
    points = sorted(anchors.items())
    for (start, start_level), (end, end_level) in itertools.pairwise(points):
        # A Brownian bridge: the walk's own shape, tilted to land on the next anchor.
        slope = ((walk[end] - walk[start]) - (end_level - start_level)) / (end - start)
        base = start_level - walk[start]
        logs.extend(base + walk[index] - slope * (index - start) for index in range(start, end))
    last, last_level = points[-1]
    base = last_level - walk[last]
    logs.extend(base + walk[index] for index in range(last, seconds + 1))

    prices = array("d", map(math.exp, logs))
    if breakout is not None:
        prices = array("d", (breakout.clamp(index, price) for index, price in enumerate(prices)))
    return PricePath(session.open_ns, prices)
