"""US equity symbols as Polygon spells them (`BRK.B`, never `BRK-B`)."""

from __future__ import annotations

import re

SYMBOL_PATTERN = re.compile(r"^[A-Z]{1,5}([.][A-Z])?$")


class InvalidSymbol(ValueError):
    pass


def normalize_symbol(text: str) -> str:
    """Upper-case and validate a user-typed symbol; the error says what a symbol looks like."""
    symbol = text.strip().upper()
    if not SYMBOL_PATTERN.match(symbol):
        raise InvalidSymbol(
            f"{text.strip()!r} is not a US symbol: 1-5 letters, optionally a class like BRK.B"
        )
    return symbol
