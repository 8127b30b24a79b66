"""What one guild receives from one scanner: the defaults, with that guild's overrides on top.

Pure: no Discord, no database. A guild stores only what it changed (`GuildOverrides`), under
the keys named here; everything else follows `Settings.scanners` as the defaults evolve.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from pydantic import JsonValue

from bot.alerts import Alert, AlertKind, Scanner
from bot.config import ScannerSettings, ScannersSettings
from bot.store import GuildOverrides

# The range a guild may set a dollar threshold in. The lower bound is also the hard floor of
# what the scanners look at, however low a guild asks.
MIN_THRESHOLD = 1_000.0
MAX_THRESHOLD = 100_000_000.0
MAX_DTE = 730
MAX_SCORE = 100

MIN_DTE_KEY = "min_dte"
MAX_DTE_KEY = "max_dte"
MIN_SCORE_KEY = "min_score"


def threshold_key(scanner: Scanner) -> str | None:
    """The dollar setting of a scanner: premium for options, notional for dark prints; a
    breakout has no dollar amount, so no threshold."""
    if scanner.kind is AlertKind.OPTION:
        return "min_premium"
    return "min_notional" if scanner is Scanner.DARKPOOL else None


def has_expiry(scanner: Scanner) -> bool:
    return scanner.kind is AlertKind.OPTION


@dataclass(frozen=True)
class AlertFilter:
    min_dollars: float | None
    min_dte: int | None
    max_dte: int | None
    min_score: float
    tickers: frozenset[str]

    def accepts(self, alert: Alert) -> bool:
        if self.tickers and alert.ticker not in self.tickers:
            return False
        if self.min_dollars is not None and (alert.dollar_value or 0.0) < self.min_dollars:
            return False
        if alert.dte is not None and self.min_dte is not None and alert.dte < self.min_dte:
            return False
        if alert.dte is not None and self.max_dte is not None and alert.dte > self.max_dte:
            return False
        # An alert without a score only passes a guild that asks for none.
        return (alert.score if alert.score is not None else 0.0) >= self.min_score


def setting(scanner: Scanner, key: str, defaults: ScannersSettings, overrides: GuildOverrides) -> JsonValue:
    """One setting as the guild sees it: its override, else the default."""
    changed: Mapping[str, JsonValue] = overrides.for_scanner(scanner.value)
    if key in changed:
        return changed[key]
    default: JsonValue = getattr(scanner_defaults(scanner, defaults), key)
    return default


def numeric(value: JsonValue) -> float:
    """A stored setting as a number (every setting a guild can change is one)."""
    return float(value) if isinstance(value, int | float) else 0.0


def scanner_defaults(scanner: Scanner, defaults: ScannersSettings) -> ScannerSettings:
    chosen: ScannerSettings = getattr(defaults, scanner.value)
    return chosen


def guild_filter(scanner: Scanner, defaults: ScannersSettings, overrides: GuildOverrides) -> AlertFilter:
    def number(key: str) -> float:
        return numeric(setting(scanner, key, defaults, overrides))

    dollars = threshold_key(scanner)
    expiry = has_expiry(scanner)
    return AlertFilter(
        min_dollars=number(dollars) if dollars else None,
        min_dte=int(number(MIN_DTE_KEY)) if expiry else None,
        max_dte=int(number(MAX_DTE_KEY)) if expiry else None,
        min_score=number(MIN_SCORE_KEY),
        tickers=overrides.tickers,
    )


def loosest_settings(
    scanner: Scanner, defaults: ScannersSettings, every_guild: Iterable[GuildOverrides]
) -> ScannerSettings:
    """The scanner's settings loosened to the lowest threshold any guild asked for (and the
    widest DTE range), so the scan finds every alert some guild wants; each guild's own
    filter then narrows what it receives. Never below the hard floor."""
    base = scanner_defaults(scanner, defaults)
    changed = [overrides.for_scanner(scanner.value) for overrides in every_guild]
    loosened: dict[str, float | int] = {}
    dollars = threshold_key(scanner)
    if dollars:
        loosened[dollars] = max(MIN_THRESHOLD, min([getattr(base, dollars), *_values(changed, dollars)]))
    if has_expiry(scanner):
        loosened[MIN_DTE_KEY] = min([getattr(base, MIN_DTE_KEY), *map(int, _values(changed, MIN_DTE_KEY))])
        loosened[MAX_DTE_KEY] = max([getattr(base, MAX_DTE_KEY), *map(int, _values(changed, MAX_DTE_KEY))])
    loosened[MIN_SCORE_KEY] = min([base.min_score, *map(int, _values(changed, MIN_SCORE_KEY))])
    return base.model_copy(update=loosened)


def _values(changed: list[Mapping[str, JsonValue]], key: str) -> list[float]:
    return [numeric(values[key]) for values in changed if key in values]
