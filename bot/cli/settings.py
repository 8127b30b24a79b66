"""`python -m bot settings`: what the bot would run with, secrets masked.

`--env-example` prints the annotated `.env.example` from the same source, so the example
can never fall behind the settings (a test compares them).
"""

from __future__ import annotations

import argparse

from pydantic import BaseModel, SecretStr

from bot.config import Settings, env_name, load_settings

# What each field means, by field name (a name means the same thing in every scanner).
FIELD_HELP: dict[str, str] = {
    "discord_token": "bot token from the Discord developer portal (required by `make run`)",
    "polygon_api_key": "Polygon/Massive API key (required by `make run`)",
    "discord_application_id": "application id, for `python -m bot invite`",
    "polygon_base_url": "REST base URL; point it at `python -m bot sim` to use the simulator",
    "requests_per_second": "API request budget (free plan: 5 per minute = 0.083; paid: up to ~100)",
    "request_burst": "requests allowed back to back (default: one second's worth)",
    "max_pages_per_chain": "most pages (250 contracts each) fetched for one options chain",
    "http_timeout_seconds": "timeout of one HTTP request",
    "http_max_retries": "retries on 429, 5xx, timeouts and connection errors",
    "sqlite_path": "SQLite database file (settings, subscriptions, alerts, deliveries)",
    "watchlist_path": "symbols to watch, one per line with an optional tier 1-3",
    "log_level": "DEBUG, INFO, WARNING or ERROR",
    "health_port": "serve GET /health and /metrics (Prometheus) on this port (default: off)",
    "health_host": "address the health endpoint binds (0.0.0.0 to reach it from outside a container)",
    "status_interval_seconds": "how often the bot records its status for `python -m bot status`",
    "channel_budget_per_hour": "alerts one channel gets in an hour before the rest fold into a digest",
    "digest_interval_seconds": "how often an over-budget channel gets its digest",
    "webhook_flow": "Discord webhook URL that also receives ORAKL Flow alerts (optional, secret)",
    "webhook_sweeps": "Discord webhook URL that also receives Sweeps alerts (optional, secret)",
    "webhook_golden_sweeps": "Discord webhook URL that also receives Golden Sweeps alerts (optional, secret)",
    "webhook_bullseye": "Discord webhook URL that also receives Bullseye alerts (optional, secret)",
    "webhook_scalps": "Discord webhook URL that also receives Scalps alerts (optional, secret)",
    "webhook_darkpool": "Discord webhook URL that also receives Darkpool alerts (optional, secret)",
    "webhook_breakouts": "Discord webhook URL that also receives Breakouts alerts (optional, secret)",
    "enabled": "run this scanner (true/false)",
    "interval_seconds": "seconds between scheduled runs (options scanners also scan right after each chain refresh)",
    "stagger_seconds": "offset of each run within the interval",
    "min_score": "lowest score (0-100) posted",
    "min_premium": "lowest premium in USD",
    "min_dte": "fewest days to expiry (ET calendar days; 0 = expiring today)",
    "max_dte": "most days to expiry",
    "repeat_hits": "qualifying hits on one contract before it is posted",
    "repeat_window_minutes": "window in which the hits must fall",
    "min_prob_itm": "lowest risk-neutral probability of finishing in the money (0-1)",
    "max_strike_distance": "largest distance of the strike from spot, as a fraction (0.05 = 5%)",
    "min_abs_delta": "lowest absolute delta",
    "max_abs_delta": "highest absolute delta",
    "min_volume_oi_ratio": "lowest day volume / open interest",
    "rsi_low": "RSI(14) floor on 5-minute candles",
    "rsi_high": "RSI(14) ceiling on 5-minute candles",
    "min_shares": "smallest dark-pool print in shares",
    "min_notional": "smallest dark-pool print in USD",
    "watchlist_size": "symbols polled for dark-pool prints (the most liquid of the watchlist)",
    "lookback_minutes": "how far back the first poll of a session reaches",
    "lookback_sessions": "sessions in the support/resistance range (today excluded)",
    "min_break_pct": "distance past the level, in percent",
    "min_relative_volume": "volume so far vs the average for the same time of day",
}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--env-example", action="store_true", help="print an annotated .env.example with the defaults"
    )


def rows(model: BaseModel, prefix: tuple[str, ...] = ()) -> list[tuple[str, str, str]]:
    """(env variable, value as shown, field name) for every setting, depth first."""
    found: list[tuple[str, str, str]] = []
    for name in type(model).model_fields:
        value = getattr(model, name)
        location = (*prefix, name)
        if isinstance(value, BaseModel):
            found.extend(rows(value, location))
            continue
        if isinstance(value, SecretStr):
            shown = "(set, hidden)" if value.get_secret_value() else "(empty)"
        else:
            shown = "(not set)" if value is None else str(value)
        found.append((env_name(location), shown, name))
    return found


def env_example() -> str:
    lines = ["# ORAKL settings: every variable with its default. Copy to .env and edit.", ""]
    section = ""
    for variable, shown, field in rows(Settings.model_construct()):
        group = variable.split("__")[1] if "__" in variable else ""
        if group != section:
            section = group
            lines += ["", f"# --- scanner: {group.lower()} ---"]
        default = "" if shown.startswith("(") else shown
        lines += [f"# {FIELD_HELP[field]}", f"{variable}={default}"]
    return "\n".join(lines) + "\n"


def run(args: argparse.Namespace) -> int:
    if args.env_example:
        print(env_example(), end="")
        return 0
    table = rows(load_settings())
    width = max(len(variable) for variable, _, _ in table)
    for variable, shown, _ in table:
        print(f"{variable:<{width}}  {shown}")
    return 0
