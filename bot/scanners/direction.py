"""The direction a flow bets on, for scanners that need the market to agree with it."""

from __future__ import annotations

from typing import Literal

from bot.analytics.tape import Sentiment
from bot.market.trade_reader import TapeReading

Direction = Literal["bullish", "bearish"]


def flow_direction(reading: TapeReading) -> Direction | None:
    """Calls bought or puts sold: bullish; puts bought or calls sold: bearish; else none.

    Without a side (no quote, or a print between bid and ask) there is no direction, and a
    scanner that needs one stays quiet rather than assume the buyer.
    """
    if reading.sentiment is Sentiment.BULLISH:
        return "bullish"
    if reading.sentiment is Sentiment.BEARISH:
        return "bearish"
    return None
