"""Small builders so that a store test reads like the behaviour it checks."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime

from bot.store import DeliveryTarget, RecordedAlert, Store

START = datetime(2025, 3, 3, 15, 0, tzinfo=UTC)
GUILD = 111
OTHER_GUILD = 222


async def raise_alert(
    store: Store,
    *,
    scanner: str = "sweeps",
    ticker: str = "SPY",
    to_channels: Sequence[int] = (),
    guild_id: int = GUILD,
) -> RecordedAlert:
    """Log an alert as a scanner would, queued for `to_channels` of `guild_id`."""
    return await store.alerts.add(
        scanner=scanner,
        ticker=ticker,
        dedup_key=f"{scanner}:{ticker}",
        payload=json.dumps({"scanner": scanner, "ticker": ticker, "premium": 125_000.0}),
        deliver_to=[DeliveryTarget(guild_id, channel) for channel in to_channels],
    )
