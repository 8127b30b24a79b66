"""Flow events and tape readings as a test wants them: realistic defaults, one change each."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta, timezone

from bot.analytics.tape import Sentiment, Side, Style
from bot.market.events import FlowEvent
from bot.market.trade_reader import TapeReading

SESSION = date(2026, 11, 24)
WINDOW_END = datetime(2026, 11, 24, 15, 30, 15, tzinfo=timezone.utc)  # 10:30:15 ET


def flow_event(**changes: object) -> FlowEvent:
    event = FlowEvent(
        underlying="SPY", contract="O:SPY261218C00600000", contract_type="call", strike=600.0,
        expiration=date(2026, 12, 18), shares_per_contract=100, dte=24, contracts=2_000,
        premium=1_200_000.0, average_price=6.0, price_source="vwap",
        window_start=WINDOW_END - timedelta(seconds=15), window_end=WINDOW_END, session=SESSION,
        day_volume=2_500, open_interest=1_000, implied_volatility=0.18, delta=0.52, gamma=0.01,
        theta=-0.2, vega=0.6, bid=5.9, ask=6.0, last_trade_price=6.0, underlying_price=598.0,
        underlying_price_source="chain", timeframe="REAL-TIME",
    )  # fmt: skip
    return replace(event, **changes)


def reading(**changes: object) -> TapeReading:
    base = TapeReading(
        style=Style.SWEEP, trades_available=True, premium=1_200_000.0, contracts=2_000, average_price=6.0,
        side=Side.BUY, side_is_approximate=False, sentiment=Sentiment.BULLISH, exchanges=4, fills=6,
    )  # fmt: skip
    return replace(base, **changes)
