"""`python -m bot demo`: the main job on the embedded simulator and SQLite."""

from __future__ import annotations

import argparse


def add_arguments(parser: argparse.ArgumentParser) -> None:
    del parser


def run(args: argparse.Namespace) -> int:
    del args
    print(
        "ORAKL demo: not yet. The simulator, scanners and terminal rendering it runs are being "
        "built (issues 3, 4 and 7). `make test` exercises what exists today."
    )
    return 0
