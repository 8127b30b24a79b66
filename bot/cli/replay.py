"""`python -m bot replay`: a scenario's session on a virtual clock, alerts as JSON lines."""

from __future__ import annotations

import argparse
import asyncio
from datetime import time
from pathlib import Path

from bot.alerts import render_line
from bot.alerts.model import Alert
from bot.replay import replay


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--scenario", type=Path, required=True, help="scenario JSON (see docs/scenarios.md)")
    parser.add_argument("--out", type=Path, help="write one alert JSON per line here")
    parser.add_argument("--step", type=float, default=1.0, help="virtual seconds per step (default 1)")
    parser.add_argument("--until", type=time.fromisoformat, help="stop at this ET time (default 20:00)")
    parser.add_argument("--quiet", action="store_true", help="print only the summary")


def run(args: argparse.Namespace) -> int:
    if args.step <= 0:
        print("--step must be positive")
        return 2

    def show(alert: Alert) -> None:
        if not args.quiet:
            print(render_line(alert))

    summary = asyncio.run(replay(args.scenario, out=args.out, step=args.step, until=args.until, on_alert=show))
    print(summary.render())
    return 0
