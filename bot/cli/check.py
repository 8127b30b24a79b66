"""`python -m bot check`: are the settings right, and does the Polygon plan feed every scanner?

Lists every settings problem (one line each); then probes the API once per data kind and
says, per scanner, whether it runs fully, runs degraded (and how), or cannot run. Exits 0
when every enabled scanner can run, 1 otherwise. The key is never printed.
"""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Mapping

from bot.alerts.model import Scanner
from bot.config import Settings, SettingsError, load_settings
from bot.logs import configure_logging
from bot.market.calendar import ET
from bot.market.watchlist import WatchedSymbol, WatchlistError, load_watchlist
from bot.plan_check import Access, DataKind, PlanReport, Probe, Readiness, Verdict, check_plan
from bot.symbols import InvalidSymbol, normalize_symbol

WHERE = "set it in .env (see .env.example) or in the environment"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--symbol", help="probe with this symbol (default: the watchlist's first)")


def missing_key(settings: Settings) -> str | None:
    """What to do when there is no API key to ask Polygon with (`check` and `scan` need one)."""
    if settings.polygon_api_key is None or not settings.polygon_api_key.get_secret_value():
        return f"POLYGON_API_KEY is not set: {WHERE}."
    return None


def review_settings() -> tuple[Settings | None, list[WatchedSymbol], list[str], list[str]]:
    """(settings, watchlist, problems, notes): every problem that stops the scanners, and
    what only some commands need."""
    try:
        settings = load_settings()
    except SettingsError as error:
        return None, [], str(error).splitlines(), []
    problems, notes = [], []
    if (missing := missing_key(settings)) is not None:
        problems.append(missing)
    try:
        watchlist = load_watchlist(settings.watchlist_path)
    except WatchlistError as error:
        watchlist = []
        problems.append(f"ORAKL_WATCHLIST_PATH: {error}")
    if settings.discord_token is None:
        notes.append(f"DISCORD_TOKEN is not set: `python -m bot run` needs it (check and scan do not); {WHERE}.")
    return settings, watchlist, problems, notes


def describe_server(report: PlanReport) -> str:
    greeting = report.greeting
    if greeting.access is Access.BAD_KEY:
        return f"refused the key (401: {greeting.detail}); check POLYGON_API_KEY in your Polygon/Massive dashboard"
    if greeting.access is Access.UNREACHABLE:
        return f"unreachable ({greeting.detail})"
    if greeting.access is not Access.AVAILABLE:
        return f"market status {greeting.access} ({greeting.detail}); probing anyway"
    line = "reachable, key accepted"
    if greeting.server_time is not None:
        line += f"; server time {greeting.server_time.astimezone(ET):%Y-%m-%d %H:%M} ET, market {greeting.market}"
    if report.server_clock_followed:
        line += " (another day than ours: probed at the server's time)"
    return line


def probe_table(probes: Mapping[DataKind, Probe]) -> list[str]:
    kind_width = max(len(kind) for kind in DataKind) + 2
    access_width = max(len(access) for access in Access) + 2
    lines = [f"{'data kind':<{kind_width}}{'access':<{access_width}}{'freshness':<11}detail"]
    for kind in DataKind:
        probe = probes[kind]
        lines.append(f"{kind:<{kind_width}}{probe.access:<{access_width}}{probe.freshness:<11}{probe.detail}".rstrip())
    return lines


def verdict_lines(found: list[Verdict]) -> list[str]:
    width = max(len(scanner.value) for scanner in Scanner) + 2
    lines = []
    for item in found:
        lines.append(f"{item.scanner.value:<{width}}{item.readiness}" + (": " + item.notes[0] if item.notes else ""))
        lines.extend(f"{'':<{width}}{'':<{len(item.readiness) + 2}}{note}" for note in item.notes[1:])
    return lines


def conclusion(found: list[Verdict]) -> str:
    enabled = [item for item in found if item.readiness is not Readiness.DISABLED]
    blocked = [item.scanner.value for item in enabled if not item.can_run]
    if not enabled:
        return "not ready: no scanner is enabled"
    if not blocked:
        return f"ready: all {len(enabled)} enabled scanners can run"
    return (f"not ready: {len(enabled) - len(blocked)} of {len(enabled)} enabled scanners can run; "
            f"cannot run: {', '.join(blocked)}")  # fmt: skip


def render_report(report: PlanReport) -> str:
    return "\n".join([
        f"server: {report.base_url}: {describe_server(report)}",
        "",
        f"probes (one each, for {report.symbol}):" if report.probed else "probes (none sent: each would fail the same way):",
        *(f"  {line}" for line in probe_table(report.probes)),
        "  freshness: options from the snapshot's timeframe, stocks from the aggregates' status",
        "",
        "scanners:",
        *(f"  {line}" for line in verdict_lines(report.verdicts)),
        "",
        conclusion(report.verdicts),
    ])  # fmt: skip


def run(args: argparse.Namespace) -> int:
    symbol = None
    if args.symbol is not None:
        try:
            symbol = normalize_symbol(args.symbol)
        except InvalidSymbol as error:
            print(f"--symbol: {error}")
            return 2
    settings, watchlist, problems, notes = review_settings()
    print("settings: " + ("ok" if not problems else f"{len(problems)} problem{'s' if len(problems) > 1 else ''}"))
    for line in problems:
        print(f"  {line}")
    for line in notes:
        print(f"  note: {line}")
    if settings is None or problems:
        print("not ready: fix the settings above, then run check again")
        return 1
    # The table says what failed; the client's own warnings would only repeat it.
    configure_logging("ERROR", secrets=settings.secrets())
    report = asyncio.run(check_plan(settings, symbol or watchlist[0].symbol))
    print(render_report(report))
    return 0 if report.ready else 1
