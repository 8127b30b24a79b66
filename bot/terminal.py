"""Alerts in the terminal as Discord would show them, and a one-line live status.

The panel is drawn from the same draft the Discord embed is built from, so the demo shows
exactly the title, fields, colour and footer a channel would get.
"""

from __future__ import annotations

from collections import Counter

from rich.console import Console, Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from bot.alerts.embed import alert_draft
from bot.alerts.embed_limits import EmbedDraft
from bot.alerts.model import Alert
from bot.alerts.text import et_time

FIELDS_PER_ROW = 3


def embed_panel(draft: EmbedDraft) -> Panel:
    colour = f"#{draft.colour:06x}"
    rows: list[Table] = []
    inline: list[tuple[str, str]] = []

    def flush() -> None:
        if inline:
            table = Table.grid(padding=(0, 3))
            for _ in inline:
                table.add_column()
            table.add_row(*(Text.assemble((name + "\n", "bold"), value) for name, value in inline))
            rows.append(table)
            inline.clear()

    for embed_field in draft.fields:
        if embed_field.inline and len(inline) < FIELDS_PER_ROW:
            inline.append((embed_field.name, embed_field.value))
            continue
        flush()
        if embed_field.inline:
            inline.append((embed_field.name, embed_field.value))
        else:
            rows.append(Table.grid())
            rows[-1].add_row(Text.assemble((embed_field.name + "\n", "bold"), embed_field.value))
    flush()
    body: list[Text | Table] = [Text(draft.description)] if draft.description else []
    return Panel(
        Group(*body, *rows),
        title=Text(draft.title, style=f"bold {colour}"),
        title_align="left",
        subtitle=Text(draft.footer, style="dim"),
        subtitle_align="left",
        border_style=colour,
    )


def alert_panel(alert: Alert) -> Panel:
    return embed_panel(alert_draft(alert))


def status_line(now_text: str, requests_per_minute: int, budget_per_minute: float, alerts: Counter[str]) -> str:
    counts = " ".join(f"{name}={count}" for name, count in sorted(alerts.items()) if count) or "none yet"
    return f"sim {now_text} · API {requests_per_minute}/min of {budget_per_minute:.0f} · alerts: {counts}"


def print_alert(console: Console, alert: Alert) -> None:
    console.print(Text(f"{et_time(alert.detected_at)} · {alert.scanner.label}", style="dim"))
    console.print(alert_panel(alert))
