"""The flood digest: what a channel over its hourly budget gets instead of one post each."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

import discord

from bot.alerts import text
from bot.alerts.embed import GREY
from bot.alerts.embed_limits import EmbedDraft, EmbedField, to_embed
from bot.alerts.model import Alert, AlertKind, Scanner
from bot.alerts.text import shown

DIGEST_TOP = 10


def render_digest(alerts: Sequence[Alert], channel_budget: int) -> discord.Embed:
    """"12 more alerts this hour: top 10 by premium", the rest counted per scanner."""
    if not alerts:
        raise ValueError("a digest summarises at least one alert")
    if channel_budget < 1:
        raise ValueError(f"a channel budget is at least one alert an hour, got {channel_budget}")
    # Alerts without a dollar amount (breakouts) rank after every one that has one.
    ranked = sorted(alerts, key=lambda alert: alert.dollar_value or 0.0, reverse=True)[:DIGEST_TOP]
    delays = {alert.data_delay for alert in alerts}
    per_scanner = Counter(alert.scanner for alert in alerts)
    counts = " · ".join(f"{scanner.label} {per_scanner[scanner]}" for scanner in Scanner if per_scanner[scanner])
    intro = f"This channel is over its budget of {text.plural(channel_budget, 'alert')} an hour."
    return to_embed(
        EmbedDraft(
            title=f"{text.plural(len(alerts), 'more alert')} this hour: top {len(ranked)} by premium",
            colour=GREY,
            timestamp=max(alert.detected_at for alert in alerts),
            footer=text.disclaimer(delays.pop() if len(delays) == 1 else None),
            description="\n".join([intro, *(digest_entry(alert) for alert in ranked)]),
            fields=(EmbedField("By scanner", counts, inline=False),),
        )
    )


def digest_entry(alert: Alert) -> str:
    """`14:31:20 ET` **SPY 600C 12/19 SWEEP** $1.20M · Sweeps · score 78"""
    subject = text.contract_label(alert) if alert.kind is AlertKind.OPTION else alert.ticker
    parts = [
        shown(alert.dollar_value, text.money),
        alert.scanner.label,
        shown(alert.score, lambda score: f"score {round(score)}"),
    ]
    details = " · ".join(part for part in parts if part)
    return f"`{text.et_time(alert.detected_at)}` **{subject} {text.headline(alert)}** {details}"
