from pathlib import Path

import pytest

from bot.market.watchlist import WatchedSymbol, WatchlistError, load_watchlist, parse_watchlist

SHIPPED = Path(__file__).resolve().parents[2] / "data" / "watchlist.txt"


def test_tiers_and_comments() -> None:
    text = "# header\nSPY 1\n\nbrk.b 2  # Berkshire\nCOST\n"
    assert parse_watchlist(text) == [
        WatchedSymbol("SPY", 1),
        WatchedSymbol("BRK.B", 2),
        WatchedSymbol("COST", 3),
    ]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("SPY\nBRK-B\n", "watchlist:2: 'BRK-B' is not a US symbol"),
        ("SPY 7\n", "watchlist:1: tier must be one of (1, 2, 3)"),
        ("SPY\nspy\n", "watchlist:2: SPY is listed twice"),
        ("SPY 1 extra\n", "watchlist:1: expected 'SYMBOL [TIER]'"),
        ("# nothing\n", "watchlist: no symbols"),
    ],
)
def test_bad_lines_are_reported_with_their_line_number(text: str, message: str) -> None:
    with pytest.raises(WatchlistError) as caught:
        parse_watchlist(text)
    assert str(caught.value).startswith(message)


def test_missing_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(WatchlistError, match="cannot read watchlist"):
        load_watchlist(tmp_path / "absent.txt")


def test_shipped_watchlist_is_about_two_hundred_liquid_symbols_index_etfs_first() -> None:
    watched = load_watchlist(SHIPPED)
    symbols = [w.symbol for w in watched]
    assert 180 <= len(watched) <= 260
    assert {"SPY", "QQQ", "IWM", "BRK.B"} <= set(symbols)
    assert "BRK-B" not in symbols
    assert all(w.tier == 1 for w in watched if w.symbol in {"SPY", "QQQ", "AAPL", "NVDA"})
