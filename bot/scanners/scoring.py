"""Scores as a sum of named components, each with the points it gave and why."""

from __future__ import annotations

import math

from bot.alerts.model import ScoreComponent


def clamp01(value: float) -> float:
    return min(1.0, max(0.0, value))


def log_points(value: float, low: float, high: float, points: float) -> float:
    """0 at or below `low`, full `points` at or above `high`, logarithmic between."""
    if value <= low:
        return 0.0
    return points * clamp01(math.log(value / low) / math.log(high / low))


def linear_points(value: float, low: float, high: float, points: float) -> float:
    """0 at `low`, full `points` at `high` (either order), linear between."""
    return points * clamp01((value - low) / (high - low))


def component(name: str, points: float, basis: str) -> ScoreComponent:
    return ScoreComponent(name=name, points=round(points, 1), basis=basis)


def total(components: list[ScoreComponent]) -> float:
    return round(min(100.0, max(0.0, sum(c.points for c in components))), 1)

