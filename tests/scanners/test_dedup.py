from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.scanners.dedup import Decision, decide
from bot.store import Database, Store
from bot.store.dedup import DedupState

SESSION = date(2026, 11, 24)
OPEN = datetime(2026, 11, 24, 14, 30, tzinfo=timezone.utc)


def run(flows: list[tuple[float, float]], state: DedupState | None = None, session: date = SESSION):
    """Feed (minutes after the open, premium) flows through the policy; return decisions."""
    decisions = []
    for minutes, premium in flows:
        decision, state = decide(state, premium, session, OPEN + timedelta(minutes=minutes))
        decisions.append(decision)
    return decisions, state


def test_first_flow_is_new_and_repeats_are_suppressed() -> None:
    decisions, state = run([(0, 100_000), (1, 20_000), (2, 20_000)])
    assert decisions == [Decision.NEW, Decision.SUPPRESSED, Decision.SUPPRESSED]
    assert state is not None and state.accumulated_premium == 140_000


def test_accumulation_needs_double_the_last_alert_and_fifteen_minutes() -> None:
    decisions, state = run([(0, 100_000), (5, 150_000), (15, 1_000)])
    # Doubled after 5 minutes (too soon); at 15 minutes the accumulated 251K qualifies.
    assert decisions == [Decision.NEW, Decision.SUPPRESSED, Decision.ACCUMULATION]
    assert state is not None and state.last_alerted_premium == 251_000
    decisions, _ = run([(40, 200_000)], state)
    assert decisions == [Decision.SUPPRESSED]  # 451K is short of 2 × 251K
    decisions, _ = run([(40, 51_000)], _)
    assert decisions == [Decision.ACCUMULATION]


def test_at_most_three_accumulation_alerts_a_day_then_a_new_session_starts_over() -> None:
    flows = [(0, 1_000)] + [(20 * i, 10**i * 1_000) for i in range(1, 6)]
    decisions, state = run(flows)
    assert decisions.count(Decision.ACCUMULATION) == 3
    assert decisions[-2:] == [Decision.SUPPRESSED, Decision.SUPPRESSED]
    decisions, _ = run([(60 * 24, 5_000)], state, session=SESSION + timedelta(days=1))
    assert decisions == [Decision.NEW]


@given(st.lists(st.tuples(st.integers(0, 390), st.floats(1_000, 5e6)), min_size=1, max_size=40))
def test_never_more_than_one_new_and_three_accumulations_per_session(flows: list[tuple[int, float]]) -> None:
    decisions, state = run(sorted(flows))
    assert decisions[0] == Decision.NEW
    assert decisions.count(Decision.NEW) == 1
    assert decisions.count(Decision.ACCUMULATION) <= 3
    assert state is not None and state.accumulated_premium == pytest.approx(sum(p for _, p in flows))


async def test_a_contract_alerted_before_a_restart_is_not_alerted_again_after_it(db_path: Path) -> None:
    contract = "O:SPY261218C00600000"
    async with await Database.open(db_path) as db:
        decision, state = decide(await Store(db).dedup.get("sweeps", contract), 100_000, SESSION, OPEN)
        assert decision is Decision.NEW
        await Store(db).dedup.put("sweeps", contract, state)
    async with await Database.open(db_path) as db:  # the bot restarted
        store = Store(db)
        again, _ = decide(await store.dedup.get("sweeps", contract), 100_000, SESSION, OPEN + timedelta(minutes=5))
        other_scanner, _ = decide(await store.dedup.get("golden_sweeps", contract), 100_000, SESSION, OPEN)
    assert again is Decision.SUPPRESSED
    assert other_scanner is Decision.NEW
