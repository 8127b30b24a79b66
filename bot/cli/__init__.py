"""`python -m bot SUBCOMMAND`: each subcommand is a module here with `add_arguments` and `run`."""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from bot.config import SettingsError

# name -> (module, one-line help). Modules are imported only when their command runs, so
# `--help` stays fast and one command's heavy imports never slow another.
SUBCOMMANDS: dict[str, tuple[str, str]] = {
    "settings": ("bot.cli.settings", "print every setting, its env name and current value"),
    "demo": ("bot.cli.demo", "run the main job on the embedded simulator (no credentials)"),
    "sim": ("bot.cli.sim", "serve the Polygon-compatible market simulator on 127.0.0.1"),
    "run": ("bot.cli.run", "run the Discord bot (needs DISCORD_TOKEN and POLYGON_API_KEY)"),
    "sync": ("bot.cli.sync", "publish the slash commands to Discord (everywhere, or --guild ID)"),
    "invite": ("bot.cli.invite", "print the link that adds ORAKL to a server"),
    "replay": ("bot.cli.replay", "replay a scenario on a virtual clock; alerts as JSON lines"),
    "scan": ("bot.cli.scan", "run the scanners against the API with no Discord: alerts in the terminal"),
    "check": ("bot.cli.check", "check the settings and what the Polygon plan gives each scanner"),
    "status": ("bot.cli.status", "how the running bot is doing, read from its database (--json)"),
}


def build_parser(chosen: str | None = None) -> argparse.ArgumentParser:
    """The parser, with the arguments of the `chosen` subcommand's module (only that one is
    imported), so `python -m bot demo --help` lists the demo's own options."""
    parser = argparse.ArgumentParser(
        prog="python -m bot",
        description="ORAKL: large and unusual US options and stock flow, posted to Discord.",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name, (module_name, summary) in SUBCOMMANDS.items():
        sub = commands.add_parser(name, help=summary, description=summary)
        if name == chosen:
            importlib.import_module(module_name).add_arguments(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    chosen = next((word for word in argv if not word.startswith("-")), None)
    args = build_parser(chosen).parse_args(argv)
    module = importlib.import_module(SUBCOMMANDS[args.command][0])
    try:
        return int(module.run(args) or 0)
    except SettingsError as error:
        print(f"configuration error:\n{error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
