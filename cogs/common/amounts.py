"""Dollar amounts as people type them: 50000, 50k, $1.5M, 1,250,000. Pure, no Discord."""

from __future__ import annotations

import re

AMOUNT = re.compile(r"^\$?\s*(?P<number>\d{1,3}(?:,\d{3})+|\d+)(?P<fraction>\.\d+)?\s*(?P<unit>[kmb])?$", re.IGNORECASE)
UNITS = {"": 1.0, "k": 1e3, "m": 1e6, "b": 1e9}


class AmountError(ValueError):
    pass


def parse_amount(text: str) -> float:
    match = AMOUNT.match(text.strip())
    if match is None:
        raise AmountError(f"{text.strip()!r} is not an amount: write it like 50000, 50k or $1.5M.")
    number = float(match["number"].replace(",", "") + (match["fraction"] or ""))
    return number * UNITS[(match["unit"] or "").lower()]
