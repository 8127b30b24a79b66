"""The day's dark-pool price levels of one symbol: notional summed per cent.

Traders read dark-pool "levels" as prices where off-exchange money kept changing hands. The
book sums the notional of every off-exchange print that counts (blocks and small prints
alike) at its price rounded to the cent, and ranks the levels by that sum, largest first.
It is kept per symbol per ET session and persisted with the darkpool cursor, so a restart
neither forgets the morning's levels nor counts a print twice.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

CENTS_PER_DOLLAR = 100


def level_of(price: float) -> int:
    """The level a price belongs to, in whole cents (sub-penny dark prints join their cent)."""
    return round(price * CENTS_PER_DOLLAR)


@dataclass(frozen=True, slots=True)
class Level:
    price: float
    notional: float
    rank: int  # 1 = the day's largest


@dataclass
class LevelBook:
    notional_by_cents: dict[int, float] = field(default_factory=dict)

    def add(self, price: float, notional: float) -> None:
        cents = level_of(price)
        self.notional_by_cents[cents] = self.notional_by_cents.get(cents, 0.0) + notional

    def ranked(self) -> list[Level]:
        """Every level, largest notional first; equal notionals rank the lower price first so
        the order never depends on insertion."""
        ordered = sorted(self.notional_by_cents.items(), key=lambda item: (-item[1], item[0]))
        return [Level(cents / CENTS_PER_DOLLAR, notional, rank) for rank, (cents, notional) in enumerate(ordered, 1)]

    def top(self, count: int) -> list[Level]:
        return self.ranked()[:count]

    def level_at(self, price: float) -> Level | None:
        """The level `price` falls on, with its rank today; None before any print there."""
        cents = level_of(price)
        return next((level for level in self.ranked() if level_of(level.price) == cents), None)

    def nearest_top(self, price: float, count: int) -> tuple[Level, float] | None:
        """The closest of the `count` largest levels and its distance from `price` as a
        fraction of `price`; None while the book is empty."""
        candidates = self.top(count)
        if not candidates:
            return None
        nearest = min(candidates, key=lambda level: (abs(level.price - price), level.rank))
        return nearest, abs(nearest.price - price) / price

    def to_json(self) -> dict[str, float]:
        return {str(cents): notional for cents, notional in self.notional_by_cents.items()}

    @classmethod
    def from_json(cls, stored: Mapping[str, float]) -> LevelBook:
        return cls({int(cents): float(notional) for cents, notional in stored.items()})
