"""The Alert every scanner emits and its three renderings: Discord embed, one text line, JSON.

`Alert.to_json()` writes one line; `Alert.model_validate_json(line)` reads it back.
"""

from bot.alerts.digest import render_digest
from bot.alerts.embed import render_embed
from bot.alerts.line import render_line
from bot.alerts.model import (
    Alert,
    AlertKind,
    ContractType,
    DataDelay,
    Scanner,
    ScoreComponent,
    Sentiment,
    Side,
    Status,
    Tag,
)

__all__ = [
    "Alert",
    "AlertKind",
    "ContractType",
    "DataDelay",
    "Scanner",
    "ScoreComponent",
    "Sentiment",
    "Side",
    "Status",
    "Tag",
    "render_digest",
    "render_embed",
    "render_line",
]
