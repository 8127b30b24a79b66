"""The Alert every scanner emits and its three renderings: Discord embed, one text line, JSON.

`Alert.to_json()` writes one line; `Alert.model_validate_json(line)` reads it back. The
Discord renderings load discord.py only when first used, so the scanners, replay and the
terminal never import it just to build an Alert.
"""

from typing import TYPE_CHECKING, Any

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

if TYPE_CHECKING:
    from bot.alerts.digest import render_digest
    from bot.alerts.embed import render_embed

_DISCORD_RENDERINGS = {"render_embed": "bot.alerts.embed", "render_digest": "bot.alerts.digest"}


def __getattr__(name: str) -> Any:
    if name in _DISCORD_RENDERINGS:
        import importlib

        return getattr(importlib.import_module(_DISCORD_RENDERINGS[name]), name)
    raise AttributeError(f"module 'bot.alerts' has no attribute {name!r}")


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
