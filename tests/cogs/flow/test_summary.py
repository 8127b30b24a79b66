"""Today's flow of one underlying from its chain snapshot: premium = volume × VWAP × 100."""

from __future__ import annotations

from datetime import UTC, datetime

from cogs.flow.summary import CallsAndPuts, summarize
from tests.cogs.flow.chains import JULY_18, JUNE_20, SPOT, SPY_CONTRACTS, chain, contract

AS_OF = datetime(2025, 6, 12, 18, 31, 20, tzinfo=UTC)


def test_premium_is_summed_per_side_from_day_volume_and_vwap() -> None:
    summary = summarize(chain(SPY_CONTRACTS, AS_OF), SPOT)
    assert summary.total == CallsAndPuts(calls=1_350_000, puts=600_000)
    assert len(summary.contracts) == 3  # the untraded 580 put is left out


def test_top_contracts_are_ranked_by_premium_with_their_trader_labels() -> None:
    summary = summarize(chain(SPY_CONTRACTS, AS_OF), SPOT)
    assert [item.label("SPY", summary.today) for item in summary.top(2)] == ["SPY 600C 06/20", "SPY 590P 06/20"]
    assert [item.premium for item in summary.top(5)] == [1_200_000, 600_000, 150_000]


def test_premium_is_grouped_by_strike_and_by_expiry_in_order() -> None:
    summary = summarize(chain(SPY_CONTRACTS + [contract("put", 600, JULY_18, 100, 9.00)], AS_OF), SPOT)
    assert summary.by_strike() == {
        590: CallsAndPuts(0, 600_000),
        600: CallsAndPuts(1_200_000, 90_000),
        610: CallsAndPuts(150_000, 0),
    }
    assert summary.by_expiry() == {JUNE_20: CallsAndPuts(1_200_000, 600_000), JULY_18: CallsAndPuts(150_000, 90_000)}


def test_a_chain_with_no_trades_today_has_no_flow() -> None:
    summary = summarize(chain([contract("call", 600, JUNE_20, 0, 0.0)], AS_OF), SPOT)
    assert summary.contracts == () and summary.total == CallsAndPuts()
