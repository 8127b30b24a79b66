"""Injected failures: absent unless the scenario, a CLI flag or a test asks for them.

Each fault counts the requests that match it (its endpoint, or any with "*"); it lets the
first `after` through and then fires `count` times (forever when `count` is None). When two
faults would fire on one request, the first added wins and the other waits for the next one.
A looping cursor only means something on a listing that paginates, so it only counts those.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from bot.sim.scenario import FaultSpec

PAGINATED = frozenset({"options_chain", "trades", "quotes", "aggregates", "conditions"})


@dataclass(slots=True)
class _Armed:
    spec: FaultSpec
    matched: int = 0
    fired: int = 0

    def exhausted(self) -> bool:
        return self.spec.count is not None and self.fired >= self.spec.count


class FaultBoard:
    def __init__(self, specs: Iterable[FaultSpec] = ()) -> None:
        self._armed = [_Armed(spec) for spec in specs]

    def add(self, spec: FaultSpec) -> None:
        self._armed.append(_Armed(spec))

    def clear(self) -> None:
        self._armed.clear()

    def draw(self, endpoint: str) -> FaultSpec | None:
        """The fault this request gets, if any (and count the request against every fault
        it matches)."""
        chosen: FaultSpec | None = None
        for armed in self._armed:
            spec = armed.spec
            if spec.endpoint not in ("*", endpoint) or armed.exhausted():
                continue
            if spec.kind == "looping_cursor" and endpoint not in PAGINATED:
                continue
            armed.matched += 1
            if chosen is None and armed.matched > spec.after:
                armed.fired += 1
                chosen = spec
        return chosen

    def report(self) -> list[dict[str, Any]]:
        return [
            {**armed.spec.model_dump(mode="json"), "matched": armed.matched, "fired": armed.fired}
            for armed in self._armed
        ]
