from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from bot.sim.scenario import Scenario, ScenarioError, load_scenario, parse_scenario
from tests.sim.conftest import SCENARIOS, small_scenario
from tests.support.fixtures import REPO_ROOT


def flow(**changes: Any) -> dict[str, Any]:
    event: dict[str, Any] = {
        "kind": "option_flow", "id": "spy-sweep", "time": "10:15", "symbol": "SPY",
        "contract": {"type": "call", "dte": 1, "strike_offset": 0}, "size": 100,
    }  # fmt: skip
    event.update(changes)
    return event


def problems(raw: dict[str, Any]) -> str:
    with pytest.raises(ScenarioError) as caught:
        parse_scenario(json.dumps(raw), "test.json")
    return str(caught.value)


@pytest.mark.parametrize("name", ["quick", "busy", "universe200"])
def test_every_shipped_scenario_loads(name: str) -> None:
    scenario = load_scenario(SCENARIOS / f"{name}.json")
    assert scenario.name == name
    assert scenario.underlyings


def test_universe200_has_two_hundred_symbols() -> None:
    scenario = load_scenario(SCENARIOS / "universe200.json")
    assert len({spec.symbol for spec in scenario.underlyings}) == 200


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (
            small_scenario(events=[flow(size=-5)]),
            "events[0] (option_flow 'spy-sweep').size: Input should be greater than 0",
        ),
        (
            small_scenario(events=[flow(symbol="QQQ")]),
            "events[0].symbol: 'QQQ' is not one of the underlyings",
        ),
        (small_scenario(session_date="2026-04-03"), "session_date: 2026-04-03 is not an NYSE trading day"),
        (
            small_scenario(events=[flow(time="16:30")]),
            "events[0].time: 16:30:00 is outside 09:30-16:00 ET for a option_flow",
        ),
        (small_scenario(events=[flow(), flow()]), "events: ids ['spy-sweep'] used twice"),
        (
            small_scenario(
                events=[flow(contract={"type": "call", "dte": 1, "expiration": "2026-03-31", "strike": 640})]
            ),
            "events[0] (option_flow 'spy-sweep').contract: give exactly one of expiration or dte",
        ),
        (
            small_scenario(underlyings=[{"symbol": "SPY", "price": 640, "strikes": 5}]),
            "underlyings[0].strikes: Extra inputs are not permitted",
        ),
        (
            small_scenario(underlyings=[{"symbol": "spy", "price": 640}]),
            "underlyings[0].symbol: String should match pattern",
        ),
        (
            small_scenario(
                events=[{"kind": "stock_print", "id": "d", "time": "21:00", "symbol": "SPY", "size": 1}]
            ),
            "events[0].time: 21:00:00 is outside 04:00-20:00 ET for a stock_print",
        ),
        (small_scenario(faults=[{"kind": "http_503"}]), "faults[0].kind: Input should be"),
    ],
)
def test_a_bad_scenario_names_the_field_at_fault(raw: dict[str, Any], expected: str) -> None:
    assert expected in problems(raw)


def test_a_sweep_with_one_print_says_how_many_it_needs() -> None:
    report = problems(small_scenario(events=[flow(style="sweep", prints=1)]))
    assert "events[0] (option_flow 'spy-sweep'): a sweep has 2..16 prints, not 1" in report


def test_every_problem_is_reported_at_once() -> None:
    report = problems(small_scenario(session_date="2026-04-03", events=[flow(symbol="QQQ")]))
    assert "session_date" in report and "events[0].symbol" in report


def test_a_file_that_is_not_json_or_not_there_says_so(tmp_path: Path) -> None:
    broken = tmp_path / "broken.json"
    broken.write_text("{ not json")
    with pytest.raises(ScenarioError, match="broken.json: not JSON"):
        load_scenario(broken)
    with pytest.raises(ScenarioError, match="cannot read scenario"):
        load_scenario(tmp_path / "missing.json")


def test_the_clock_starts_at_the_start_time_in_new_york() -> None:
    scenario = parse_scenario(json.dumps(small_scenario(start_time="09:25")))
    assert scenario.session_start.isoformat() == "2026-03-30T09:25:00-04:00"


def test_docs_carry_the_schema_of_the_models_as_they_are() -> None:
    text = (REPO_ROOT / "docs" / "scenarios.md").read_text()
    block = re.search(r"<!-- schema:start -->\s*```json\n(.*?)```\s*<!-- schema:end -->", text, re.S)
    assert block is not None, "docs/scenarios.md lost its schema block"
    assert json.loads(block.group(1)) == Scenario.model_json_schema()
