"""`make demo`'s job, end to end, for a few seconds of wall time."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def test_a_short_fast_demo_posts_alerts_catches_every_planted_event_in_its_window_and_exits_0(
    tmp_path: Path,
) -> None:
    alerts = tmp_path / "alerts.jsonl"
    result = subprocess.run(
        [
            sys.executable, "-m", "bot", "demo",
            "--scenario", str(REPO / "data" / "scenarios" / "quick.json"),
            "--start", "10:03", "--speed", "30", "--duration", "20",
            "--db", str(tmp_path / "demo.db"), "--jsonl", str(alerts),
        ],
        capture_output=True, text=True, timeout=180, cwd=tmp_path,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-2000:]
    lines = alerts.read_text().splitlines()
    assert lines, "the demo posted nothing"
    summary = result.stdout[result.stdout.index("summary") :]
    assert "missed" not in summary, summary
    assert "caught  q-golden-spy" in summary
    caught, expected = summary.split("planted events caught: ")[1].split(" ·")[0].split(" of ")
    assert int(caught) == int(expected) > 0
    assert "SPY $642 Call" in result.stdout  # the alert drawn as its embed
