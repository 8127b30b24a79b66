from dataclasses import replace
from datetime import date, datetime, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.market.events import EventLog, FlowEvent, UnknownConsumer

MOMENT = datetime(2026, 11, 24, 15, 0, tzinfo=timezone.utc)
TEMPLATE = FlowEvent(
    underlying="SPY", contract="O:SPY261218C00600000", contract_type="call", strike=600.0,
    expiration=date(2026, 12, 18), shares_per_contract=100, dte=24, contracts=100, premium=60_000,
    average_price=6.0, price_source="vwap", window_start=MOMENT, window_end=MOMENT,
    session=date(2026, 11, 24), day_volume=1_000, open_interest=500, implied_volatility=0.2,
    delta=0.5, gamma=0.01, theta=-0.1, vega=0.3, bid=5.9, ask=6.1, last_trade_price=6.0,
    underlying_price=598.0, underlying_price_source="chain", timeframe="REAL-TIME",
)


def events(count: int, start: int = 0) -> list[FlowEvent]:
    return [replace(TEMPLATE, contracts=start + i + 1) for i in range(count)]


def test_every_consumer_reads_every_event_once_whatever_the_schedule() -> None:
    log = EventLog(["flow", "sweeps"])
    log.append(events(3))
    assert [e.contracts for e in log.read("flow")] == [1, 2, 3]
    log.append(events(2, start=3))
    assert [e.contracts for e in log.read("sweeps")] == [1, 2, 3, 4, 5]
    assert [e.contracts for e in log.read("flow")] == [4, 5]
    assert log.read("flow") == [] and log.read("sweeps") == []


def test_events_read_by_everyone_are_dropped() -> None:
    log = EventLog(["flow", "sweeps"])
    log.append(events(4))
    log.read("flow")
    assert len(log) == 4
    log.read("sweeps")
    assert len(log) == 0


def test_a_consumer_that_stops_reading_cannot_grow_memory_and_its_loss_is_counted() -> None:
    log = EventLog(["flow", "stuck"], max_events=10)
    for _ in range(5):
        log.append(events(6))
        log.read("flow")
    assert len(log) == 10
    assert log.missed == {"flow": 0, "stuck": 20}
    assert len(log.read("stuck")) == 10


def test_unknown_consumer_is_refused() -> None:
    with pytest.raises(UnknownConsumer):
        EventLog(["flow"]).read("sweeps")


@given(st.lists(st.one_of(st.integers(1, 5), st.sampled_from(["a", "b", "c"])), max_size=40))
def test_exactly_once_under_any_interleaving(schedule: list[int | str]) -> None:
    log = EventLog(["a", "b", "c"])
    seen: dict[str, list[int]] = {"a": [], "b": [], "c": []}
    for step in schedule:
        if isinstance(step, int):
            log.append(events(step))
        else:
            seen[step] += [e.seq for e in log.read(step)]
    for name in seen:
        seen[name] += [e.seq for e in log.read(name)]
        assert seen[name] == list(range(1, log.last_seq + 1))
