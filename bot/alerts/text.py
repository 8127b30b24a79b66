"""How numbers, times and contracts read in every rendering (embed, line, digest)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import TypeVar
from zoneinfo import ZoneInfo

from bot.alerts.model import Alert, ContractType, DataDelay, Tag

T = TypeVar("T")

MARKET_TZ = ZoneInfo("America/New_York")
# Below this, a short form ("$9.9K") would hide digits a reader can still take in at a glance.
SHORT_MONEY_FROM = 10_000
# What an alert is, in one word, for its title: how it traded if known, else what it broke.
HEADLINE_TAGS = (
    Tag.SWEEP, Tag.BLOCK, Tag.SPLIT, Tag.LARGE_VOLUME, Tag.DARK_POOL, Tag.BREAKOUT, Tag.BREAKDOWN, Tag.REPEAT,
)
MONEY_UNITS = (("K", 1e3, 1), ("M", 1e6, 2), ("B", 1e9, 2))


def shown(value: T | None, show: Callable[[T], str]) -> str | None:
    """`show(value)` for a measured value, None for one that was not measured."""
    return None if value is None else show(value)


def money(amount: float) -> str:
    """$5,250 · $12.3K · $450K · $1.20M · $2.10B."""
    if amount < SHORT_MONEY_FROM:
        return f"${amount:,.0f}"
    # The first unit the rounded amount stays under 1000 of: $999.96K reads $1.00M, not $1000.0K.
    suffix, scale, decimals = next(
        (unit for unit in MONEY_UNITS if round(amount / unit[1], unit[2]) < 1000), MONEY_UNITS[-1]
    )
    number = f"{amount / scale:,.{decimals}f}"
    # Thousands read best without a ".0"; millions keep both decimals, as traders quote them.
    return f"${number.removesuffix('.0') if suffix == 'K' else number}{suffix}"


def price(value: float) -> str:
    return f"${value:,.2f}"


def count(value: int) -> str:
    return f"{value:,}"


def strike(value: float) -> str:
    """600 · 602.5 · 2.75 · 5,800: no trailing zeros, since strikes are quoted that way."""
    return f"{value:,.3f}".rstrip("0").rstrip(".")


def percent(fraction: float) -> str:
    return f"{fraction * 100:.0f}%"


def small_percent(value: float) -> str:
    """0.13% · 4.1%: a value already in percent, with two decimals while it is under one."""
    return f"{value:.2f}%" if value < 1 else f"{value:,.1f}%"


def signed_percent(value: float) -> str:
    return f"{value:+.1f}%"


def multiple(value: float) -> str:
    return f"{value:,.1f}×"


def plural(number: int, noun: str) -> str:
    return f"{number:,} {noun}{'' if number == 1 else 's'}"


def points(value: float) -> str:
    return f"{value:g}" if value == int(value) else f"{value:.1f}"


def et(moment: datetime) -> datetime:
    return moment.astimezone(MARKET_TZ)


def et_time(moment: datetime) -> str:
    return f"{et(moment):%H:%M:%S} ET"


def window(start: datetime, end: datetime) -> str:
    """14:31:05–14:31:20 ET; with dates when the window crosses an ET midnight."""
    first, last = et(start), et(end)
    if first.date() == last.date():
        return f"{first:%H:%M:%S}–{last:%H:%M:%S} ET"
    return f"{first:%m/%d %H:%M:%S}–{last:%m/%d %H:%M:%S} ET"


def short_expiry(expiration: date, today: date) -> str:
    """12/19, or 01/15/27 when the year is not the current one."""
    return f"{expiration:%m/%d}" if expiration.year == today.year else f"{expiration:%m/%d/%y}"


def contract_label(alert: Alert) -> str:
    """SPY 600C 12/19, the trader's shorthand for a contract."""
    if alert.strike is None or alert.contract_type is None or alert.expiration is None:
        return alert.ticker
    letter = "C" if alert.contract_type is ContractType.CALL else "P"
    expiry = short_expiry(alert.expiration, et(alert.detected_at).date())
    return f"{alert.ticker} {strike(alert.strike)}{letter} {expiry}"


def dte(days: int) -> str:
    return "0DTE" if days == 0 else f"{days} DTE"


def headline(alert: Alert) -> str:
    """SWEEP, BLOCK, DARK POOL, BREAKOUT …, or the scanner's name when no tag says more."""
    found = next((tag for tag in HEADLINE_TAGS if tag in alert.tags), None)
    return found.value if found else alert.scanner.label.upper()


def data_source(delay: DataDelay | None) -> str:
    """Polygon/Massive (REAL-TIME); `None` stands for a mix of delays."""
    if delay is None:
        freshness = "mixed delays"
    elif delay is DataDelay.UNKNOWN:
        freshness = "delay unknown"
    else:
        freshness = delay.value
    return f"Polygon/Massive ({freshness})"


def disclaimer(delay: DataDelay | None) -> str:
    return f"Not financial advice. Data: {data_source(delay)}."
