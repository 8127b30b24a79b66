from __future__ import annotations

from typing import Any

import pytest

from bot.analytics.conditions import ConditionTable
from tests.support.fixtures import polygon_json

# Real Polygon ids: stocks from Polygon's stock conditions glossary, options from
# `/v3/reference/conditions?asset_class=options` (OPRA): 201 Canceled, 202 Late and Out Of
# Sequence, 204 Late, 209 Automatic Execution, 219 Intermarket Sweep Order, 233 Multi Leg
# Auction, 240 Stock Options auto-electronic trade, 247 Multilateral Compression Trade.
BUILTIN = ConditionTable.builtin()


@pytest.fixture(scope="module")
def published_stock_rows() -> list[dict[str, Any]]:
    return polygon_json("conditions_stocks_first10__client-python.json")["results"]


def test_published_rows_are_read_by_name_and_update_rules(published_stock_rows: list[dict[str, Any]]) -> None:
    table = ConditionTable.from_reference(published_stock_rows)
    average_price, derivatively_priced, bunched_sold, acquisition = 2, 10, 5, 1
    assert table.is_off_market_price(average_price)
    assert table.is_off_market_price(derivatively_priced)
    assert not table.updates_last(average_price) and table.updates_volume(average_price)
    assert not table.updates_last(bunched_sold)  # its consolidated updates_open_close is false
    assert table.updates_last(acquisition)
    for regular in (1, 3, 4, 8, 9):  # Acquisition, Automatic Execution, Bunched, Closing, Cross
        assert not table.drops_from_flow([regular])
    assert table.drops_from_flow([average_price])


def test_builtin_agrees_with_the_published_rows_it_shares(published_stock_rows: list[dict[str, Any]]) -> None:
    published = ConditionTable.from_reference(published_stock_rows)
    shared = [row["id"] for row in published_stock_rows if BUILTIN.get(row["id"]) is not None]
    assert shared == [2, 7, 10]
    for code in shared:
        mine, theirs = BUILTIN.get(code), published.get(code)
        assert mine is not None and theirs is not None
        assert (mine.name, mine.categories, mine.updates_volume, mine.updates_last) == (
            theirs.name,
            theirs.categories,
            theirs.updates_volume,
            theirs.updates_last,
        )


@pytest.mark.parametrize("code", [201, 203, 205, 207])
def test_options_cancels(code: int) -> None:
    assert BUILTIN.is_cancel_or_correction(code)
    assert not BUILTIN.updates_volume(code)
    assert BUILTIN.drops_from_flow([code])


@pytest.mark.parametrize("code", [202, 204, 206, 208, 13, 30, 33])
def test_late_and_out_of_sequence(code: int) -> None:
    assert BUILTIN.is_late_or_out_of_sequence(code)
    assert BUILTIN.drops_from_flow([code])


@pytest.mark.parametrize("code", [*range(232, 248)])
def test_multi_leg_and_stock_tied_options(code: int) -> None:
    assert BUILTIN.is_multi_leg_or_stock_tied(code)
    assert BUILTIN.drops_from_flow([code])


def test_multilateral_is_not_read_as_late() -> None:
    assert not BUILTIN.is_late_or_out_of_sequence(247)


@pytest.mark.parametrize("code", [2, 7, 10, 20, 21, 22, 29, 52, 53])
def test_stock_prints_priced_off_the_market(code: int) -> None:
    assert BUILTIN.is_off_market_price(code)


def test_extended_hours_are_tagged_but_kept() -> None:
    form_t, options_extended = 12, 248
    for code in (form_t, options_extended):
        assert BUILTIN.is_extended_hours(code)
        assert not BUILTIN.drops_from_flow([code])
    assert BUILTIN.is_extended_hours(13) and BUILTIN.is_late_or_out_of_sequence(13)


def test_regular_and_unknown_codes_keep_the_print() -> None:
    automatic_execution, intermarket_sweep, never_published = 209, 219, 9999
    assert not BUILTIN.drops_from_flow([automatic_execution, intermarket_sweep, never_published])
    assert not BUILTIN.drops_from_flow(None)
    assert not BUILTIN.drops_from_flow([])
    assert BUILTIN.updates_volume(never_published) and BUILTIN.updates_last(never_published)
    assert BUILTIN.drops_from_flow([automatic_execution, 233])  # one bad condition is enough


def test_published_rows_override_and_extend_the_builtin() -> None:
    rows = [
        # Polygon renames or adds a condition: the published name decides.
        {"id": 250, "name": "Multi Leg Compression Cross", "asset_class": "options",
         "type": "sale_condition", "data_types": ["trade"],
         "update_rules": {"consolidated": {"updates_volume": True, "updates_open_close": False}}},
        # A quote condition shares the id space and must not touch the trade meaning of 233.
        {"id": 233, "name": "Regular Quote", "asset_class": "options", "type": "quote_condition",
         "data_types": ["bbo", "nbbo"]},
    ]  # fmt: skip
    table = ConditionTable.from_reference(rows)
    assert table.is_multi_leg_or_stock_tied(250) and not table.updates_last(250)
    assert table.is_multi_leg_or_stock_tied(233)
    assert table.is_cancel_or_correction(201)  # absent from the response: built-in meaning kept


@pytest.mark.parametrize("legacy_name", ["Spread", "Straddle", "Combo", "Stock Option"])
def test_legacy_options_names_read_as_multi_leg(legacy_name: str) -> None:
    row = {"id": 900, "name": legacy_name, "asset_class": "options", "data_types": ["trade"], "legacy": True}
    assert ConditionTable.from_reference([row]).is_multi_leg_or_stock_tied(900)
