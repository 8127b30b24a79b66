"""The console and JSON-lines sinks: one line per alert, readable back."""

from __future__ import annotations

import io
from pathlib import Path

from bot.alerts import Alert, render_embed, render_line
from bot.delivery import ConsoleSink, JsonlSink
from tests.support import alert_examples as examples


async def test_json_lines_read_back_as_the_same_alerts(tmp_path: Path) -> None:
    path = tmp_path / "out" / "alerts.jsonl"
    sink = JsonlSink(path)
    written = [examples.sweeps(), examples.darkpool()]
    for alert in written:
        await sink.publish(alert, render_embed(alert))
    assert [Alert.model_validate_json(line) for line in path.read_text().splitlines()] == written


async def test_the_console_shows_one_line_per_alert() -> None:
    stream = io.StringIO()
    alert = examples.golden_sweeps()
    await ConsoleSink(stream).publish(alert, render_embed(alert))
    assert stream.getvalue() == render_line(alert) + "\n"
