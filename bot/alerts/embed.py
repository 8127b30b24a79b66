"""An alert as the Discord embed a channel sees: real values only, within Discord's limits."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import discord

from bot.alerts import text
from bot.alerts.embed_limits import FIELD_VALUE_LIMIT, EmbedDraft, EmbedField, pack_lines, to_embed
from bot.alerts.model import Alert, AlertKind, ContractType, Scanner, Sentiment, Side, Status
from bot.alerts.text import shown

T = TypeVar("T")

GREEN = 0x2ECC71
RED = 0xE74C3C
GREY = 0x95A5A6
GOLD = 0xFFD700
# One status emoji and a colour per direction; anything without a direction is neutral.
SENTIMENT_STYLE: dict[Sentiment | None, tuple[str, int]] = {
    Sentiment.BULLISH: ("🟢", GREEN),
    Sentiment.BEARISH: ("🔴", RED),
}
NEUTRAL_STYLE = ("⚪", GREY)
NO_IV = "n/a (no IV)"


def render_embed(alert: Alert) -> discord.Embed:
    return to_embed(alert_draft(alert))


def alert_draft(alert: Alert) -> EmbedDraft:
    emoji, colour = SENTIMENT_STYLE.get(alert.sentiment, NEUTRAL_STYLE)
    if alert.scanner is Scanner.GOLDEN_SWEEPS:
        colour = GOLD
    facts = {
        AlertKind.OPTION: option_fields,
        AlertKind.STOCK: darkpool_fields if alert.scanner is Scanner.DARKPOOL else breakout_fields,
    }[alert.kind](alert)
    window = None
    if alert.window_start is not None and alert.window_end is not None:
        window = EmbedField("Window", text.window(alert.window_start, alert.window_end))
    return EmbedDraft(
        title=f"{emoji} {title_subject(alert)}",
        colour=colour,
        timestamp=alert.detected_at,
        footer=f"{text.disclaimer(alert.data_delay)} Alert {alert.id}",
        description=" · ".join(tag.value for tag in alert.ordered_tags) or None,
        author=alert.scanner.label + (" · ACCUMULATION" if alert.status is Status.ACCUMULATION else ""),
        fields=tuple(item for item in (*facts, window) if item is not None) + score_fields(alert),
    )


def title_subject(alert: Alert) -> str:
    if alert.kind is AlertKind.OPTION and alert.strike is not None and alert.expiration is not None:
        kind = "Call" if alert.contract_type is ContractType.CALL else "Put"
        expiry = text.short_expiry(alert.expiration, text.et(alert.detected_at).date())
        return f"{alert.ticker} ${text.strike(alert.strike)} {kind} {expiry} · {text.headline(alert)}"
    if alert.scanner is Scanner.DARKPOOL and alert.notional is not None:
        return f"{alert.ticker} · {text.headline(alert)} {text.money(alert.notional)}"
    if alert.scanner is Scanner.BREAKOUTS and alert.broken_level is not None:
        where = "below" if alert.is_breakdown else "above"
        return f"{alert.ticker} · {text.headline(alert)} {where} {text.price(alert.broken_level)}"
    return f"{alert.ticker} · {text.headline(alert)}"


def joined(name: str, *parts: str | None) -> EmbedField | None:
    """A field of the measured parts; no field at all when none was measured."""
    present = [part for part in parts if part]
    return EmbedField(name, " · ".join(present)) if present else None


def optional(name: str, value: T | None, show: Callable[[T], str]) -> EmbedField | None:
    return joined(name, shown(value, show))


def option_fields(alert: Alert) -> list[EmbedField | None]:
    return [
        optional("Premium", alert.premium, text.money),
        optional("Size", alert.size, lambda size: f"{text.count(size)} contracts"),
        optional("Avg price", alert.average_price, text.price),
        optional("Side", alert.side, lambda side: side_text(side, alert.side_is_approximate)),
        optional("Sentiment", alert.sentiment, lambda sentiment: sentiment.value.capitalize()),
        joined("Expiry", shown(alert.expiration, "{:%Y-%m-%d}".format), shown(alert.dte, text.dte)),
        joined("Spot", shown(alert.spot, text.price), moneyness(alert)),
        prob_itm_field(alert),
        optional("IV", alert.implied_volatility, lambda iv: f"{iv * 100:.1f}%"),
        optional("Delta", alert.delta, lambda delta: f"{delta:+.2f}"),
        optional("Vol/OI", alert.volume_oi_ratio, text.multiple),
        optional("Open interest", alert.open_interest, text.count),
        optional("Day volume", alert.day_volume, text.count),
        joined(
            "Repeats",
            shown(alert.repeat_count, lambda hits: text.plural(hits, "hit")),
            shown(alert.accumulated_premium, lambda total: f"{text.money(total)} accumulated"),
        ),
        optional("Exchanges", alert.exchanges, text.count),
    ]


def darkpool_fields(alert: Alert) -> list[EmbedField | None]:
    # A dark print has no aggressor: nothing here may read as a buy or a sell.
    return [
        optional("Price", alert.price, text.price),
        optional("Size", alert.size, lambda size: f"{text.count(size)} shares"),
        optional("Notional", alert.notional, text.money),
        optional("Share of ADV", alert.percent_of_adv, lambda share: f"{text.small_percent(share)} of 30-day avg volume"),
        joined(
            "Level",
            shown(alert.level_price, text.price),
            shown(alert.level_rank, lambda rank: f"#{rank} of the day"),
        ),
        optional("vs NBBO", alert.nbbo_position, str),
        optional("Exchanges", alert.exchanges, text.count),
    ]


def breakout_fields(alert: Alert) -> list[EmbedField | None]:
    level_name = "20-day low" if alert.is_breakdown else "20-day high"
    return [
        optional("Price", alert.price, text.price),
        joined(
            "Level broken",
            shown(alert.broken_level, lambda level: f"{level_name} {text.price(level)}"),
            shown(alert.percent_past_level, lambda past: f"{text.signed_percent(past)} past it"),
        ),
        optional("Relative volume", alert.relative_volume, text.multiple),
        optional("Day change", alert.change_percent, text.signed_percent),
        joined("SMA20", sma20_text(alert)),
        optional("20-day high", alert.resistance if alert.is_breakdown else None, text.price),
        optional("20-day low", alert.support if not alert.is_breakdown else None, text.price),
        optional("Sentiment", alert.sentiment, lambda sentiment: sentiment.value.capitalize()),
    ]


def score_fields(alert: Alert) -> tuple[EmbedField, ...]:
    """"Score 78/100" listing every component, continued in further fields if it runs long."""
    if alert.score is None:
        return ()
    lines = [f"{part.name}: {part.basis} → {text.points(part.points)}" for part in alert.score_components]
    chunks = pack_lines(lines, FIELD_VALUE_LIMIT)
    names = [f"Score {round(alert.score)}/100"] + ["Score (continued)"] * (len(chunks) - 1)
    return tuple(EmbedField(name, chunk, inline=False) for name, chunk in zip(names, chunks))


def prob_itm_field(alert: Alert) -> EmbedField | None:
    if alert.prob_itm is not None:
        return EmbedField("Prob ITM", text.percent(alert.prob_itm))
    # Without IV there is no honest probability, and the reader should know why it is absent.
    return EmbedField("Prob ITM", NO_IV) if alert.implied_volatility is None else None


def side_text(side: Side, approximate: bool) -> str:
    shown = "unknown" if side is Side.UNKNOWN else side.value
    return f"{shown} (approximate)" if approximate and side is not Side.UNKNOWN else shown


def moneyness(alert: Alert) -> str | None:
    spot, strike = alert.spot, alert.strike
    if spot is None or strike is None:
        return None
    if strike == spot:
        return "at the money"
    in_the_money = spot > strike if alert.contract_type is ContractType.CALL else spot < strike
    return f"strike {abs(strike - spot) / spot * 100:.1f}% {'ITM' if in_the_money else 'OTM'}"


def sma20_text(alert: Alert) -> str | None:
    """"price above $135.10": which side of its 20-day average the price is on."""
    if alert.sma20 is None:
        return None
    if alert.price is None:
        return text.price(alert.sma20)
    side = "above" if alert.price > alert.sma20 else "below" if alert.price < alert.sma20 else "at"
    return f"price {side} {text.price(alert.sma20)}"
