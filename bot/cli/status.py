"""`python -m bot status [--json]`: how the running bot is doing, read from its database.

The bot records a status snapshot every `ORAKL_STATUS_INTERVAL_SECONDS` (`bot/status.py`);
this reads the latest one from the configured SQLite file, so it works from another shell or
with `docker exec` while the bot runs. Exit status: 0 for a recent snapshot of a healthy bot;
1 when there is none, when it is stale (the bot has stopped recording: probably not running)
or when the bot is degraded; 2 when the database cannot be read.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

from pydantic import ValidationError

from bot.alerts.text import et
from bot.config import load_settings
from bot.status import STALE_AFTER_INTERVALS, StatusSnapshot, format_duration, load_snapshot
from bot.store import Database, Store, StoreError

LABEL_WIDTH = 14


class NoSnapshot(Exception):
    """There is nothing to show; the message says why and what to do."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="print the snapshot as JSON")


async def read_snapshot(path: Path) -> StatusSnapshot:
    if not path.exists():
        raise NoSnapshot(f"no ORAKL database at {path}: the bot has not run with this ORAKL_SQLITE_PATH.")
    async with await Database.open(path) as db:
        try:
            snapshot = await load_snapshot(Store(db).state)
        except ValidationError:
            raise NoSnapshot(
                f"the status in {path} was recorded by another ORAKL version; the running bot replaces it shortly."
            ) from None
    if snapshot is None:
        raise NoSnapshot(
            f"no status recorded in {path} yet: a running bot (`python -m bot run`) records one "
            "every ORAKL_STATUS_INTERVAL_SECONDS."
        )
    return snapshot


def ago(span: timedelta) -> str:
    seconds = max(0.0, span.total_seconds())
    if seconds < 120:
        return f"{seconds:.0f} s ago"
    if seconds < 2 * 3600:
        return f"{seconds // 60:.0f} min ago"
    return f"{format_duration(span)} ago"


def stale_warning(snapshot: StatusSnapshot, now: datetime) -> str:
    return (
        f"⚠️ stale: recorded {ago(now - snapshot.taken_at)}, and the bot records one every "
        f"{snapshot.interval_seconds} s; it has missed {STALE_AFTER_INTERVALS} and is probably not running."
    )


def render(snapshot: StatusSnapshot, now: datetime) -> str:
    verdict = "degraded" if snapshot.degraded else "all good"
    scheduler = "scheduler running" if snapshot.scheduler_running else "⚠️ scheduler stopped"
    lines = [
        f"ORAKL status: {verdict} · recorded {et(snapshot.taken_at):%Y-%m-%d %H:%M:%S} ET "
        f"({ago(now - snapshot.taken_at)}) · {scheduler}",
        "Scanners",
        *(f"  {scanner.scanner.label:<{LABEL_WIDTH}} {scanner.summary()}" for scanner in snapshot.scanners),
    ]
    broken = snapshot.broken_subscriptions
    channels = "every subscribed channel is healthy"
    if broken:
        channels = f"⚠️ {broken} broken subscriptions (`/status` in each server lists them)"
    rows = {
        "Options feed": snapshot.feed.summary(),
        "Polygon API": snapshot.api.summary(),
        "Channels": f"{channels} · {snapshot.held_summary()}",
        "Bot": snapshot.bot_summary(),
    }
    if snapshot.not_loaded:
        rows["Not loaded"] = "; ".join(f"{name}: {error}" for name, error in snapshot.not_loaded.items())
    lines += [f"{label:<{LABEL_WIDTH}} {text}" for label, text in rows.items()]
    return "\n".join(lines)


def run(args: argparse.Namespace) -> int:
    settings = load_settings()
    try:
        snapshot = asyncio.run(read_snapshot(settings.sqlite_path))
    except NoSnapshot as error:
        print(error, file=sys.stderr)
        return 1
    except StoreError as error:
        print(f"cannot read the status: {error}", file=sys.stderr)
        return 2
    now = datetime.now(UTC)
    stale = snapshot.is_stale(now)
    if stale:
        # Beside the JSON, not in it, so the JSON stays the snapshot exactly as recorded.
        print(stale_warning(snapshot, now), file=sys.stderr if args.json else sys.stdout)
    print(snapshot.model_dump_json(indent=2) if args.json else render(snapshot, now))
    return 1 if stale or snapshot.degraded else 0
