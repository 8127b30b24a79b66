"""`python -m bot sim --scenario PATH`: serve the market simulator until Ctrl-C.

The clock starts at the scenario's start time and runs `--speed` times faster than the wall,
so a trading hour can pass in a minute. Keys, plans, rates and faults come from the scenario
unless flags replace them. `--truth` prints the ground truth as JSON and exits instead.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import signal
import sys
from datetime import time
from typing import Any

from bot.market.clock import ScaledClock
from bot.sim.scenario import (
    ENDPOINTS,
    FAULT_KINDS,
    Scenario,
    ScenarioError,
    load_scenario,
    parse_scenario,
)

DEFAULT_PORT = 8642


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--scenario", required=True, help="scenario JSON file (see docs/scenarios.md)")
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    parser.add_argument(
        "--port", type=int, default=DEFAULT_PORT, help=f"port (default {DEFAULT_PORT}; 0 picks a free one)"
    )
    parser.add_argument("--speed", type=float, default=1.0, help="market seconds per wall second (default 1)")
    parser.add_argument("--start", type=time.fromisoformat, help="start the clock at this ET time (HH:MM)")
    parser.add_argument("--seed", type=int, help="replace the scenario's seed")
    parser.add_argument(
        "--key",
        action="append",
        metavar="KEY[:PLAN[:RPS]]",
        help="serve this API key instead of the scenario's (plan starter|developer|advanced|options_advanced, "
        "RPS requests a second); repeatable",
    )
    parser.add_argument(
        "--fault",
        action="append",
        metavar="KIND[:ENDPOINT[:COUNT[:AFTER]]]",
        help=f"inject a fault: {', '.join(FAULT_KINDS)}; ENDPOINT one of {', '.join(ENDPOINTS)} or *; "
        "COUNT a number or 'all'; repeatable",
    )
    parser.add_argument("--truth", action="store_true", help="print the ground truth as JSON and exit")


def _key(text: str) -> dict[str, Any]:
    key, _, rest = text.partition(":")
    plan, _, rate = rest.partition(":")
    spec: dict[str, Any] = {"key": key}
    if plan:
        spec["plan"] = plan
    if rate:
        spec["requests_per_second"] = rate
    return spec


def _fault(text: str) -> dict[str, Any]:
    kind, endpoint, count, after, *_ = [*text.split(":"), "", "", ""]
    spec: dict[str, Any] = {"kind": kind, "endpoint": endpoint or "*"}
    if count:
        spec["count"] = None if count == "all" else count
    if after:
        spec["after"] = after
    return spec


def configure(args: argparse.Namespace) -> Scenario:
    """The scenario file with the command line's replacements, validated again."""
    scenario = load_scenario(args.scenario)
    changes: dict[str, Any] = {}
    if args.seed is not None:
        changes["seed"] = args.seed
    if args.start is not None:
        changes["start_time"] = args.start.isoformat()
    if args.key:
        changes["access"] = {"keys": [_key(text) for text in args.key]}
    if args.fault:
        changes["faults"] = [*scenario.model_dump(mode="json")["faults"], *map(_fault, args.fault)]
    if not changes:
        return scenario
    text = json.dumps({**scenario.model_dump(mode="json"), **changes})
    return parse_scenario(text, f"{args.scenario} with the command line's options")


async def serve(scenario: Scenario, host: str, port: int, speed: float) -> None:
    from bot.sim.server import SimServer

    clock = ScaledClock(scenario.session_start, speed)
    async with SimServer.start(scenario, clock=clock, host=host, port=port) as sim:
        first = scenario.access.keys[0]
        print(f"ORAKL market simulator: {scenario.name}")
        print(f"  session   {scenario.session_date}, clock from {scenario.start_time:%H:%M} ET at {speed:g}x")
        print(f"  base URL  {sim.base_url}")
        print(f"  API key   {first.key} ({first.plan})")
        print(f'  try       curl -H "Authorization: Bearer {first.key}" "{sim.base_url}/v1/marketstatus/now"')
        print(f"  stats     {sim.base_url}/sim/stats")
        print("Ctrl-C to stop.", flush=True)
        await _until_stopped()


async def _until_stopped() -> None:
    """Wait for Ctrl-C or a polite kill (SIGTERM, as a process manager sends)."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    await stop.wait()
    print("stopped.")


def run(args: argparse.Namespace) -> int:
    try:
        scenario = configure(args)
        if args.truth:
            from bot.sim.market import Market
            from bot.sim.truth import build_truth

            entries = [entry.model_dump(mode="json") for entry in build_truth(Market(scenario))]
            print(json.dumps(entries, indent=2))
            return 0
        if args.speed <= 0:
            print("--speed must be positive", file=sys.stderr)
            return 2
        asyncio.run(serve(scenario, args.host, args.port, args.speed))
        return 0
    except ScenarioError as error:
        print(error, file=sys.stderr)
        return 2
    except OSError as error:
        print(f"cannot serve on {args.host}:{args.port}: {error.strerror or error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:  # before the signal handlers are in place
        print("stopped.")
    return 0
