"""An alert as one plain-text line, for the terminal, the demo and the logs.

14:31:20 ET SWEEPS  SPY 600C 12/19 (24d)  $1.20M  2,000 @ 6.00 BUY  bullish  score 78  [SWEEP, OPENING]
"""

from __future__ import annotations

from bot.alerts import text
from bot.alerts.model import Alert, AlertKind, DataDelay, Scanner
from bot.alerts.text import shown

SEPARATOR = "  "


def render_line(alert: Alert) -> str:
    if alert.kind is AlertKind.OPTION:
        facts = option_facts(alert)
    elif alert.scanner is Scanner.DARKPOOL:
        facts = darkpool_facts(alert)
    else:
        facts = breakout_facts(alert)
    tags = ", ".join(tag.value for tag in alert.ordered_tags)
    parts = [
        f"{text.et_time(alert.detected_at)} {alert.scanner.value.upper()}",
        *facts,
        shown(alert.sentiment, lambda sentiment: sentiment.value),
        shown(alert.score, lambda score: f"score {round(score)}"),
        f"[{tags}]" if tags else None,
        None if alert.data_delay is DataDelay.REAL_TIME else text.data_source(alert.data_delay),
    ]
    line = SEPARATOR.join(part for part in parts if part)
    # Free text from a scanner (the NBBO position) must not split one alert over two log lines.
    return " ".join(line.splitlines())


def option_facts(alert: Alert) -> list[str | None]:
    trade = [
        shown(alert.size, text.count),
        shown(alert.average_price, lambda average: f"@ {average:.2f}"),
        shown(alert.side, lambda side: side.value + (" (approx)" if alert.side_is_approximate else "")),
    ]
    return [
        text.contract_label(alert) + (shown(alert.dte, lambda days: f" ({days}d)") or ""),
        shown(alert.premium, text.money),
        " ".join(part for part in trade if part) or None,
    ]


def darkpool_facts(alert: Alert) -> list[str | None]:
    # Never a side: a dark print does not say who was the aggressor.
    trade = [shown(alert.size, lambda size: f"{text.count(size)} sh"), shown(alert.price, lambda p: f"@ {p:.2f}")]
    level = [shown(alert.level_rank, lambda rank: f"#{rank}"), shown(alert.level_price, lambda p: f"{p:.2f}")]
    return [
        alert.ticker,
        shown(alert.notional, text.money),
        " ".join(part for part in trade if part) or None,
        "level " + " ".join(part for part in level if part) if any(level) else None,
        alert.nbbo_position,
        shown(alert.percent_of_adv, lambda share: f"{text.small_percent(share)} ADV"),
    ]


def breakout_facts(alert: Alert) -> list[str | None]:
    level_name = "under 20d low" if alert.is_breakdown else "above 20d high"
    past = shown(alert.percent_past_level, lambda distance: f" ({distance:+.1f}%)") or ""
    return [
        alert.ticker,
        shown(alert.price, lambda p: f"{p:.2f}"),
        shown(alert.broken_level, lambda level: f"{level_name} {level:.2f}{past}"),
        shown(alert.relative_volume, lambda rvol: f"RVOL {rvol:.1f}x"),
        shown(alert.change_percent, lambda change: f"day {change:+.1f}%"),
    ]
