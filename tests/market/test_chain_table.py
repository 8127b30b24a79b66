"""What the feed keeps of a chain for /flow: exactly the calls and puts traded today, with
their terms from the details, their day volume and VWAP, in chain order."""

from __future__ import annotations

import json
from datetime import date, datetime, timezone
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from bot.market.chain_table import ChainTable, TradedContract
from bot.polygon.models import ChainSnapshot, decode_chain_page

FETCHED_AT = datetime(2025, 6, 12, 18, 31, 20, tzinfo=timezone.utc)
prices = st.one_of(st.integers(-5, 10**6), st.floats(-1.0, 1e9, allow_nan=False))


def snapshot(contracts: list[dict[str, Any]]) -> ChainSnapshot:
    page = decode_chain_page(json.dumps({"status": "OK", "results": contracts}).encode())
    return ChainSnapshot(underlying="C", results=page.results, pages=1, requested_at=FETCHED_AT, fetched_at=FETCHED_AT)


contracts = st.fixed_dictionaries(
    {
        "details": st.fixed_dictionaries(
            {
                # The ticker says call where the details say put, and so on: only the details count.
                "ticker": st.sampled_from(["O:C250620C00050000", "O:C250620P00050000"]),
                "contract_type": st.sampled_from(["call", "put", "other"]),
                "strike_price": prices,
                "expiration_date": st.dates(date(2000, 1, 1), date(2100, 12, 31)).map(date.isoformat),
            },
            optional={"shares_per_contract": st.integers(1, 10**6)},
        ),
        "underlying_asset": st.just({"ticker": "C", "price": 50.0}),
    },
    optional={"day": st.fixed_dictionaries({}, optional={"volume": prices, "vwap": prices, "high": prices})},
)


@given(st.lists(contracts, max_size=30))
def test_the_table_holds_the_calls_and_puts_traded_today_in_chain_order(listed: list[dict[str, Any]]) -> None:
    table = ChainTable(snapshot(listed))
    expected = [
        TradedContract(
            contract["details"]["contract_type"], contract["details"]["strike_price"],
            date.fromisoformat(contract["details"]["expiration_date"]), contract["day"]["volume"],
            contract["day"]["vwap"], contract["details"].get("shares_per_contract", 100),
        )
        for contract in listed
        if contract["details"]["contract_type"] in ("call", "put")
        and contract.get("day", {}).get("volume", 0) > 0 and contract.get("day", {}).get("vwap", 0) > 0
    ]  # fmt: skip
    assert list(table.traded()) == expected
    assert len(table) == len(expected) and table.contracts == len(listed)
    assert (table.underlying, table.fetched_at) == ("C", FETCHED_AT)


def test_a_table_keeps_no_decoded_contract() -> None:
    """A decoded contract holds its page's whole buffer: the table must copy out instead."""
    contract = {
        "details": {"ticker": "O:C250620P00050000", "contract_type": "put", "strike_price": 50,
                    "expiration_date": "2025-06-20"},
        "underlying_asset": {"ticker": "C", "price": 50.0},
        "day": {"volume": 10, "vwap": 1.25},
    }  # fmt: skip
    table = ChainTable(snapshot([contract]))
    assert list(table.traded()) == [TradedContract("put", 50.0, date(2025, 6, 20), 10.0, 1.25, 100)]
    assert all(isinstance(getattr(table, name), str | datetime | int | bytes) for name in ChainTable.__slots__)
