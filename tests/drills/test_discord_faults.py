"""Discord refusing one channel during a live run: every post to #general meets a 403.

The bot keeps running, #alerts keeps getting every alert, #general is marked broken (posting
there stops) and `/status` in that server names it with Discord's reason.
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import discord
import pytest

from bot.alerts import Scanner
from tests.drills.conftest import LiveBot

MISSING_ACCESS = "Missing Access"


def refuse_posts_to(monkeypatch: pytest.MonkeyPatch, live: LiveBot, refused: discord.TextChannel) -> list[int]:
    """Discord answers 403 to every message for `refused`; the list returned grows by one
    with each message refused."""
    http = live.world.bot.http
    send = http.send_message
    refusals: list[int] = []

    async def send_message(channel_id: int, **kwargs: Any) -> Any:
        if int(channel_id) == refused.id:
            refusals.append(int(channel_id))
            raise discord.Forbidden(SimpleNamespace(status=403, reason="Forbidden"), {"code": 50001, "message": MISSING_ACCESS})
        # dpytest's fake HTTP finds the channel it posts in among its caller's local variables.
        channel = live.world.bot.get_channel(channel_id)  # noqa: F841
        return await send(channel_id, **kwargs)

    monkeypatch.setattr(http, "send_message", send_message)
    return refusals


async def test_a_channel_discord_refuses_is_marked_broken_and_the_other_gets_every_alert(
    live: LiveBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    healthy, refused = live.channels
    refusals = refuse_posts_to(monkeypatch, live, refused)
    await live.start()
    await live.until(lambda: live.posts(healthy, Scanner.GOLDEN_SWEEPS) and live.posts(healthy, Scanner.DARKPOOL),
                     "the golden sweep and the dark-pool block in #alerts")  # fmt: skip

    delivered = live.messages()
    assert delivered and all(message.channel.id == healthy.id for message in delivered)
    # Alerts routed before the 403 came back tried #general too; none was retried there.
    assert 1 <= len(refusals) <= len(delivered)
    status = await live.status()
    assert status.title == "ORAKL status: degraded"
    assert f"⚠️ <#{refused.id}>: {MISSING_ACCESS} (HTTP 403)" in status.fields["Channels"]
    assert f"<#{healthy.id}>" not in status.fields["Channels"]
    assert live.services.scheduler.running
    assert "failing" not in status.fields["Scanners"]
