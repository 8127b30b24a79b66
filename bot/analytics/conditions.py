"""Trade condition codes: which prints to drop or tag before reading the tape.

Polygon maps every SIP's conditions (CTA and UTP for stocks, OPRA for options) to one numeric
id space, published at `/v3/reference/conditions`. The table is loaded from there at start-up
(`ConditionTable.from_reference`); when that call fails, `ConditionTable.builtin()` carries the
ids that matter for flow. Either way a condition's categories are read from its published
NAME, with the same rules, so the API and the fallback cannot disagree about what a name means.
A code in neither is treated as a regular sale: an unknown condition never hides a print.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import Enum
from typing import Any


class Category(Enum):
    CANCEL_OR_CORRECTION = "cancel or correction"
    LATE_OR_OUT_OF_SEQUENCE = "late or out of sequence"
    MULTI_LEG_OR_STOCK_TIED = "multi-leg or stock-tied"
    OFF_MARKET_PRICE = "off-market price"
    EXTENDED_HOURS = "extended hours"


# Word boundaries matter: "Multilateral" must not read as "late".
_NAME_PATTERNS: dict[Category, tuple[str, ...]] = {
    Category.CANCEL_OR_CORRECTION: (r"\bcancel", r"\bcorrect"),
    Category.LATE_OR_OUT_OF_SEQUENCE: (r"\blate\b", r"out of sequence", r"\bsold last\b"),
    Category.MULTI_LEG_OR_STOCK_TIED: (
        r"\bmulti[ -]?leg\b",
        r"\bstock[ -]options?\b",
        r"\bmultilateral compression\b",
        r"\bspread\b",
        r"\bstraddle\b",
        r"\bcombo\b",
    ),
    # Prices set away from the current market: averaged, agreed against another instrument,
    # referencing an earlier price, or settled off the regular cycle.
    Category.OFF_MARKET_PRICE: (
        r"\baverage price\b",
        r"\bcontingent\b",
        r"\bprior reference price\b",
        r"\bderivatively priced\b",
        r"\bcash sale\b",
        r"\bnext day\b",
        r"\bseller\b",
        r"\bprice variation\b",
    ),
    Category.EXTENDED_HOURS: (r"\bform t\b", r"\bextended (trading )?hours\b"),
}
_NAME_RULES = {category: re.compile("|".join(patterns)) for category, patterns in _NAME_PATTERNS.items()}

# Categories that make a print useless for reading aggression (side, sweep, block).
DROPPED_FROM_FLOW = frozenset(
    {
        Category.CANCEL_OR_CORRECTION,
        Category.LATE_OR_OUT_OF_SEQUENCE,
        Category.MULTI_LEG_OR_STOCK_TIED,
        Category.OFF_MARKET_PRICE,
    }
)


def categories_of(name: str) -> frozenset[Category]:
    lowered = name.lower()
    return frozenset(category for category, rule in _NAME_RULES.items() if rule.search(lowered))


@dataclass(frozen=True, slots=True)
class Condition:
    id: int
    name: str
    asset_class: str
    updates_volume: bool
    # Polygon publishes `updates_open_close`; the close of a session is its last sale.
    updates_last: bool
    categories: frozenset[Category]


def _condition(code: int, name: str, asset_class: str, updates_volume: bool, updates_last: bool) -> Condition:
    return Condition(code, name, asset_class, updates_volume, updates_last, categories_of(name))


# The built-in fallback: (id, Polygon name, asset class, updates volume, updates last).
# Sources:
# - stocks: Polygon's glossary (polygon.io/glossary/us/stocks/conditions-indicators), whose
#   ids 1-10 match `/v3/reference/conditions?asset_class=stocks` as mocked in
#   polygon-io/client-python (test_rest/mocks/v3/reference/conditions&asset_class=stocks.json)
#   and whose full id list is reproduced in QuantConnect's Polygon toolbox
#   (PolygonSIPTradeMappings); the flags are the consolidated update rules listed there.
# - options: Polygon's OPRA-derived ids 201-248 as published by
#   `/v3/reference/conditions?asset_class=options` and listed alike by several public flow
#   tools (no first-party mock exists). Flags follow OPRA's last-sale message types: cancel
#   messages (A, C, E, G) withdraw a print and add no volume; out-of-sequence reports (B, F)
#   do not set the last; late reports in sequence (D, H) do. Multi-leg and stock-tied prints
#   (f-s and the proprietary-product types) carry a package price, not this leg's market, and
#   extended-hours trades are kept out of the last, as Form T is for stocks.
_BUILTIN_ROWS: tuple[tuple[int, str, str, bool, bool], ...] = (
    (2, "Average Price Trade", "stocks", True, False),
    (7, "Cash Sale", "stocks", True, False),
    (10, "Derivatively Priced", "stocks", True, False),
    (12, "Form T", "stocks", True, False),
    (13, "Extended Trading Hours (Sold Out of Sequence)", "stocks", True, False),
    (20, "Next Day", "stocks", True, False),
    (21, "Price Variation Trade", "stocks", True, False),
    (22, "Prior Reference Price", "stocks", True, False),
    (29, "Seller", "stocks", True, False),
    (30, "Sold Last", "stocks", True, True),
    (33, "Sold (Out of Sequence)", "stocks", True, False),
    (37, "Odd Lot Trade", "stocks", True, False),
    (38, "Corrected Consolidated Close (per listing market)", "stocks", False, True),
    (52, "Contingent Trade", "stocks", True, False),
    (53, "Qualified Contingent Trade", "stocks", True, False),
    (201, "Canceled", "options", False, False),
    (202, "Late and Out Of Sequence", "options", True, False),
    (203, "Last and Canceled", "options", False, False),
    (204, "Late", "options", True, True),
    (205, "Opening Trade and Canceled", "options", False, False),
    (206, "Opening Trade, Late, and Out Of Sequence", "options", True, False),
    (207, "Only Trade and Canceled", "options", False, False),
    (208, "Opening Trade and Late", "options", True, True),
    (232, "Multi Leg auto-electronic trade", "options", True, False),
    (233, "Multi Leg Auction", "options", True, False),
    (234, "Multi Leg Cross", "options", True, False),
    (235, "Multi Leg floor trade", "options", True, False),
    (236, "Multi Leg auto-electronic trade against single leg(s)", "options", True, False),
    (237, "Stock Options Auction", "options", True, False),
    (238, "Multi Leg Auction against single leg(s)", "options", True, False),
    (239, "Multi Leg floor trade against single leg(s)", "options", True, False),
    (240, "Stock Options auto-electronic trade", "options", True, False),
    (241, "Stock Options Cross", "options", True, False),
    (242, "Stock Options floor trade", "options", True, False),
    (243, "Stock Options auto-electronic trade against single leg(s)", "options", True, False),
    (244, "Stock Options Auction against single leg(s)", "options", True, False),
    (245, "Stock Options floor trade against single leg(s)", "options", True, False),
    (246, "Multi Leg Floor Trade of Proprietary Products", "options", True, False),
    (247, "Multilateral Compression Trade of Proprietary Products", "options", True, False),
    (248, "Extended Hours Trade", "options", True, False),
)


def _from_reference_row(row: Mapping[str, Any]) -> Condition | None:
    # Quote conditions share the id space with trade conditions, so only trade rows count.
    data_types = row.get("data_types")
    if data_types is not None and "trade" not in data_types:
        return None
    consolidated = (row.get("update_rules") or {}).get("consolidated") or {}
    return _condition(
        int(row["id"]),
        str(row.get("name", "")),
        str(row.get("asset_class", "")),
        bool(consolidated.get("updates_volume", True)),
        bool(consolidated.get("updates_open_close", True)),
    )


class ConditionTable:
    def __init__(self, conditions: Iterable[Condition]) -> None:
        self._by_id = {condition.id: condition for condition in conditions}

    @classmethod
    def builtin(cls) -> ConditionTable:
        return cls(_condition(*row) for row in _BUILTIN_ROWS)

    @classmethod
    def from_reference(cls, rows: Iterable[Mapping[str, Any]]) -> ConditionTable:
        """The table from `/v3/reference/conditions` results, over the built-in one: a
        published row wins for its id, and ids the response lacked (say, it was fetched for
        one asset class only) keep their built-in meaning."""
        published = [found for found in map(_from_reference_row, rows) if found is not None]
        return cls([*cls.builtin()._by_id.values(), *published])

    def get(self, code: int) -> Condition | None:
        return self._by_id.get(code)

    def _has(self, code: int, category: Category) -> bool:
        found = self._by_id.get(code)
        return found is not None and category in found.categories

    def is_cancel_or_correction(self, code: int) -> bool:
        return self._has(code, Category.CANCEL_OR_CORRECTION)

    def is_late_or_out_of_sequence(self, code: int) -> bool:
        return self._has(code, Category.LATE_OR_OUT_OF_SEQUENCE)

    def is_multi_leg_or_stock_tied(self, code: int) -> bool:
        return self._has(code, Category.MULTI_LEG_OR_STOCK_TIED)

    def is_off_market_price(self, code: int) -> bool:
        return self._has(code, Category.OFF_MARKET_PRICE)

    def is_extended_hours(self, code: int) -> bool:
        return self._has(code, Category.EXTENDED_HOURS)

    def updates_volume(self, code: int) -> bool:
        found = self._by_id.get(code)
        return found is None or found.updates_volume

    def updates_last(self, code: int) -> bool:
        found = self._by_id.get(code)
        return found is None or found.updates_last

    def drops_from_flow(self, codes: Iterable[int] | None) -> bool:
        """Should a print with these conditions be left out of sweep/block/side reading?
        Cancelled, late, multi-leg or stock-tied, and off-market prints are."""
        return any(
            not DROPPED_FROM_FLOW.isdisjoint(found.categories)
            for found in (self._by_id.get(code) for code in codes or ())
            if found is not None
        )
