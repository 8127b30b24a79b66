"""Realistic alerts, one per scanner, and worst cases with the longest realistic values.

Numbers are consistent the way a scanner would produce them (premium = size × price × 100,
score = the sum of its components, DTE in ET calendar days), so renderings can be checked
against hand-computed text. Other suites (router, cogs) may use them as sample alerts.
"""

from __future__ import annotations

from datetime import date, datetime, timezone
from typing import Any

from bot.alerts import Alert, DataDelay, Scanner, ScoreComponent, Sentiment, Side, Status, Tag

# 14:31:20 ET on a summer day (EDT, UTC-4) and on a winter day (EST, UTC-5).
SUMMER_DETECTION = datetime(2025, 6, 12, 18, 31, 20, tzinfo=timezone.utc)
WINTER_DETECTION = datetime(2025, 11, 25, 19, 31, 20, tzinfo=timezone.utc)
SUMMER_WINDOW = (datetime(2025, 6, 12, 18, 31, 5, tzinfo=timezone.utc), SUMMER_DETECTION)
WINTER_WINDOW = (datetime(2025, 11, 25, 19, 31, 5, tzinfo=timezone.utc), WINTER_DETECTION)


def variant(alert: Alert, **updates: Any) -> Alert:
    """The same alert with some fields changed, validated like any new one."""
    return Alert(**{**alert.model_dump(exclude={"id", "kind"}), **updates})


def components(*parts: tuple[str, float, str]) -> tuple[ScoreComponent, ...]:
    return tuple(ScoreComponent(name=name, points=points, basis=basis) for name, points, basis in parts)


def flow() -> Alert:
    return Alert(
        scanner=Scanner.FLOW, dedup_key="O:NVDA250718C00140000", ticker="NVDA",
        detected_at=SUMMER_DETECTION, data_delay=DataDelay.REAL_TIME,
        window_start=SUMMER_WINDOW[0], window_end=SUMMER_WINDOW[1],
        contract="O:NVDA250718C00140000", contract_type="call", strike=140, expiration=date(2025, 7, 18), dte=36,
        premium=62_000, size=310, average_price=2.00, side=Side.BUY, sentiment=Sentiment.BULLISH,
        tags={Tag.REPEAT, Tag.OPENING}, repeat_count=3, accumulated_premium=184_500,
        spot=141.80, implied_volatility=0.42, prob_itm=0.54, delta=0.55,
        open_interest=12_400, day_volume=9_870, volume_oi_ratio=0.80,
        score=64, score_components=components(
            ("repeat hits", 30, "3 hits in 41 min"),
            ("accumulated premium", 22, "$184.5K in 1 h"),
            ("prob ITM", 12, "54% from IV 42%"),
        ),
    )  # fmt: skip


def sweeps() -> Alert:
    return Alert(
        scanner=Scanner.SWEEPS, dedup_key="O:SPY251219C00600000", ticker="SPY",
        detected_at=WINTER_DETECTION, data_delay=DataDelay.REAL_TIME,
        window_start=WINTER_WINDOW[0], window_end=WINTER_WINDOW[1],
        contract="O:SPY251219C00600000", contract_type="call", strike=600, expiration=date(2025, 12, 19), dte=24,
        premium=1_200_000, size=2_000, average_price=6.00, side=Side.BUY, sentiment=Sentiment.BULLISH,
        tags={Tag.SWEEP, Tag.OPENING}, exchanges=4,
        spot=590.12, implied_volatility=0.14, prob_itm=0.31, delta=0.33,
        open_interest=1_450, day_volume=3_900, volume_oi_ratio=2.69,
        score=78, score_components=components(
            ("premium", 38, "$1.2M"),
            ("size vs OI", 20, "2,000 vs 1,450 OI"),
            ("volume vs average", 10, "3.9K vs 20-day avg 1.1K"),
            ("strike distance", 5, "1.7% OTM"),
            ("side", 5, "bought at the ask"),
        ),
    )  # fmt: skip


def golden_sweeps() -> Alert:
    return Alert(
        scanner=Scanner.GOLDEN_SWEEPS, dedup_key="O:AAPL250815P00200000", ticker="AAPL",
        detected_at=SUMMER_DETECTION, data_delay=DataDelay.DELAYED,
        window_start=SUMMER_WINDOW[0], window_end=SUMMER_WINDOW[1],
        contract="O:AAPL250815P00200000", contract_type="put", strike=200, expiration=date(2025, 8, 15), dte=64,
        premium=2_348_500, size=3_500, average_price=6.71, side=Side.BUY, sentiment=Sentiment.BEARISH,
        tags={Tag.SWEEP}, exchanges=6,
        spot=203.40, implied_volatility=0.27, prob_itm=0.38, delta=-0.36,
        open_interest=22_100, day_volume=8_200, volume_oi_ratio=0.37,
        score=88, score_components=components(
            ("premium", 60, "$2.35M"),
            ("strike distance", 18, "1.7% OTM"),
            ("side", 10, "bought at the ask"),
        ),
    )  # fmt: skip


def bullseye() -> Alert:
    return Alert(
        scanner=Scanner.BULLSEYE, dedup_key="O:AMD250711C00120000", ticker="AMD",
        detected_at=SUMMER_DETECTION, data_delay=DataDelay.REAL_TIME,
        window_start=SUMMER_WINDOW[0], window_end=SUMMER_WINDOW[1],
        contract="O:AMD250711C00120000", contract_type="call", strike=120, expiration=date(2025, 7, 11), dte=29,
        premium=48_000, size=160, average_price=3.00, side=Side.BUY, side_is_approximate=True,
        sentiment=Sentiment.BULLISH, tags={Tag.LARGE_VOLUME},
        spot=118.90, implied_volatility=0.48, prob_itm=0.44, delta=0.48,
        open_interest=1_200, day_volume=4_320, volume_oi_ratio=3.6,
        score=70, score_components=components(
            ("delta", 20, "0.48, near the money"),
            ("volume vs OI", 25, "3.6×"),
            ("momentum", 25, "SMA20 > SMA50, close > SMA20"),
        ),
    )  # fmt: skip


def scalps() -> Alert:
    """0DTE, and the snapshot had no IV: no probability ITM can be given."""
    return Alert(
        scanner=Scanner.SCALPS, dedup_key="O:SPY250612P00598000", ticker="SPY",
        detected_at=SUMMER_DETECTION, data_delay=DataDelay.REAL_TIME,
        window_start=SUMMER_WINDOW[0], window_end=SUMMER_WINDOW[1],
        contract="O:SPY250612P00598000", contract_type="put", strike=598, expiration=date(2025, 6, 12), dte=0,
        premium=12_300, size=150, average_price=0.82, side=Side.BUY, sentiment=Sentiment.BEARISH,
        tags={Tag.SPLIT}, exchanges=1, spot=600.35,
        score=55, score_components=components(
            ("strat combo", 25, "2-1-2 down on 5 min"),
            ("RSI(14)", 15, "41.2, below 50"),
            ("strike distance", 15, "0.4% OTM"),
        ),
    )  # fmt: skip


def darkpool() -> Alert:
    return Alert(
        scanner=Scanner.DARKPOOL, dedup_key="AAPL:52983525033527", ticker="AAPL",
        detected_at=SUMMER_DETECTION, data_delay=DataDelay.REAL_TIME,
        window_start=SUMMER_WINDOW[0], window_end=SUMMER_WINDOW[1],
        price=192.31, size=65_000, notional=12_500_150, percent_of_adv=0.13,
        level_price=192.30, level_rank=1, nbbo_position="at mid", tags={Tag.DARK_POOL},
        score=71, score_components=components(
            ("notional", 45, "$12.5M"),
            ("share of ADV", 6, "0.13% of 30-day ADV"),
            ("level", 20, "the day's #1 dark level"),
        ),
    )  # fmt: skip


def breakouts() -> Alert:
    return Alert(
        scanner=Scanner.BREAKOUTS, dedup_key="NVDA:BREAKOUT:2025-06-12", ticker="NVDA",
        detected_at=SUMMER_DETECTION, data_delay=DataDelay.REAL_TIME,
        price=141.20, resistance=139.50, support=118.20, sma20=131.40,
        relative_volume=3.4, change_percent=4.1, sentiment=Sentiment.BULLISH, tags={Tag.BREAKOUT},
        score=80, score_components=components(
            ("relative volume", 35, "3.4× the 20-day pace"),
            ("distance past level", 15, "+1.2% over the 20-day high"),
            ("day change", 20, "+4.1%"),
            ("range vs ATR", 10, "1.6 ATR"),
        ),
    )  # fmt: skip


REALISTIC = {
    Scanner.FLOW: flow, Scanner.SWEEPS: sweeps, Scanner.GOLDEN_SWEEPS: golden_sweeps,
    Scanner.BULLSEYE: bullseye, Scanner.SCALPS: scalps, Scanner.DARKPOOL: darkpool, Scanner.BREAKOUTS: breakouts,
}  # fmt: skip


def long_components(count: int = 30) -> tuple[ScoreComponent, ...]:
    """Score components at the model's length limits."""
    return tuple(
        ScoreComponent(name=f"component {number:02d} ".ljust(64, "x"), points=-12.5 + number, basis="b" * 256)
        for number in range(count)
    )


def worst_option() -> Alert:
    """Every field filled, every tag, the longest names and the biggest numbers."""
    return Alert(
        scanner=Scanner.GOLDEN_SWEEPS, dedup_key="O:BRK.B251219C01234500", ticker="BRK.B",
        detected_at=WINTER_DETECTION, data_delay=DataDelay.UNKNOWN, status=Status.ACCUMULATION,
        window_start=datetime(2025, 11, 25, 4, 59, 59, tzinfo=timezone.utc), window_end=WINTER_DETECTION,
        contract="O:BRK.B251219C01234500", contract_type="call", strike=1234.5, expiration=date(2025, 11, 25), dte=0,
        premium=987_654_321_000, size=9_999_999, average_price=98_765.43, side=Side.MID, side_is_approximate=True,
        sentiment=Sentiment.NEUTRAL, tags=set(Tag), extended_hours=True, exchanges=17,
        spot=1_234_567.89, implied_volatility=12.5, prob_itm=0.999, delta=-0.999,
        open_interest=99_999_999, day_volume=999_999_999, volume_oi_ratio=12_345.6,
        repeat_count=999, accumulated_premium=9_876_543_210_000,
        score=100, score_components=long_components(),
    )  # fmt: skip


def worst_darkpool() -> Alert:
    return Alert(
        scanner=Scanner.DARKPOOL, dedup_key="BRK.B:" + "9" * 40, ticker="BRK.B",
        detected_at=WINTER_DETECTION, data_delay=DataDelay.DELAYED, status=Status.ACCUMULATION,
        window_start=WINTER_WINDOW[0], window_end=WINTER_WINDOW[1],
        price=987_654.32, size=99_999_999, notional=98_765_432_100_000, percent_of_adv=9_999.9,
        level_price=987_654.32, level_rank=999, nbbo_position="n" * 64, tags={Tag.DARK_POOL, Tag.EXTENDED_HOURS},
        extended_hours=True, exchanges=1, score=99.5, score_components=long_components(),
    )  # fmt: skip


WORST_CASES = {"option": worst_option, "darkpool": worst_darkpool}
