from __future__ import annotations

from datetime import date, time

import pytest

from bot.market.calendar import MarketCalendar
from bot.sim.paths import INSIDE_MARGIN, BreakoutPin, build_path
from bot.sim.scenario import UnderlyingSpec, Waypoint
from bot.sim.session import NS_PER_SECOND, SessionTimes


@pytest.fixture(scope="module")
def session() -> SessionTimes:
    return SessionTimes.of(date(2026, 3, 30), MarketCalendar())


def test_the_path_covers_the_session_second_by_second_from_the_gapped_open(session: SessionTimes) -> None:
    spec = UnderlyingSpec(symbol="AAPL", price=200.0, open_gap_pct=1.5)
    path = build_path(spec, session, seed=4, breakout=None)
    assert path.seconds == 6.5 * 3600
    assert path.prices[0] == pytest.approx(203.0)


def test_scripted_waypoints_are_hit_at_their_second(session: SessionTimes) -> None:
    spec = UnderlyingSpec(
        symbol="AAPL",
        price=200.0,
        path=[Waypoint(time=time(10, 0), price=205.0), Waypoint(time=time(15, 0), change_pct=-2.0)],
    )
    path = build_path(spec, session, seed=4, breakout=None)
    assert path.at(session.at(time(10, 0))) == pytest.approx(205.0)
    assert path.at(session.at(time(15, 0))) == pytest.approx(196.0)


def test_the_same_seed_gives_the_same_path_and_another_seed_another(session: SessionTimes) -> None:
    spec = UnderlyingSpec(symbol="AAPL", price=200.0)
    assert build_path(spec, session, 4, None).prices == build_path(spec, session, 4, None).prices
    assert build_path(spec, session, 4, None).prices != build_path(spec, session, 5, None).prices


def test_outside_the_session_the_price_holds_at_the_ends(session: SessionTimes) -> None:
    path = build_path(UnderlyingSpec(symbol="AAPL", price=200.0), session, 4, None)
    assert path.at(session.at(time(8, 0))) == path.prices[0]
    assert path.at(session.at(time(17, 0))) == path.prices[-1]
    assert path.second_of(session.open_ns + 90 * NS_PER_SECOND + 999_999_999) == 90


@pytest.mark.parametrize("direction", ["up", "down"])
def test_a_breakout_stays_inside_the_range_before_its_time_and_past_it_after(
    session: SessionTimes, direction: str
) -> None:
    level = 206.0 if direction == "up" else 194.0
    pin = BreakoutPin(level, session.second_of(time(11, 0)), direction, 1.5)  # type: ignore[arg-type]
    path = build_path(UnderlyingSpec(symbol="AAPL", price=200.0, volatility=0.6), session, 4, pin)
    before, after = path.prices[: pin.second], path.prices[pin.second :]
    sign = 1 if direction == "up" else -1
    assert all(sign * (price - level) <= -level * INSIDE_MARGIN + 1e-9 for price in before)
    assert path.prices[pin.second] == pytest.approx(level * (1 + sign * 0.015))
    distances = [sign * (price / level - 1) * 100 for price in after]
    assert min(distances) >= 0.8 * 1.5 - 1e-9 and max(distances) <= 1.2 * 1.5 + 1e-9
