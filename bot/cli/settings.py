"""`python -m bot settings`: what the bot would run with, secrets masked."""

from __future__ import annotations

import argparse

from pydantic import BaseModel, SecretStr

from bot.config import env_name, load_settings


def add_arguments(parser: argparse.ArgumentParser) -> None:
    del parser  # no options


def rows(model: BaseModel, prefix: tuple[str, ...] = ()) -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
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
        found.append((env_name(location), shown))
    return found


def run(args: argparse.Namespace) -> int:
    del args
    table = rows(load_settings())
    width = max(len(name) for name, _ in table)
    for name, shown in table:
        print(f"{name:<{width}}  {shown}")
    return 0
