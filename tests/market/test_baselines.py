from datetime import date, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.market.baselines import VolumeCache
from bot.market.clock import VirtualClock

SESSION = date(2026, 11, 24)
START = datetime(2026, 11, 24, 15, 0, tzinfo=timezone.utc)  # 10:00 ET


class Chain:
    """Drives a VolumeCache the way the feed does: one refresh mark per chain refresh."""

    def __init__(self, ttl: float = 120.0) -> None:
        self.clock = VirtualClock(START)
        self.cache = VolumeCache(self.clock, ttl_seconds=ttl)

    def refresh(self, underlying: str, rows: dict[str, tuple[float, float]], *, session: date = SESSION,
                low: float = 0.01, high: float = 1000.0, last: float | None = None):
        mark = self.clock.monotonic()
        return {
            contract: self.cache.observe(
                underlying, contract, session, volume, vwap, self.clock.now(),
                refreshed_at=mark, day_low=low, day_high=high, last_trade_price=last,
            )
            for contract, (volume, vwap) in rows.items()
        }

    def wait(self, seconds: float) -> None:
        self.clock.advance(seconds)


def test_first_sight_seeds_silently_even_with_a_big_day_volume() -> None:
    chain = Chain()
    assert chain.refresh("SPY", {"O:SPY261218C00600000": (250_000, 3.10)}) == {"O:SPY261218C00600000": None}
    assert chain.cache.stats.misses == 1


def test_design_example_500_contracts_at_2_40_is_120k_premium() -> None:
    chain = Chain()
    chain.refresh("AAPL", {"O:AAPL": (1_000, 2.10)})
    chain.wait(15)
    delta = chain.refresh("AAPL", {"O:AAPL": (1_500, 2.20)})["O:AAPL"]
    assert delta is not None
    assert delta.contracts == 500
    assert delta.average_price == pytest.approx(2.40)
    assert delta.notional * 100 == pytest.approx(120_000)
    assert delta.price_source == "vwap"
    assert (delta.window_start, delta.window_end) == (START, START + timedelta(seconds=15))


def test_a_late_refresh_reports_the_longer_window_and_loses_nothing() -> None:
    chain = Chain(ttl=120)
    chain.refresh("SPY", {"C1": (1_000, 2.00)})
    for _ in range(10):  # ten minutes without a refresh (budget ran out), cleanup every minute
        chain.wait(60)
        assert chain.cache.cleanup({"SPY"}) == 0
    delta = chain.refresh("SPY", {"C1": (1_800, 2.10)})["C1"]
    assert delta is not None and delta.contracts == 800
    assert delta.window_end - delta.window_start == timedelta(minutes=10)


def test_a_contract_gone_from_its_chain_is_evicted_after_the_ttl() -> None:
    chain = Chain(ttl=120)
    chain.refresh("SPY", {"KEEP": (10, 1.0), "GONE": (10, 1.0)})
    chain.wait(30)
    chain.refresh("SPY", {"KEEP": (10, 1.0)})
    chain.wait(60)
    assert chain.cache.cleanup({"SPY"}) == 0  # not yet past the TTL
    chain.wait(61)
    assert chain.cache.cleanup({"SPY"}) == 1
    assert len(chain.cache) == 1
    assert chain.refresh("SPY", {"GONE": (50, 1.0)}) == {"GONE": None}  # back: seeds again, silently


def test_a_symbol_dropped_from_the_watchlist_is_evicted() -> None:
    chain = Chain(ttl=120)
    chain.refresh("TSLA", {"T1": (10, 1.0), "T2": (5, 1.0)})
    chain.refresh("SPY", {"S1": (10, 1.0)})
    chain.wait(121)
    assert chain.cache.cleanup({"SPY"}) == 2
    assert chain.cache.stats.evictions == 2
    assert len(chain.cache) == 1


def test_a_new_session_reseeds_silently() -> None:
    chain = Chain()
    chain.refresh("SPY", {"C1": (5_000, 1.00)})
    chain.wait(3600 * 18)
    assert chain.refresh("SPY", {"C1": (7_000, 1.10)}, session=SESSION + timedelta(days=1)) == {"C1": None}
    chain.wait(15)
    delta = chain.refresh("SPY", {"C1": (7_100, 1.10)}, session=SESSION + timedelta(days=1))["C1"]
    assert delta is not None and delta.contracts == 100


def test_a_volume_drop_reseeds_silently() -> None:
    chain = Chain()
    chain.refresh("SPY", {"C1": (5_000, 1.00)})
    assert chain.refresh("SPY", {"C1": (4_000, 1.00)}) == {"C1": None}
    assert chain.cache.stats.reseeds == 1
    delta = chain.refresh("SPY", {"C1": (4_100, 1.00)})["C1"]
    assert delta is not None and delta.contracts == 100


def test_an_average_outside_the_days_range_falls_back_to_the_last_trade() -> None:
    chain = Chain()
    chain.refresh("SPY", {"C1": (1_000, 2.00)}, low=1.9, high=2.6)
    # vwap moved far more than 10 contracts could move it: the snapshots disagree.
    delta = chain.refresh("SPY", {"C1": (1_010, 2.50)}, low=1.9, high=2.6, last=2.55)["C1"]
    assert delta is not None
    assert (delta.average_price, delta.price_source) == (2.55, "last_trade")


def test_without_a_sane_price_no_event_is_made_and_the_volume_waits_for_the_next_one() -> None:
    chain = Chain()
    chain.refresh("SPY", {"C1": (1_000, 2.00)}, low=1.9, high=2.6)
    assert chain.refresh("SPY", {"C1": (1_010, 2.50)}, low=1.9, high=2.6) == {"C1": None}
    delta = chain.refresh("SPY", {"C1": (1_200, 2.05)}, low=1.9, high=2.6)["C1"]
    assert delta is not None and delta.contracts == 200


def test_hit_rate_counts_lookups_of_known_contracts() -> None:
    chain = Chain()
    rows = {f"C{i}": (100.0, 1.0) for i in range(10)}
    chain.refresh("SPY", rows)
    for _ in range(3):
        chain.refresh("SPY", rows)
    assert chain.cache.stats.hit_rate == pytest.approx(30 / 40)


snapshots = st.lists(
    st.tuples(st.integers(min_value=0, max_value=5_000), st.floats(min_value=0.05, max_value=50.0)),
    min_size=2,
    max_size=12,
)


@given(snapshots)
def test_deltas_add_up_to_the_sessions_traded_volume_and_notional(steps: list[tuple[int, float]]) -> None:
    chain = Chain()
    volume, vwap = 1_000.0, 2.0
    chain.refresh("SPY", {"C1": (volume, vwap)})
    first_notional, traded_contracts, traded_notional = volume * vwap, 0.0, 0.0
    for added, trade_price in steps:
        # The session's VWAP after `added` contracts traded at `trade_price`.
        vwap = (vwap * volume + trade_price * added) / (volume + added)
        volume += added
        chain.wait(15)
        delta = chain.refresh("SPY", {"C1": (volume, vwap)}, low=0.01, high=100)["C1"]
        if added:
            assert delta is not None
            assert delta.average_price == pytest.approx(trade_price, rel=1e-6)
            traded_contracts += delta.contracts
            traded_notional += delta.notional
        else:
            assert delta is None
    assert traded_contracts == volume - 1_000
    assert traded_notional == pytest.approx(volume * vwap - first_notional, rel=1e-6)


def test_the_window_starts_at_the_last_snapshot_that_saw_the_same_volume() -> None:
    chain = Chain()
    chain.refresh("SPY", {"C1": (1_000, 2.00)})
    chain.wait(15)
    chain.refresh("SPY", {"C1": (1_000, 2.00)})  # quiet
    chain.wait(15)
    delta = chain.refresh("SPY", {"C1": (1_200, 2.00)})["C1"]
    assert delta is not None
    assert (delta.window_start, delta.window_end) == (START + timedelta(seconds=15), START + timedelta(seconds=30))


# --- a row per contract: evicting some contracts changes nothing for the others ---------------

steps = st.lists(
    st.tuples(
        st.lists(st.tuples(st.integers(0, 500), st.floats(0.05, 50.0), st.one_of(st.none(), st.integers(0, 2**62))),
                 min_size=3, max_size=3),  # what each kept contract does: volume added, price, last trade ns
        st.sets(st.integers(0, 5)),  # which of six passing contracts are in this refresh
        st.floats(0, 200),  # seconds until the next refresh
    ),
    min_size=1,
    max_size=12,
)  # fmt: skip


@given(steps)
def test_evicting_contracts_gone_from_the_chain_changes_nothing_for_those_still_in_it(
    plan: list[tuple[list[tuple[int, float, int | None]], set[int], float]],
) -> None:
    alone, crowded = Chain(), Chain()
    kept = {f"K{i}": (100.0, 1.0) for i in range(3)}
    for moves, passing, wait in plan:
        for contract, (added, price, _) in zip(list(kept), moves):
            volume, vwap = kept[contract]
            kept[contract] = (volume + added, (volume * vwap + added * price) / (volume + added) if added else vwap)
        seen = []
        for chain, extra in ((alone, {}), (crowded, {f"P{i}": (10.0 + i, 1.0) for i in passing})):
            mark = chain.clock.monotonic()
            rows = {**extra, **kept}
            seen.append({
                contract: chain.cache.observe(
                    "SPY", contract, SESSION, volume, vwap, chain.clock.now(), refreshed_at=mark, day_low=0.01,
                    day_high=100, last_trade_ns=moves[int(contract[1])][2] if contract in kept else None,
                )
                for contract, (volume, vwap) in rows.items()
            })  # fmt: skip
            chain.wait(wait)
            chain.cache.cleanup({"SPY"})
        assert {contract: seen[1][contract] for contract in kept} == seen[0]
        assert all(crowded.cache.volume("SPY", contract) == alone.cache.volume("SPY", contract) for contract in kept)
    assert len(alone.cache) == len(kept) <= len(crowded.cache)


def test_a_baseline_volume_is_what_the_last_delta_or_seed_took_in() -> None:
    chain = Chain()
    assert chain.cache.volume("SPY", "C1") is None
    chain.refresh("SPY", {"C1": (1_000, 2.00)})
    assert chain.cache.volume("SPY", "C1") == 1_000
    chain.refresh("SPY", {"C1": (1_200, 2.00)})
    assert chain.cache.volume("SPY", "C1") == 1_200 and chain.cache.volume("QQQ", "C1") is None
