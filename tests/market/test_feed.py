"""The feed and the trade reader against the simulator, through the real client."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.analytics.conditions import ConditionTable
from bot.analytics.tape import Style
from bot.market.baselines import VolumeCache
from bot.market.calendar import ET
from bot.market.clock import VirtualClock, from_epoch_ns
from bot.market.events import EventLog
from bot.market.feed import OptionsFeed
from bot.market.trade_reader import TradeReader
from bot.polygon.client import PolygonClient
from bot.polygon.models import ChainSnapshot
from bot.sim.scenario import load_scenario
from bot.sim.server import SimServer
from bot.sim.truth import OptionFlowTruth

QUICK = Path(__file__).resolve().parents[2] / "data" / "scenarios" / "quick.json"
SCENARIO = load_scenario(QUICK)


def at(hour: int, minute: int, second: float = 0) -> datetime:
    moment = datetime.combine(SCENARIO.session_date, time(hour, minute), tzinfo=ET)
    return moment + timedelta(seconds=second)


@dataclass
class Rig:
    sim: SimServer
    clock: VirtualClock
    client: PolygonClient
    feed: OptionsFeed
    log: EventLog

    async def refresh_at(self, moment: datetime, underlying: str):  # noqa: ANN201
        self.clock.set(moment)
        return await self.clock.run(self.feed.refresh(underlying))

    def truth(self, event_id: str) -> OptionFlowTruth:
        found = next(t for t in self.sim.truth() if t.id == event_id)
        assert isinstance(found, OptionFlowTruth)
        return found


@pytest.fixture
async def rig() -> AsyncIterator[Rig]:
    clock = VirtualClock(at(9, 31))
    async with SimServer.start(SCENARIO, clock=clock) as sim:
        async with PolygonClient(sim.base_url, sim.api_key, clock=clock, requests_per_second=1000) as client:
            log = EventLog(["test"])
            feed = OptionsFeed(client, clock, VolumeCache(clock), log, max_dte=45)
            yield Rig(sim, clock, client, feed, log)


async def test_puts_on_c_cost_and_crm_come_out_as_puts(rig: Rig) -> None:
    fetched: dict[str, ChainSnapshot] = {}
    fetch = rig.client.options_chain

    async def keeping(underlying: str, **filters: Any) -> ChainSnapshot:
        fetched[underlying] = await fetch(underlying, **filters)
        return fetched[underlying]

    rig.client.options_chain = keeping  # type: ignore[method-assign]
    for symbol in ("C", "COST", "CRM"):
        result = await rig.refresh_at(at(10, 30), symbol)
        assert result.events == []  # first sight seeds silently
        chain = fetched[symbol].results
        puts = [c for c in chain if c.details.ticker[-9] == "P"]
        assert puts, f"{symbol} chain has puts"
        assert all(c.details.contract_type == "put" for c in puts)
        assert all(c.details.contract_type == "call" for c in chain if c.details.ticker[-9] == "C")
        # What /flow keeps of the chain has each traded contract's type from its details.
        traded = [c for c in chain if c.day is not None and c.day.volume > 0 and c.day.vwap > 0]
        kept = rig.feed.latest[symbol].chain
        assert [row.contract_type for row in kept.traded()] == [c.details.contract_type for c in traded]
        assert "put" in {row.contract_type for row in kept.traded()}


async def test_a_planted_block_becomes_one_event_with_its_premium_and_the_day_volume_is_not_new_flow(rig: Rig) -> None:
    planted = rig.truth("q-block-c-put")
    await rig.refresh_at(at(10, 39, 45), "C")
    result = await rig.refresh_at(at(10, 40, 15), "C")
    events = [e for e in result.events if e.contract == planted.contract]
    assert len(events) == 1
    event = events[0]
    assert event.contract_type == "put" and event.contracts == planted.size
    assert event.premium == pytest.approx(planted.premium, rel=0.01)
    assert event.dte == planted.dte and event.underlying_price is not None
    # Every other event of this refresh is background trading, each far below any threshold.
    assert all(e.premium < 2_000 for e in result.events if e is not event)


async def test_on_an_options_only_plan_a_planted_block_still_comes_out_with_the_chains_spot(rig: Rig) -> None:
    rig.sim.set_key(rig.sim.api_key, plan="options_advanced")  # every stock endpoint answers 403
    planted = rig.truth("q-block-c-put")
    await rig.refresh_at(at(10, 39, 45), "C")  # no stock price to centre on: the whole chain
    result = await rig.refresh_at(at(10, 40, 15), "C")
    [event] = [e for e in result.events if e.contract == planted.contract]
    assert event.premium == pytest.approx(planted.premium, rel=0.01)
    assert event.underlying_price is not None and event.underlying_price_source == "chain"


async def prints_after_the_fact(rig: Rig, planted: OptionFlowTruth) -> list:  # noqa: ANN401
    """The planted order's prints, read from a second server on the same market whose clock
    is already past them (the rig's own clock must not jump ahead of the refreshes)."""
    later = VirtualClock(from_epoch_ns(planted.timestamp_ns) + timedelta(minutes=1))
    async with SimServer.start(SCENARIO, clock=later, market=rig.sim.market) as scout:
        async with PolygonClient(scout.base_url, scout.api_key, clock=later) as client:
            prints = await later.run(client.trades(planted.contract, timestamp_gte=planted.timestamp_ns))
    return [p for p in prints if p.sip_timestamp - planted.timestamp_ns < 1_000_000_000]


async def test_a_sweep_cut_in_two_by_a_refresh_is_read_whole(rig: Rig) -> None:
    planted = rig.truth("q-golden-spy")
    sweep = await prints_after_the_fact(rig, planted)
    assert len(sweep) == planted.prints >= 3
    await rig.refresh_at(at(10, 4, 30), "SPY")
    # Refresh between the sweep's second and third prints, then again after it.
    middle = from_epoch_ns((sweep[1].sip_timestamp + sweep[2].sip_timestamp) // 2)
    first = [e for e in (await rig.refresh_at(middle, "SPY")).events if e.contract == planted.contract]
    rest = [e for e in (await rig.refresh_at(at(10, 5, 30), "SPY")).events if e.contract == planted.contract]
    assert first and rest and first[0].premium < planted.premium
    # The refresh came while the order was printing: its next event carries what it cut off.
    assert first[0].carried_premium == 0 and rest[0].carried_premium == first[0].premium
    reader = TradeReader(rig.client, rig.clock, ConditionTable.builtin())
    for part in (first[0], rest[0]):
        reading = await rig.clock.run(reader.read(part))
        assert reading.style is Style.SWEEP
        assert reading.premium == pytest.approx(planted.premium, rel=0.01)
        assert reading.exchanges == len(planted.exchanges)


async def test_an_events_greeks_quote_and_timeframe_are_those_of_the_contracts_snapshot(rig: Rig) -> None:
    await rig.refresh_at(at(10, 39, 45), "C")
    result = await rig.refresh_at(at(10, 40, 15), "C")
    assert result.events
    for event in result.events[:5]:
        whole = await rig.clock.run(rig.client.option_contract("C", event.contract))
        assert whole.greeks is not None and whole.last_quote is not None and whole.last_trade is not None
        assert (event.delta, event.gamma, event.theta, event.vega) == (
            whole.greeks.delta, whole.greeks.gamma, whole.greeks.theta, whole.greeks.vega
        )
        assert (event.bid, event.ask, event.last_trade_price) == (
            whole.last_quote.bid, whole.last_quote.ask, whole.last_trade.price
        )
        assert (event.open_interest, event.implied_volatility) == (whole.open_interest, whole.implied_volatility)
        assert event.timeframe == whole.last_quote.timeframe
        assert (event.contract_type, event.strike, event.expiration) == (
            whole.details.contract_type, whole.details.strike_price, whole.details.expiration_date
        )
