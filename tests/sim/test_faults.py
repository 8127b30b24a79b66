from __future__ import annotations

from bot.sim.faults import FaultBoard
from bot.sim.scenario import FaultSpec


def test_nothing_fails_unless_asked() -> None:
    board = FaultBoard()
    assert [board.draw("options_chain") for _ in range(5)] == [None] * 5


def test_a_fault_skips_the_first_matching_requests_then_fires_count_times() -> None:
    board = FaultBoard([FaultSpec(kind="http_500", endpoint="trades", after=1, count=2)])
    drawn = [board.draw(endpoint) for endpoint in ("trades", "quotes", "trades", "trades", "trades")]
    assert [spec.kind if spec else None for spec in drawn] == [None, None, "http_500", "http_500", None]
    report = board.report()[0]
    assert (report["kind"], report["matched"], report["fired"]) == ("http_500", 3, 2)


def test_a_fault_without_a_count_keeps_firing() -> None:
    board = FaultBoard([FaultSpec(kind="http_502", count=None)])
    assert all(board.draw("exchanges") is not None for _ in range(20))


def test_the_first_fault_wins_and_the_other_waits_its_turn() -> None:
    board = FaultBoard([FaultSpec(kind="http_500"), FaultSpec(kind="http_502")])
    assert [board.draw("trades").kind for _ in range(2)] == ["http_500", "http_502"]  # type: ignore[union-attr]
    assert board.draw("trades") is None


def test_a_looping_cursor_only_counts_listings_that_paginate() -> None:
    board = FaultBoard([FaultSpec(kind="looping_cursor")])
    assert board.draw("market_status") is None and board.draw("stock_snapshot") is None
    assert board.draw("options_chain") is not None


def test_cleared_faults_are_gone() -> None:
    board = FaultBoard([FaultSpec(kind="slow", count=None)])
    board.clear()
    assert board.draw("trades") is None and board.report() == []
