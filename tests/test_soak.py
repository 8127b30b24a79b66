"""The soak: a whole simulated trading day and the rollover into the next session, at replay
speed, with resident memory sampled every ten market minutes (`bench/soak.py`).

Here it runs on a lighter market than `python -m bench.soak` so it fits the suite: quick.json's
SPY and C with the events planted on them (sweeps, a golden sweep, a 0DTE scalp, a bullseye,
dark-pool blocks before and during the session) on thirteen strikes a chain, every symbol on
the slowest refresh tier. The sessions, the jobs and the rollover are the same. One soak is
shared by the tests: each reads a different property of the same run.
"""

from __future__ import annotations

import asyncio
import pickle
import subprocess
import sys
from datetime import date, datetime, time
from pathlib import Path

import pytest

from bench.soak import NEXT_MORNING, QUICK, WARM_UP, SoakResult, blocks, resident, soak
from bot.alerts.model import AlertKind
from bot.market.calendar import ET, et_date
from bot.market.watchlist import WatchedSymbol
from bot.sim.market import Market
from bot.sim.rollover import next_session
from bot.sim.scenario import Scenario, load_scenario
from bot.sim.truth import OptionFlowTruth

QUICK_SESSIONS = (date(2026, 3, 30), date(2026, 3, 31))  # quick.json's Monday, then Tuesday
STOP_NEXT_DAY = time(10, 30)
SYMBOLS = frozenset({"SPY", "C"})
STRIKES_EACH_SIDE = 6
SPY_MAX_DAYS = 4  # the planted SPY orders are at most three days out
WEEKLIES_WITHIN_DAYS = 7  # C keeps the week's expiry and the monthly its orders are on
# Warm, this soak's resident memory rises by about 4 MB in all (caches used for the first time
# fill, the next day's market is built) and its Python blocks by under 10,000. A callback kept
# per job run, a leak this soak's own harness once had, added 7 MB and 80,000 blocks.
# The soak runs in a process of its own, so what it measures is its own memory, not what
# earlier tests of the suite left behind.
MAX_RSS_GROWTH_BYTES = 16_000_000
MAX_BLOCK_GROWTH = 20_000
ROOT = Path(__file__).resolve().parents[1]
SOAK_TIMEOUT_SECONDS = 600


def light(scenario: Scenario) -> Scenario:
    underlyings = [
        spec.model_dump()
        | {"strikes_each_side": STRIKES_EACH_SIDE}
        | ({"max_days": SPY_MAX_DAYS} if spec.symbol == "SPY" else {"weekly_days": WEEKLIES_WITHIN_DAYS})
        for spec in scenario.underlyings
        if spec.symbol in SYMBOLS
    ]
    events = [event.model_dump() for event in scenario.events if event.symbol in SYMBOLS]
    return Scenario.model_validate(scenario.model_dump() | {"underlyings": underlyings, "events": events})


@pytest.fixture(scope="module")
def today() -> Scenario:
    return light(load_scenario(QUICK))


def light_soak() -> SoakResult:
    today = light(load_scenario(QUICK))
    slowest_tier = [WatchedSymbol(spec.symbol, 3) for spec in today.underlyings]
    return asyncio.run(soak(today, until=STOP_NEXT_DAY, watchlist=slowest_tier))


@pytest.fixture(scope="module")
def soaked(tmp_path_factory: pytest.TempPathFactory) -> SoakResult:
    result = tmp_path_factory.mktemp("soak") / "result.pickle"
    script = "import pickle, sys; from tests.test_soak import light_soak; pickle.dump(light_soak(), open(sys.argv[1], 'wb'))"
    subprocess.run([sys.executable, "-c", script, str(result)], cwd=ROOT, check=True, timeout=SOAK_TIMEOUT_SECONDS)
    return pickle.loads(result.read_bytes())  # noqa: S301 - our own child's output


def test_memory_stays_flat_after_warm_up(soaked: SoakResult, today: Scenario) -> None:
    warm = datetime.combine(today.session_date, WARM_UP, tzinfo=ET)
    assert len(soaked.after(warm)) > 100  # the rest of the day, the night and the next morning
    assert soaked.growth(warm, resident) < MAX_RSS_GROWTH_BYTES, soaked.report()
    assert soaked.growth(warm, blocks) < MAX_BLOCK_GROWTH, soaked.report()


def test_no_refresh_fails_and_no_api_error_accumulates(soaked: SoakResult) -> None:
    # (A job that raised would have ended the soak with its traceback.)
    assert {(sample.refresh_failures, sample.api_errors) for sample in soaked.samples} == {(0, 0)}, soaked.report()


def test_every_planted_event_of_both_sessions_is_caught_and_nothing_else_is_posted(soaked: SoakResult) -> None:
    first, second = soaked.sessions
    assert (first.day, second.day) == QUICK_SESSIONS
    for session in (first, second):
        card = session.scorecard
        assert card.caught and card.missed == [], soaked.report()
        assert card.unexpected == [], [(alert.scanner.value, alert.ticker) for alert in card.unexpected]
    assert {expectation.truth.id for expectation, _ in second.scorecard.caught} == {
        event["id"] for event in NEXT_MORNING
    }


def test_the_new_session_reseeds_the_baselines_so_no_alert_carries_the_previous_days_volume(
    soaked: SoakResult,
) -> None:
    next_day = soaked.sessions[1]
    before_the_bell = datetime.combine(next_day.day, time(9, 20), tzinfo=ET)
    [overnight] = [sample for sample in soaked.samples if sample.at == before_the_bell]
    assert overnight.reseeds == 0 and overnight.baselines > 0  # yesterday's baselines waited overnight
    assert soaked.samples[-1].reseeds > 0
    planted = {id(alert): expectation.truth for expectation, alert in next_day.scorecard.caught}
    options = [alert for alert in next_day.alerts if alert.kind is AlertKind.OPTION]
    assert options
    for alert in options:
        assert alert.window_start is not None and et_date(alert.window_start) == next_day.day
        truth = planted[id(alert)]
        assert isinstance(truth, OptionFlowTruth)
        assert alert.premium == pytest.approx(truth.premium, rel=0.01)


def test_expired_contracts_leave_the_volume_cache(soaked: SoakResult, today: Scenario) -> None:
    tomorrow = Market(next_session(Market(today), NEXT_MORNING))
    listed_tomorrow = sum(len(book.chain.contracts) for book in tomorrow.books.values())
    assert soaked.samples[-1].baselines <= listed_tomorrow
