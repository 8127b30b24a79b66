"""The watchlist file: one symbol per line, an optional refresh tier, `#` comments."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from bot.symbols import InvalidSymbol, normalize_symbol

DEFAULT_TIER = 3
TIERS = (1, 2, 3)


@dataclass(frozen=True, slots=True)
class WatchedSymbol:
    symbol: str
    tier: int = DEFAULT_TIER


class WatchlistError(ValueError):
    pass


def parse_watchlist(text: str, source: str = "watchlist") -> list[WatchedSymbol]:
    watched: dict[str, WatchedSymbol] = {}
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        where = f"{source}:{number}"
        parts = line.split()
        if len(parts) > 2:
            raise WatchlistError(f"{where}: expected 'SYMBOL [TIER]', got {line!r}")
        try:
            symbol = normalize_symbol(parts[0])
        except InvalidSymbol as error:
            raise WatchlistError(f"{where}: {error}") from None
        tier = DEFAULT_TIER
        if len(parts) == 2:
            if parts[1] not in {str(t) for t in TIERS}:
                raise WatchlistError(f"{where}: tier must be one of {TIERS}, got {parts[1]!r}")
            tier = int(parts[1])
        if symbol in watched:
            raise WatchlistError(f"{where}: {symbol} is listed twice")
        watched[symbol] = WatchedSymbol(symbol, tier)
    if not watched:
        raise WatchlistError(f"{source}: no symbols")
    return list(watched.values())


def load_watchlist(path: Path) -> list[WatchedSymbol]:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise WatchlistError(f"cannot read watchlist {path}: {error.strerror}") from None
    return parse_watchlist(text, source=str(path))
