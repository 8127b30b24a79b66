"""What a command configured logging with, recorded instead of done: the root logger stays
as pytest set it, and a test can check the command handed over every secret to scrub."""

from __future__ import annotations

import pytest

LoggingCalls = list[tuple[str, list[str]]]


def record_logging_setup(monkeypatch: pytest.MonkeyPatch, command: str) -> LoggingCalls:
    """(level, secrets) of each call `bot.cli.<command>` makes to `configure_logging`."""
    calls: LoggingCalls = []
    monkeypatch.setattr(
        f"bot.cli.{command}.configure_logging", lambda level, secrets: calls.append((level, list(secrets)))
    )
    return calls
