"""`python -m bot demo`: the main job on the embedded simulator and SQLite, in the terminal.

SIGTERM or Ctrl-C ends it early the way the duration does: runs in flight finish, the summary
prints, the database closes, exit 0.
"""

from __future__ import annotations

import argparse
import asyncio
from datetime import time
from pathlib import Path

from rich.console import Console

from bot.logs import configure_logging
from bot.demo import DEFAULT_SCENARIO, DEFAULT_START, DemoResult, print_summary, run_demo
from bot.signals import on_stop_signal


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--scenario", type=Path, default=DEFAULT_SCENARIO, help="scenario JSON (default: busy)")
    parser.add_argument("--speed", type=float, default=60.0, help="market seconds per wall second (default 60)")
    parser.add_argument("--duration", type=float, default=90.0, help="wall seconds to run (default 90)")
    parser.add_argument("--start", type=time.fromisoformat, default=DEFAULT_START, help="market time to start, ET")
    parser.add_argument("--jsonl", type=Path, help="also write one alert JSON per line here")
    parser.add_argument("--db", type=Path, default=Path("data/demo.db"), help="SQLite file (default data/demo.db)")


def run(args: argparse.Namespace) -> int:
    if args.speed <= 0 or args.duration <= 0:
        print("--speed and --duration must be positive")
        return 2
    console = Console()
    # The terminal shows alerts; only problems are logged beside them.
    configure_logging("WARNING")
    result = asyncio.run(demo_until_stopped(args, console))
    print_summary(console, result)
    return 0


async def demo_until_stopped(args: argparse.Namespace, console: Console) -> DemoResult:
    stop = asyncio.Event()
    with on_stop_signal(stop.set):
        return await run_demo(
            args.scenario, speed=args.speed, duration=args.duration, start=args.start, db_path=args.db,
            jsonl=args.jsonl, console=console, stop=stop,
        )  # fmt: skip
