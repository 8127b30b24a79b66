"""`/flow ticker` through the real tree: it defers first, refreshes a stale chain through the
real client (a Polygon stub on 127.0.0.1), and answers everyone with figures and a chart."""

from __future__ import annotations

import importlib
import threading
from datetime import timedelta
from typing import Any

import pytest

from bot.market.clock import VirtualClock
from cogs.flow.chart import render_chart
from tests.cogs.flow.chains import SPOT, SPY_CONTRACTS, chain_page
from tests.cogs.helpers import as_member
from tests.polygon.stub import PolygonStub, json_reply
from tests.support import alert_examples as examples
from tests.support.discord_bot import World
from tests.support.discord_schema import (
    assert_valid_embed,
    assert_valid_interaction_response,
    assert_valid_webhook_message,
)
from tests.support.interactions import DEFERRED_CHANNEL_MESSAGE, autocomplete

CHAIN_PATH = "/v3/snapshot/options/SPY"
STOCK_PATH = "/v2/snapshot/locale/us/markets/stocks/tickers/SPY"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@pytest.fixture
def spy_market(polygon: PolygonStub) -> PolygonStub:
    polygon.route(CHAIN_PATH, json_reply(chain_page(SPY_CONTRACTS)))
    polygon.route(STOCK_PATH, json_reply({"status": "OK", "ticker": {"ticker": "SPY", "day": {"c": SPOT}}}))
    return polygon


def with_string_upload_ids(payload: dict[str, object]) -> dict[str, object]:
    """discord.py 2.7 numbers a new upload's placeholder id as the integer 0, which Discord
    accepts; the OpenAPI spec types every attachment id as a snowflake string."""
    attachments = [{**item, "id": str(item["id"])} for item in payload.get("attachments", [])]  # type: ignore[attr-defined]
    return {**payload, "attachments": attachments}


def fields(embed: dict[str, Any]) -> dict[str, str]:
    return {field["name"]: field["value"] for field in embed["fields"]}


async def test_flow_defers_then_shows_todays_flow_with_a_chart_to_everyone(
    world: World, spy_market: PolygonStub
) -> None:
    conversation = await as_member(world, "flow", ticker="spy")
    deferral, reply = conversation.sent
    assert deferral.is_callback and deferral.payload["type"] == DEFERRED_CHANNEL_MESSAGE
    assert not deferral.ephemeral and not reply.ephemeral
    assert_valid_interaction_response(deferral.payload)
    assert_valid_webhook_message(with_string_upload_ids(reply.payload))
    [embed] = reply.embeds
    assert_valid_embed(embed)
    assert embed["title"] == "SPY options flow today"
    shown = fields(embed)
    assert (shown["Calls"], shown["Puts"], shown["Contracts traded"]) == ("$1.35M (69%)", "$600K (31%)", "3")
    assert shown["Top contracts by premium"].splitlines() == [
        "SPY 600C 06/20 · 2,000 @ 6.00 · $1.20M",
        "SPY 590P 06/20 · 1,500 @ 4.00 · $600K",
        "SPY 610C 07/18 · 600 @ 2.50 · $150K",
    ]
    [(filename, png)] = reply.files
    assert filename == "flow-SPY.png" and png.startswith(PNG_SIGNATURE)
    assert embed["image"]["url"] == "attachment://flow-SPY.png"
    assert len(spy_market.requests_to(CHAIN_PATH)) == 1


async def test_a_fresh_snapshot_is_shown_without_another_request(
    world: World, spy_market: PolygonStub, clock: VirtualClock
) -> None:
    await as_member(world, "flow", ticker="SPY")
    clock.advance(5)  # SPY is tier 1: refreshed every 15 s at most
    await as_member(world, "flow", ticker="SPY")
    assert len(spy_market.requests_to(CHAIN_PATH)) == 1
    clock.advance(60)
    await as_member(world, "flow", ticker="SPY")
    assert len(spy_market.requests_to(CHAIN_PATH)) == 2


async def test_the_latest_alerts_for_the_ticker_are_listed(world: World, spy_market: PolygonStub) -> None:
    await world.bot.services.router.route([examples.sweeps(), examples.flow()])  # SPY, then NVDA
    conversation = await as_member(world, "flow", ticker="SPY")
    latest = fields(conversation.reply.embeds[0])["Latest alerts"]
    assert "SPY 600C 12/19 SWEEP" in latest and "NVDA" not in latest


async def test_the_chart_is_drawn_off_the_event_loop(
    world: World, spy_market: PolygonStub, monkeypatch: pytest.MonkeyPatch
) -> None:
    threads: list[int] = []

    def watched(summary: object) -> bytes:
        threads.append(threading.get_ident())
        return render_chart(summary)  # type: ignore[arg-type]

    # The chart module the command will import (unloading an extension drops its modules, so
    # it may not be the one this file imported).
    monkeypatch.setattr(importlib.import_module("cogs.flow.chart"), "render_chart", watched)
    await as_member(world, "flow", ticker="SPY")
    assert threads and threads[0] != threading.get_ident()


@pytest.mark.parametrize(
    ("typed", "message"),
    [("TSLA", "TSLA is not on ORAKL's watchlist"), ("SPY1", "'SPY1' is not a US symbol")],
)
async def test_a_ticker_it_cannot_show_is_refused_privately_before_deferring(
    world: World, spy_market: PolygonStub, typed: str, message: str
) -> None:
    conversation = await as_member(world, "flow", ticker=typed)
    assert conversation.reply.is_callback and conversation.reply.ephemeral
    assert message in conversation.reply.content
    assert spy_market.seen == []


async def test_after_the_close_it_says_so_and_makes_no_request(
    world: World, spy_market: PolygonStub, clock: VirtualClock
) -> None:
    clock.advance(timedelta(hours=2).total_seconds())  # 16:31 ET
    conversation = await as_member(world, "flow", ticker="SPY")
    assert conversation.reply.content == "The options market is closed; there is no snapshot of SPY yet."
    assert spy_market.seen == []


async def test_a_refused_refresh_is_explained(world: World, spy_market: PolygonStub) -> None:
    spy_market.route(CHAIN_PATH, json_reply({"status": "NOT_AUTHORIZED", "message": "not entitled"}, status=403))
    conversation = await as_member(world, "flow", ticker="SPY")
    assert conversation.reply.content.startswith("Polygon could not refresh SPY (The Polygon plan does not include")


async def test_tickers_are_suggested_from_the_watchlist(world: World) -> None:
    where, member = world.channel("general"), world.member("member")
    assert await autocomplete(world.bot, "flow", "ticker", "", member=member, where=where) == [
        "SPY", "QQQ", "NVDA", "AAPL", "AMD", "BRK.B",
    ]  # fmt: skip
    assert await autocomplete(world.bot, "flow", "ticker", "a", member=member, where=where) == ["AAPL", "AMD"]
