"""Hypothesis strategies for any alert the model accepts, long and odd values included."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

from hypothesis import strategies as st

from bot.alerts import Alert, AlertKind, ContractType, DataDelay, Scanner, ScoreComponent, Sentiment, Side, Status, Tag

MOMENTS = st.datetimes(
    min_value=datetime(2020, 1, 1), max_value=datetime(2035, 12, 31), timezones=st.just(timezone.utc)
)
MONEY = st.floats(min_value=0, max_value=1e15, allow_nan=False)
PRICES = st.floats(min_value=0.01, max_value=1e7, allow_nan=False)
RATIOS = st.floats(min_value=0, max_value=1e6, allow_nan=False)
COUNTS = st.integers(min_value=1, max_value=10**12)


def free_text(max_size: int) -> st.SearchStrategy[str]:
    """Any one-line text the model takes: any script, symbols and emoji, not blank."""
    characters = st.characters(codec="utf-8", exclude_categories=("Cs", "Cc"))
    return st.text(characters, min_size=1, max_size=max_size).filter(str.strip)


def maybe(strategy: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.none() | strategy


COMPONENTS = st.lists(
    st.builds(
        ScoreComponent,
        name=free_text(64),
        points=st.floats(min_value=-100, max_value=100, allow_nan=False),
        basis=free_text(256),
    ),
    max_size=40,
    unique_by=lambda component: component.name,
)


@st.composite
def alerts(draw: st.DrawFn) -> Alert:
    scanner = draw(st.sampled_from(Scanner))
    detected_at = draw(MOMENTS)
    window_length = draw(maybe(st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=3))))
    parts = draw(COMPONENTS)
    extended_hours = draw(st.booleans())
    fields: dict[str, Any] = {
        "scanner": scanner,
        "dedup_key": draw(free_text(128)),
        "ticker": draw(st.from_regex(r"[A-Z][A-Z0-9.]{0,11}", fullmatch=True)),
        "detected_at": detected_at,
        "data_delay": draw(st.sampled_from(DataDelay)),
        "status": draw(st.sampled_from(Status)),
        "size": draw(maybe(COUNTS)),
        "score": draw(st.floats(min_value=0, max_value=100)) if parts else None,
        "score_components": parts,
        "exchanges": draw(maybe(st.integers(min_value=1, max_value=20))),
        "extended_hours": extended_hours,
        "window_start": None if window_length is None else detected_at - window_length,
        "window_end": None if window_length is None else detected_at,
    }
    tags = set(draw(st.frozensets(st.sampled_from(Tag)))) - {Tag.ZERO_DTE, Tag.BREAKOUT, Tag.BREAKDOWN}
    if not extended_hours:
        tags.discard(Tag.EXTENDED_HOURS)
    if scanner.kind is AlertKind.OPTION:
        fields |= draw(option_fields())
    else:
        fields |= draw(stock_fields(scanner))
        if scanner is Scanner.BREAKOUTS:
            tags.add(draw(st.sampled_from([Tag.BREAKOUT, Tag.BREAKDOWN])))
    return Alert(**fields, tags=tags)


@st.composite
def option_fields(draw: st.DrawFn) -> dict[str, Any]:
    iv = draw(maybe(st.floats(min_value=0.001, max_value=50)))
    return {
        "contract": draw(st.from_regex(r"O:[A-Z0-9.]{1,40}", fullmatch=True)),
        "contract_type": draw(st.sampled_from(ContractType)),
        "strike": draw(PRICES),
        "expiration": draw(st.dates()),
        "dte": draw(st.integers(min_value=0, max_value=3000)),
        "premium": draw(maybe(MONEY)),
        "average_price": draw(maybe(MONEY)),
        "side": draw(maybe(st.sampled_from(Side))),
        "side_is_approximate": draw(st.booleans()),
        "sentiment": draw(maybe(st.sampled_from(Sentiment))),
        "spot": draw(maybe(PRICES)),
        "implied_volatility": iv,
        "prob_itm": None if iv is None else draw(maybe(st.floats(min_value=0, max_value=1))),
        "delta": draw(maybe(st.floats(min_value=-1, max_value=1))),
        "volume_oi_ratio": draw(maybe(RATIOS)),
        "open_interest": draw(maybe(COUNTS)),
        "day_volume": draw(maybe(COUNTS)),
        "repeat_count": draw(maybe(COUNTS)),
        "accumulated_premium": draw(maybe(MONEY)),
    }


@st.composite
def stock_fields(draw: st.DrawFn, scanner: Scanner) -> dict[str, Any]:
    darkpool = scanner is Scanner.DARKPOOL
    return {
        "price": draw(maybe(PRICES)),
        "notional": draw(maybe(MONEY)),
        "percent_of_adv": draw(maybe(RATIOS)),
        "level_price": draw(maybe(PRICES)),
        "level_rank": draw(maybe(COUNTS)),
        "nbbo_position": draw(maybe(free_text(64))),
        "relative_volume": draw(maybe(RATIOS)),
        "resistance": draw(maybe(PRICES)),
        "support": draw(maybe(PRICES)),
        "sma20": draw(maybe(PRICES)),
        "change_percent": draw(maybe(st.floats(min_value=-100, max_value=1e4))),
        "side": draw(st.sampled_from([None, Side.UNKNOWN])) if darkpool else draw(maybe(st.sampled_from(Side))),
        "sentiment": draw(st.sampled_from([None, Sentiment.NEUTRAL] if darkpool else [None, *Sentiment])),
    }
