"""Migration webhooks: the same embed, 429s waited out on the clock, a dead webhook switched
off once, and the URL (a secret) never in a log."""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer
from pydantic import SecretStr

from bot.alerts import Scanner, render_embed
from bot.delivery import WebhookSink
from bot.market.clock import VirtualClock
from tests.support import alert_examples as examples
from tests.support.discord_schema import assert_valid_webhook_message

TOKEN = "wEbHoOk-ToKeN-SECRET-42"


class DiscordWebhooks:
    """Discord's webhook endpoint on 127.0.0.1: answers each post with the next scripted reply."""

    def __init__(self) -> None:
        self.received: list[dict[str, Any]] = []
        self.replies: list[web.Response] = []
        app = web.Application()
        app.router.add_post("/api/webhooks/{id}/{token}", self._post)
        self.server = TestServer(app, host="127.0.0.1")

    def url(self, webhook_id: int = 1) -> SecretStr:
        return SecretStr(str(self.server.make_url(f"/api/webhooks/{webhook_id}/{TOKEN}")))

    async def _post(self, request: web.Request) -> web.Response:
        self.received.append(await request.json())
        return self.replies.pop(0) if self.replies else web.Response(status=204)


def rate_limited(seconds: float) -> web.Response:
    return web.json_response(
        {"message": "You are being rate limited.", "retry_after": seconds, "global": False}, status=429
    )


def logged_by_orakl(caplog: pytest.LogCaptureFixture) -> str:
    """ORAKL's log lines with their context (the fake Discord's own access log aside)."""
    ours = [record for record in caplog.records if record.name.startswith("bot.")]
    return json.dumps([[record.getMessage(), repr(getattr(record, "context", None))] for record in ours])


@pytest.fixture
async def discord_webhooks() -> AsyncIterator[DiscordWebhooks]:
    webhooks = DiscordWebhooks()
    await webhooks.server.start_server()
    yield webhooks
    await webhooks.server.close()


@pytest.fixture
async def sink(discord_webhooks: DiscordWebhooks, clock: VirtualClock) -> AsyncIterator[WebhookSink]:
    made = WebhookSink({Scanner.SWEEPS: discord_webhooks.url()}, clock)
    yield made
    await made.close()


async def test_a_scanner_with_a_webhook_gets_the_same_embed_as_the_channels(
    sink: WebhookSink, discord_webhooks: DiscordWebhooks
) -> None:
    alert = examples.sweeps()
    await sink.publish(alert, render_embed(alert))
    [posted] = discord_webhooks.received
    assert_valid_webhook_message(posted)
    assert posted["embeds"] == [render_embed(alert).to_dict()]
    assert posted["allowed_mentions"] == {"parse": []}


async def test_a_scanner_without_a_webhook_posts_nothing(sink: WebhookSink, discord_webhooks: DiscordWebhooks) -> None:
    alert = examples.darkpool()
    await sink.publish(alert, render_embed(alert))
    assert discord_webhooks.received == []


async def test_a_429_is_waited_out_for_retry_after_and_the_alert_is_posted(
    sink: WebhookSink, discord_webhooks: DiscordWebhooks, clock: VirtualClock
) -> None:
    discord_webhooks.replies = [rate_limited(1.75), rate_limited(0.5)]
    alert = examples.sweeps()
    await clock.run(sink.publish(alert, render_embed(alert)))
    assert len(discord_webhooks.received) == 3
    assert clock.monotonic() == pytest.approx(2.25)


async def test_a_deleted_webhook_is_switched_off_with_one_log_line_that_hides_its_url(
    sink: WebhookSink, discord_webhooks: DiscordWebhooks, caplog: pytest.LogCaptureFixture
) -> None:
    discord_webhooks.replies = [web.json_response({"message": "Unknown Webhook", "code": 10015}, status=404)]
    alert = examples.sweeps()
    with caplog.at_level(logging.INFO):
        for _ in range(3):
            await sink.publish(alert, render_embed(alert))
    assert len(discord_webhooks.received) == 1
    assert Scanner.SWEEPS in sink.switched_off
    refused = [record for record in caplog.records if "refused" in record.getMessage()]
    assert len(refused) == 1
    assert refused[0].context["webhook"] == "ORAKL_WEBHOOK_SWEEPS"  # type: ignore[attr-defined]
    assert TOKEN not in logged_by_orakl(caplog)


async def test_an_unreachable_webhook_is_retried_then_given_up_without_showing_the_url(
    clock: VirtualClock, caplog: pytest.LogCaptureFixture
) -> None:
    unreachable = SecretStr(f"http://127.0.0.1:9/api/webhooks/1/{TOKEN}")
    sink = WebhookSink({Scanner.SWEEPS: unreachable}, clock)
    alert = examples.sweeps()
    with caplog.at_level(logging.WARNING):
        await clock.run(sink.publish(alert, render_embed(alert)))
    await sink.close()
    assert any("given up" in record.getMessage() for record in caplog.records)
    assert TOKEN not in logged_by_orakl(caplog)
