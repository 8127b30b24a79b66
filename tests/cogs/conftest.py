"""The bot on dpytest with its real services: see `tests.support.discord_bot`."""

from tests.support.discord_bot import clock, polygon, settings, world

__all__ = ["clock", "polygon", "settings", "world"]
