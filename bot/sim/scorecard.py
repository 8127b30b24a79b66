"""Planted events against the alerts a run produced: what was caught, missed, or unexpected.

The demo's closing summary and the benchmarks' recall read this. An option flow is caught
by a scanner when that scanner alerted its contract; a repeat on a contract the scanner had
already alerted is expected only when it qualifies as ACCUMULATION (the dedup rule). A dark
print is caught by an alert of the same symbol and size, a breakout by one of its symbol.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from bot.alerts.model import Alert, Scanner
from bot.scanners.dedup import Decision, decide
from bot.sim.truth import BreakoutTruth, OptionFlowTruth, StockPrintTruth, TruthEntry
from bot.store.dedup import DedupState


@dataclass(frozen=True)
class Expectation:
    truth: TruthEntry
    scanner: Scanner


@dataclass
class Scorecard:
    caught: list[tuple[Expectation, Alert]] = field(default_factory=list)
    missed: list[Expectation] = field(default_factory=list)
    unexpected: list[Alert] = field(default_factory=list)

    @property
    def recall(self) -> float:
        expected = len(self.caught) + len(self.missed)
        return len(self.caught) / expected if expected else 1.0


def expectations(
    truth: Sequence[TruthEntry], since_ns: int | None = None, until_ns: int | None = None
) -> list[Expectation]:
    """What a correct run watching from `since_ns` should have posted by `until_ns`."""
    states: dict[tuple[Scanner, str], DedupState | None] = {}
    expected = []
    for entry in sorted(truth, key=lambda t: t.timestamp_ns):
        if until_ns is not None and entry.timestamp_ns > until_ns:
            break
        if since_ns is not None and entry.timestamp_ns < since_ns:
            continue
        for name in entry.scanners:
            scanner = Scanner(name)
            if isinstance(entry, OptionFlowTruth):
                when = datetime.fromisoformat(entry.time)
                key = (scanner, entry.contract)
                decision, states[key] = decide(states.get(key), entry.premium, when.date(), when)
                if decision is Decision.SUPPRESSED:
                    continue
            expected.append(Expectation(entry, scanner))
    return expected


def matches(expectation: Expectation, alert: Alert) -> bool:
    truth = expectation.truth
    if alert.scanner is not expectation.scanner or alert.ticker != truth.symbol:
        return False
    if isinstance(truth, OptionFlowTruth):
        return alert.contract == truth.contract
    if isinstance(truth, StockPrintTruth):
        return alert.size == truth.size
    return isinstance(truth, BreakoutTruth)


def score(
    truth: Sequence[TruthEntry],
    alerts: Sequence[Alert],
    since_ns: int | None = None,
    until_ns: int | None = None,
) -> Scorecard:
    card = Scorecard()
    unused = list(alerts)
    for expectation in expectations(truth, since_ns, until_ns):
        found = next((alert for alert in unused if matches(expectation, alert)), None)
        if found is None:
            card.missed.append(expectation)
        else:
            unused.remove(found)
            card.caught.append((expectation, found))
    card.unexpected = unused
    return card
