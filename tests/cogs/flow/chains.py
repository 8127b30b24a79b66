"""Options chains in Polygon's snapshot shape, small enough to add up by hand."""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any

from bot.market.chain_table import ChainTable
from bot.polygon.models import ChainSnapshot, decode_chain_page

JUNE_20 = date(2025, 6, 20)
JULY_18 = date(2025, 7, 18)
SPOT = 598.40


def contract(
    kind: str, strike: float, expiry: date, volume: float, vwap: float, underlying: str = "SPY"
) -> dict[str, Any]:
    letter = "C" if kind == "call" else "P"
    return {
        "details": {
            "ticker": f"O:{underlying}{expiry:%y%m%d}{letter}{round(strike * 1000):08d}", "contract_type": kind,
            "strike_price": strike, "expiration_date": expiry.isoformat(), "shares_per_contract": 100,
            "exercise_style": "american",
        },
        "underlying_asset": {"ticker": underlying, "price": SPOT, "timeframe": "REAL-TIME"},
        "day": {"volume": volume, "vwap": vwap, "open": vwap, "high": vwap * 1.1, "low": vwap * 0.9, "close": vwap},
        "open_interest": 5_000, "implied_volatility": 0.18,
    }  # fmt: skip


# Calls: 2,000 × $6.00 × 100 = $1.20M and 600 × $2.50 × 100 = $150K, $1.35M in all (69%);
# puts: 1,500 × $4.00 × 100 = $600K (31%); the 580 put has not traded today.
SPY_CONTRACTS = [
    contract("call", 600, JUNE_20, 2_000, 6.00),
    contract("put", 590, JUNE_20, 1_500, 4.00),
    contract("call", 610, JULY_18, 600, 2.50),
    contract("put", 580, JULY_18, 0, 0.0),
]


def chain_page(contracts: list[dict[str, Any]]) -> dict[str, Any]:
    return {"status": "OK", "request_id": "flow-test", "results": contracts}


def chain(contracts: list[dict[str, Any]], fetched_at: datetime, underlying: str = "SPY") -> ChainTable:
    """The feed's snapshot of these contracts, as `/flow` reads it."""
    page = decode_chain_page(json.dumps(chain_page(contracts)).encode())
    return ChainTable(ChainSnapshot(underlying=underlying, results=page.results, pages=1, requested_at=fetched_at, fetched_at=fetched_at))
