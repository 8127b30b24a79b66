"""Sinks for a terminal and for other programs: one text line, or one JSON line, per alert."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path
from typing import TextIO

import discord

from bot.alerts import Alert, render_line


class ConsoleSink:
    name = "console"

    def __init__(self, stream: TextIO | None = None) -> None:
        self._stream = stream

    async def publish(self, alert: Alert, embed: discord.Embed) -> None:
        print(render_line(alert), file=self._stream or sys.stdout, flush=True)


class JsonlSink:
    """Appends `Alert.to_json()` lines; `Alert.model_validate_json(line)` reads each back."""

    name = "jsonl"

    def __init__(self, path: Path) -> None:
        self.path = path

    async def publish(self, alert: Alert, embed: discord.Embed) -> None:
        await asyncio.to_thread(self._append, alert.to_json() + "\n")

    def _append(self, line: str) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self.path.open("a", encoding="utf-8") as file:
            file.write(line)
