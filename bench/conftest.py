"""Shared fixtures of the pytest-benchmark files, and the closing table of targets.

Each benchmark records its median in `results`; at the end of the session the targets are
checked against ratios of medians measured side by side in the same run (never against a
lone absolute time, except where the target itself is an absolute time).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
from pytest_benchmark.fixture import BenchmarkFixture

from bench.machine import describe


@dataclass
class Target:
    name: str
    verdict: Callable[[Results], tuple[bool, str]]


@dataclass
class Results:
    """Medians (and minimums, the least disturbed run on a shared machine) in seconds by
    benchmark name, facts about the inputs (sizes, counts), and the targets to judge them by."""

    medians: dict[str, float] = field(default_factory=dict)
    minimums: dict[str, float] = field(default_factory=dict)
    facts: dict[str, float] = field(default_factory=dict)
    targets: list[Target] = field(default_factory=list)

    def record(self, name: str, benchmark: BenchmarkFixture) -> None:
        self.medians[name] = benchmark.stats.stats.median
        self.minimums[name] = benchmark.stats.stats.min

    def target(self, name: str, verdict: Callable[[Results], tuple[bool, str]]) -> None:
        self.targets.append(Target(name, verdict))


_RESULTS = Results()


@pytest.fixture(scope="session")
def results() -> Results:
    return _RESULTS


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if not _RESULTS.targets:
        return
    terminalreporter.section("ORAKL targets")
    terminalreporter.write_line(f"machine: {describe()}")
    for target in _RESULTS.targets:
        try:
            met, detail = target.verdict(_RESULTS)
        except KeyError as missing:
            terminalreporter.write_line(f"{target.name}: not measured ({missing} did not run)")
            continue
        terminalreporter.write_line(f"{'MET   ' if met else 'MISSED'} {target.name}: {detail}")
