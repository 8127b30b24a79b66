"""Today's options flow of one underlying, from the feed's latest chain snapshot. Pure.

A contract's premium today is what its day volume traded at its day VWAP: volume × VWAP ×
shares per contract. The snapshot (`ChainTable`) holds only the calls and puts that have
traded today; the others have no flow.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import TypeVar

from bot.alerts.text import short_expiry, strike
from bot.market.calendar import et_date
from bot.market.chain_table import CALL, PUT, ChainTable

K = TypeVar("K", float, date)


@dataclass(frozen=True)
class ContractFlow:
    contract_type: str
    strike: float
    expiration: date
    volume: float
    average_price: float
    premium: float

    def label(self, underlying: str, today: date) -> str:
        """SPY 600C 12/19."""
        letter = "C" if self.contract_type == CALL else "P"
        return f"{underlying} {strike(self.strike)}{letter} {short_expiry(self.expiration, today)}"


@dataclass(frozen=True)
class CallsAndPuts:
    calls: float = 0.0
    puts: float = 0.0


@dataclass(frozen=True)
class FlowSummary:
    underlying: str
    spot: float | None
    as_of: datetime
    contracts: tuple[ContractFlow, ...]

    @property
    def today(self) -> date:
        return et_date(self.as_of)

    @property
    def total(self) -> CallsAndPuts:
        return _split(self.contracts)

    def top(self, count: int) -> list[ContractFlow]:
        return sorted(self.contracts, key=lambda contract: contract.premium, reverse=True)[:count]

    def by_strike(self) -> dict[float, CallsAndPuts]:
        return _grouped(self.contracts, lambda contract: contract.strike)

    def by_expiry(self) -> dict[date, CallsAndPuts]:
        return _grouped(self.contracts, lambda contract: contract.expiration)


def summarize(chain: ChainTable, spot: float | None) -> FlowSummary:
    traded = tuple(
        ContractFlow(
            contract.contract_type, contract.strike, contract.expiration, contract.volume, contract.vwap,
            contract.volume * contract.vwap * contract.shares_per_contract,
        )
        for contract in chain.traded()
    )  # fmt: skip
    return FlowSummary(chain.underlying, spot, chain.fetched_at, traded)


def _split(contracts: tuple[ContractFlow, ...] | list[ContractFlow]) -> CallsAndPuts:
    calls = sum(contract.premium for contract in contracts if contract.contract_type == CALL)
    puts = sum(contract.premium for contract in contracts if contract.contract_type == PUT)
    return CallsAndPuts(calls, puts)


def _grouped(contracts: tuple[ContractFlow, ...], key: Callable[[ContractFlow], K]) -> dict[K, CallsAndPuts]:
    groups: dict[K, list[ContractFlow]] = defaultdict(list)
    for contract in contracts:
        groups[key(contract)].append(contract)
    return {group: _split(groups[group]) for group in sorted(groups)}
