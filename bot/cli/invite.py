"""`python -m bot invite`: the link that adds ORAKL to a server, with only the permissions it
needs (View Channel, Send Messages, Embed Links, Attach Files, Read Message History)."""

from __future__ import annotations

import argparse
import sys

from bot.app import invite_url
from bot.config import load_settings


def add_arguments(parser: argparse.ArgumentParser) -> None:
    del parser


def run(args: argparse.Namespace) -> int:
    del args
    application_id = load_settings().discord_application_id
    if application_id is None:
        print(
            "ORAKL_DISCORD_APPLICATION_ID is not set: copy the Application ID from the General "
            "Information page of your app in the Discord developer portal into .env.",
            file=sys.stderr,
        )
        return 2
    print(invite_url(application_id))
    return 0
