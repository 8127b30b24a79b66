"""When a contract that already alerted may alert again.

The first qualifying flow on a (scanner, contract) in a session is NEW. Later qualifying
flows add to the session's accumulated premium but stay quiet, unless the accumulated
premium has reached twice what was last alerted, at least 15 minutes later, at most three
times a day: then it is posted again as ACCUMULATION. The state is persisted by the store,
so a restart does not repeat an alert.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta
from enum import StrEnum

from bot.store.dedup import DedupState

ACCUMULATION_MULTIPLE = 2.0
ACCUMULATION_MIN_GAP = timedelta(minutes=15)
ACCUMULATION_MAX_PER_DAY = 3


class Decision(StrEnum):
    NEW = "NEW"
    ACCUMULATION = "ACCUMULATION"
    SUPPRESSED = "SUPPRESSED"


def decide(state: DedupState | None, premium: float, session: date, now: datetime) -> tuple[Decision, DedupState]:
    """The decision for one more qualifying flow of `premium`, and the state to store."""
    if state is None or state.session_date != session:
        return Decision.NEW, DedupState(session, now, now, premium, premium, 1)
    accumulated = state.accumulated_premium + premium
    if (
        accumulated >= ACCUMULATION_MULTIPLE * state.last_alerted_premium
        and now - state.last_alerted_at >= ACCUMULATION_MIN_GAP
        and state.alerts_today - 1 < ACCUMULATION_MAX_PER_DAY  # the first alert was NEW
    ):
        return Decision.ACCUMULATION, replace(
            state,
            last_alerted_at=now,
            last_alerted_premium=accumulated,
            accumulated_premium=accumulated,
            alerts_today=state.alerts_today + 1,
        )
    return Decision.SUPPRESSED, replace(state, accumulated_premium=accumulated)
