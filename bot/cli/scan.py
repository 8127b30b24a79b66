"""`python -m bot scan`: the scanners against the configured API, alerts in the terminal.

Needs `POLYGON_API_KEY` (not `DISCORD_TOKEN`). Runs until `--duration` passes or Ctrl-C /
SIGTERM, then prints what it used and found.
"""

from __future__ import annotations

import argparse
import asyncio
import signal
import sys
from collections.abc import Sequence
from pathlib import Path

from rich.console import Console

from bot.alerts.model import Scanner
from bot.cli.check import WHERE, missing_key
from bot.config import Settings, load_settings
from bot.logs import configure_logging
from bot.market.watchlist import WatchedSymbol, WatchlistError, load_watchlist, parse_watchlist
from bot.scan import KeyRefused, greet_server, only_scanners, run_scan, say


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--duration", type=float, metavar="SECONDS", help="stop after this long (default: at Ctrl-C)")
    parser.add_argument(
        "--watchlist", metavar="FILE|SYM,SYM", help="a watchlist file, or symbols separated by commas "
        "(default: ORAKL_WATCHLIST_PATH)",
    )  # fmt: skip
    parser.add_argument(
        "--scanners", metavar="NAME,NAME", help=f"run only these ({', '.join(s.value for s in Scanner)})"
    )
    parser.add_argument("--rps", type=float, metavar="N", help="API requests a second (default: ORAKL_REQUESTS_PER_SECOND)")
    parser.add_argument("--jsonl", type=Path, metavar="PATH", help="also write one alert JSON per line here")
    parser.add_argument(
        "--ignore-hours", action="store_true", help="poll the options chains outside the session (for a simulator)"
    )


def chosen_scanners(text: str) -> list[Scanner]:
    names = [name.strip().lower() for name in text.split(",") if name.strip()]
    known = {scanner.value for scanner in Scanner}
    unknown = [name for name in names if name not in known]
    if unknown or not names:
        raise ValueError(f"--scanners: unknown {', '.join(unknown) or 'nothing given'}; choose from {', '.join(sorted(known))}")
    return [Scanner(name) for name in names]


def chosen_watchlist(text: str | None, settings: Settings) -> list[WatchedSymbol]:
    """A watchlist file, or `SYM,SYM` (anything without a path's `/` or a file's `.txt`).
    Symbols named on the command line are the few that matter: refreshed as tier 1."""
    if text is None:
        return load_watchlist(settings.watchlist_path)
    path = Path(text)
    if path.exists() or "/" in text or text.endswith(".txt"):
        return load_watchlist(path)
    named = parse_watchlist(text.replace(",", "\n"), source="--watchlist")
    return [WatchedSymbol(watched.symbol, tier=1) for watched in named]


def run(args: argparse.Namespace) -> int:
    if args.duration is not None and args.duration <= 0:
        print("--duration must be positive", file=sys.stderr)
        return 2
    if args.rps is not None and args.rps <= 0:
        print("--rps must be positive", file=sys.stderr)
        return 2
    if args.jsonl is not None and not args.jsonl.parent.is_dir():
        print(f"--jsonl: there is no directory {args.jsonl.parent}", file=sys.stderr)
        return 2
    settings = load_settings(**({} if args.rps is None else {"requests_per_second": args.rps}))
    if (missing := missing_key(settings)) is not None:
        print(missing, file=sys.stderr)
        return 2
    try:
        scanners = chosen_scanners(args.scanners) if args.scanners is not None else None
        watchlist = chosen_watchlist(args.watchlist, settings)
    except (ValueError, WatchlistError) as error:
        print(error, file=sys.stderr)
        return 2
    if scanners is not None:
        settings = only_scanners(settings, scanners)
    # The greeting's failure is told in one line of its own, not also logged by the client.
    configure_logging("ERROR", secrets=settings.secrets())
    return asyncio.run(scan(settings, watchlist, args))


async def scan(settings: Settings, watchlist: Sequence[WatchedSymbol], args: argparse.Namespace) -> int:
    console = Console()
    try:
        clock = await greet_server(settings, console)
    except KeyRefused as refused:
        print(f"Polygon refused POLYGON_API_KEY ({refused}); check the key in your Polygon/Massive dashboard "
              f"and {WHERE}.", file=sys.stderr)  # fmt: skip
        return 2
    # The terminal shows alerts; only problems are logged beside them.
    configure_logging("WARNING", secrets=settings.secrets())
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    summary = await run_scan(
        settings, watchlist, console, clock=clock, duration=args.duration, ignore_hours=args.ignore_hours,
        jsonl=args.jsonl, stop=stop,
    )  # fmt: skip
    say(console, summary.render())
    return 0
