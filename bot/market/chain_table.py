"""What the feed keeps of an underlying's newest chain for `/flow`: a compact table.

A decoded chain costs ~1,700 bytes a contract and holds its pages' buffers; kept for every
underlying of a 200-symbol universe that is ~500 MB. `/flow` reads only the terms, day
volume and VWAP of the calls and puts that have traded today, so that is all that is kept:
one packed binary row (37 bytes) a traded contract, nothing for the others.
"""

from __future__ import annotations

import struct
from collections.abc import Iterator
from datetime import date
from typing import NamedTuple

from bot.polygon.models import ChainSnapshot

CALL = "call"
PUT = "put"
OPTION_TYPES = (CALL, PUT)
# is put, strike, expiration date ordinal, day volume, day VWAP, shares per contract
_ROW = struct.Struct("<?dIddq")


class TradedContract(NamedTuple):
    contract_type: str  # "call" or "put"
    strike: float
    expiration: date
    volume: float  # today's, so far
    vwap: float
    shares_per_contract: int


class ChainTable:
    """One chain snapshot as `/flow` reads it: the contracts that traded today, in chain order."""

    __slots__ = ("underlying", "fetched_at", "contracts", "_rows")

    def __init__(self, chain: ChainSnapshot) -> None:
        self.underlying = chain.underlying
        self.fetched_at = chain.fetched_at
        self.contracts = len(chain.results)  # every contract the snapshot listed, traded or not
        rows: list[bytes] = []
        pack = _ROW.pack
        for contract in chain.results:
            day, details = contract.day, contract.details
            if day is None or day.volume <= 0 or day.vwap <= 0 or details.contract_type not in OPTION_TYPES:
                continue
            rows.append(pack(
                details.contract_type == PUT, details.strike_price, details.expiration_date.toordinal(),
                day.volume, day.vwap, details.shares_per_contract,
            ))  # fmt: skip
        self._rows = b"".join(rows)

    def traded(self) -> Iterator[TradedContract]:
        for put, strike, expiration, volume, vwap, shares in _ROW.iter_unpack(self._rows):
            yield TradedContract(PUT if put else CALL, strike, date.fromordinal(expiration), volume, vwap, shares)

    def __len__(self) -> int:
        """How many contracts traded today."""
        return len(self._rows) // _ROW.size
