"""The session after: the same simulated market one trading day later.

`next_session(market, events)` is the scenario of the next NYSE session after the one
`market` simulates: the same underlyings, each one's previous close being where today's path
closed (today's opening gap and scripted waypoints were today's, so they go), fresh seeds so
the new day does not replay today's randomness, and that day's own planted events. A server
given it as a following session rolls over at midnight New York time:

    tomorrow = next_session(sim.market, events=[...])
    SimServer.start(today, clock=clock, following=[tomorrow])
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from bot.sim.market import Market
from bot.sim.scenario import BreakoutEvent, OptionFlowEvent, Scenario, StockPrintEvent
from bot.sim.seeding import stable_int

PlantedEvent = OptionFlowEvent | StockPrintEvent | BreakoutEvent | Mapping[str, Any]


def next_session(market: Market, events: Sequence[PlantedEvent] = ()) -> Scenario:
    """The following session's scenario; `events` are that day's planted events (models, or
    dicts as in a scenario file)."""
    today = market.scenario
    day = market.calendar.next_session(today.session_date)
    underlyings = []
    for spec in today.underlyings:
        close = market.books[spec.symbol].path.at(market.session.close_ns)
        underlyings.append(
            spec.model_dump()
            | {
                "price": round(close, 2),
                "open_gap_pct": 0.0,
                "path": [],
                "seed": None if spec.seed is None else _seed_for(spec.seed, day),
            }
        )
    return Scenario.model_validate(
        today.model_dump()
        | {
            "session_date": day,
            "seed": _seed_for(today.seed, day),
            "underlyings": underlyings,
            "events": list(events),
            "faults": [],
        }
    )


def _seed_for(seed: int, day: object) -> int:
    return stable_int(seed, "session", day)
