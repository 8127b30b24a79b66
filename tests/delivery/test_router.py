"""The router: who receives an alert, that it is recorded before it is posted, and what
happens when Discord says no, says later, or a channel floods."""

from __future__ import annotations

import logging
from typing import Any

import discord
import pytest

from bot.alerts import Alert, Scanner, render_embed
from bot.delivery import GuildConfig, Router
from bot.delivery.outcomes import ChannelBroken, RateLimited, Refused, Unavailable
from bot.market.clock import VirtualClock
from bot.store import Delivery, DeliveryTarget, Store
from bot.store.db import fetch_all
from bot.store.deliveries import delivery_from_row, writing_deliveries
from tests.delivery.conftest import A_ALERTS, A_OTHER, B_ALERTS, GUILD_A, GUILD_B, ScriptedChannels
from tests.support import alert_examples as examples
from tests.support.alert_examples import variant
from tests.support.discord_schema import assert_valid_message


async def deliveries(store: Store) -> list[Delivery]:
    # Every delivery as its row, those still packed by the alert that queued them included.
    async with writing_deliveries(store.db) as connection:
        rows = await fetch_all(connection, "SELECT * FROM deliveries ORDER BY id")
    return [delivery_from_row(row) for row in rows]


async def delivery_to(store: Store, channel_id: int) -> Delivery:
    found = [delivery for delivery in await deliveries(store) if delivery.channel_id == channel_id]
    assert len(found) == 1, found
    return found[0]


async def left_pending_by_a_crash(store: Store) -> Alert:
    """What a run that died right after recording an alert for guild A's #alerts leaves behind."""
    alert = examples.sweeps()
    target = DeliveryTarget(GUILD_A, A_ALERTS)
    await store.alerts.add(
        scanner="sweeps", ticker="SPY", dedup_key=alert.dedup_key, payload=alert.to_json(), deliver_to=[target]
    )
    return alert


def sweep(number: int = 0, **changes: Any) -> Alert:
    """The example sweep, as the `number`-th distinct contract."""
    return variant(examples.sweeps(), **{"dedup_key": f"O:SPY251219C00{600 + number}000", **changes})


@pytest.fixture
async def subscribed(store: Store) -> None:
    """Guild A: #alerts takes sweeps, #other takes darkpool; guild B: #alerts takes both."""
    await store.subscriptions.subscribe(GUILD_A, A_ALERTS, ["sweeps"])
    await store.subscriptions.subscribe(GUILD_A, A_OTHER, ["darkpool"])
    await store.subscriptions.subscribe(GUILD_B, B_ALERTS, ["sweeps", "darkpool"])


@pytest.mark.usefixtures("subscribed")
async def test_an_alert_reaches_each_channel_subscribed_to_its_scanner_and_no_other(
    router: Router, channels: ScriptedChannels
) -> None:
    alert = examples.sweeps()
    await router.route([alert])
    assert sorted(post.channel_id for post in channels.posts) == [A_ALERTS, B_ALERTS]
    assert channels.to(A_ALERTS)[0].to_dict() == render_embed(alert).to_dict()


@pytest.mark.usefixtures("subscribed")
async def test_the_alert_and_one_delivery_per_channel_are_recorded_and_marked_sent(
    router: Router, store: Store, channels: ScriptedChannels
) -> None:
    alert = examples.sweeps()
    [recorded] = await router.route([alert])
    stored = await store.alerts.get(recorded.alert.id)
    assert stored is not None and Alert.model_validate_json(stored.payload) == alert
    sent = await deliveries(store)
    assert {(delivery.guild_id, delivery.channel_id) for delivery in sent} == {(GUILD_A, A_ALERTS), (GUILD_B, B_ALERTS)}
    assert all(delivery.status == "sent" and delivery.message_id is not None for delivery in sent)
    assert len({delivery.message_id for delivery in sent}) == 2


@pytest.mark.usefixtures("subscribed")
async def test_two_guilds_with_different_thresholds_get_different_alerts(
    router: Router, guild_config: GuildConfig, channels: ScriptedChannels
) -> None:
    await guild_config.set_values(GUILD_A, Scanner.SWEEPS, {"min_premium": 2_000_000})
    await router.route([sweep(1, premium=1_200_000), sweep(2, premium=2_500_000)])
    assert [embed.title for embed in channels.to(B_ALERTS)] == [render_embed(sweep(n)).title for n in (1, 2)]
    assert [embed.title for embed in channels.to(A_ALERTS)] == [render_embed(sweep(2)).title]


@pytest.mark.parametrize(
    ("scanner", "override", "refused", "accepted"),
    [
        (Scanner.SWEEPS, {"min_dte": 30, "max_dte": 90}, sweep(1, dte=24), sweep(2, dte=30)),
        (Scanner.SWEEPS, {"min_dte": 0, "max_dte": 20}, sweep(1, dte=24), sweep(2, dte=20)),
        (Scanner.SWEEPS, {"min_score": 80}, sweep(1), variant(examples.golden_sweeps(), scanner=Scanner.SWEEPS)),
        (
            Scanner.DARKPOOL,
            {"min_notional": 20_000_000},
            examples.darkpool(),
            variant(examples.darkpool(), notional=25e6, dedup_key="AAPL:52983525039999"),
        ),
    ],
    ids=["below min DTE", "above max DTE", "score", "dark-pool notional"],
)
@pytest.mark.usefixtures("subscribed")
async def test_a_guild_override_filters_only_that_guild(
    router: Router,
    guild_config: GuildConfig,
    channels: ScriptedChannels,
    scanner: Scanner,
    override: dict[str, int],
    refused: Alert,
    accepted: Alert,
) -> None:
    await guild_config.set_values(GUILD_B, scanner, override)
    await router.route([refused, accepted])
    assert [embed.title for embed in channels.to(B_ALERTS)] == [render_embed(accepted).title]
    guild_a = A_ALERTS if scanner is Scanner.SWEEPS else A_OTHER
    assert len(channels.to(guild_a)) == 2


@pytest.mark.usefixtures("subscribed")
async def test_a_ticker_filter_lets_only_its_tickers_through(
    router: Router, guild_config: GuildConfig, channels: ScriptedChannels
) -> None:
    await guild_config.add_tickers(GUILD_A, ["QQQ", "AAPL"])
    await router.route(
        [sweep(1), sweep(2, ticker="QQQ", contract="O:QQQ251219C00500000", dedup_key="O:QQQ251219C00500000")]
    )
    assert [(embed.title or "").split()[1] for embed in channels.to(A_ALERTS)] == ["QQQ"]
    assert len(channels.to(B_ALERTS)) == 2


@pytest.mark.usefixtures("subscribed")
async def test_an_alert_routed_twice_reaches_each_channel_once(router: Router, channels: ScriptedChannels) -> None:
    alert = examples.sweeps()
    await router.route([alert])
    await router.route([alert])
    assert sorted(post.channel_id for post in channels.posts) == [A_ALERTS, B_ALERTS]


@pytest.mark.usefixtures("subscribed")
async def test_one_embed_is_built_per_alert_and_shared_by_every_channel_and_sink(
    store: Store,
    guild_config: GuildConfig,
    channels: ScriptedChannels,
    clock: VirtualClock,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    built: list[discord.Embed] = []

    def counting(alert: Alert) -> discord.Embed:
        built.append(render_embed(alert))
        return built[-1]

    monkeypatch.setattr("bot.delivery.router.render_embed", counting)
    sink = RecordingSink()
    router = Router(store, guild_config, channels, clock, sinks=[sink])
    await router.route([sweep(1), sweep(2)])
    assert len(built) == 2
    assert [post.embed for post in channels.posts] == [built[0], built[0], built[1], built[1]]
    assert all(shared is made for shared, made in zip(sink.embeds, built))


@pytest.mark.usefixtures("subscribed")
async def test_a_broken_channel_is_marked_once_and_never_tried_again_while_others_keep_receiving(
    router: Router, store: Store, channels: ScriptedChannels, caplog: pytest.LogCaptureFixture
) -> None:
    reason = "Missing Access (HTTP 403)"
    channels.answer(A_ALERTS, ChannelBroken(reason))
    with caplog.at_level(logging.WARNING):
        await router.route([sweep(1)])
        await router.route([sweep(2)])
    assert channels.attempts.count(A_ALERTS) == 1
    assert len(channels.to(B_ALERTS)) == 2
    [subscription] = [sub for sub in await store.subscriptions.all() if sub.channel_id == A_ALERTS]
    assert (subscription.status, subscription.last_error) == ("broken", reason)
    failed = await delivery_to(store, A_ALERTS)
    assert (failed.status, failed.error) == ("failed", reason)
    broken_logs = [record for record in caplog.records if "broken" in record.getMessage()]
    assert len(broken_logs) == 1 and broken_logs[0].context["channel"] == A_ALERTS  # type: ignore[attr-defined]


@pytest.mark.usefixtures("subscribed")
async def test_rate_limits_are_waited_out_on_the_clock_and_the_alert_still_goes_out(
    router: Router, store: Store, channels: ScriptedChannels, clock: VirtualClock
) -> None:
    channels.answer(A_ALERTS, RateLimited(2.5), RateLimited(1.0))
    await clock.run(router.route([sweep()]))
    assert len(channels.to(A_ALERTS)) == 1
    assert clock.monotonic() == pytest.approx(3.5)
    sent = await delivery_to(store, A_ALERTS)
    assert (sent.status, sent.attempts) == ("sent", 3)


@pytest.mark.usefixtures("subscribed")
async def test_a_delivery_that_met_an_outage_stays_due_and_goes_out_on_the_next_retry(
    router: Router, store: Store, channels: ScriptedChannels
) -> None:
    channels.answer(A_ALERTS, Unavailable("Discord failed (HTTP 503)"))
    await router.route([sweep()])
    waiting = await delivery_to(store, A_ALERTS)
    assert (waiting.status, waiting.error) == ("pending", "Discord failed (HTTP 503)")
    assert await router.retry_pending() == 1
    assert len(channels.to(A_ALERTS)) == 1
    assert (await delivery_to(store, A_ALERTS)).status == "sent"
    assert await router.retry_pending() == 0


@pytest.mark.usefixtures("subscribed")
async def test_a_postponed_delivery_to_a_channel_that_broke_meanwhile_is_not_retried(
    router: Router, store: Store, channels: ScriptedChannels
) -> None:
    channels.answer(A_ALERTS, Unavailable("Discord failed (HTTP 502)"))
    await router.route([sweep()])
    await store.subscriptions.mark_broken(A_ALERTS, "Missing Access (HTTP 403)")
    assert await router.retry_pending() == 0
    assert channels.attempts.count(A_ALERTS) == 1


@pytest.mark.usefixtures("subscribed")
async def test_a_message_discord_refuses_is_failed_with_the_reason_and_not_retried(
    router: Router, store: Store, channels: ScriptedChannels
) -> None:
    reason = "Discord refused the message (HTTP 400): Invalid Form Body"
    channels.answer(A_ALERTS, Refused(reason))
    await router.route([sweep()])
    assert await router.retry_pending() == 0
    refused = await delivery_to(store, A_ALERTS)
    assert (refused.status, refused.error) == ("failed", reason)
    [subscription] = [sub for sub in await store.subscriptions.all() if sub.channel_id == A_ALERTS]
    assert subscription.status == "active"


async def test_a_flood_beyond_the_hourly_budget_becomes_one_digest(
    store: Store, guild_config: GuildConfig, channels: ScriptedChannels, clock: VirtualClock
) -> None:
    await store.subscriptions.subscribe(GUILD_A, A_ALERTS, ["sweeps"])
    router = Router(store, guild_config, channels, clock, budget_per_hour=3)
    await router.route([sweep(number) for number in range(5)])
    assert len(channels.to(A_ALERTS)) == 3
    assert [delivery.status for delivery in await deliveries(store)] == ["sent"] * 3 + ["pending"] * 2

    assert await router.flush_digests() == 1
    digest = channels.to(A_ALERTS)[3]
    assert digest.title is not None and digest.title.startswith("2 more alerts this hour")
    assert_valid_message({"embeds": [digest.to_dict()]})
    held = (await deliveries(store))[3:]
    assert {delivery.status for delivery in held} == {"digested"}
    assert len({delivery.message_id for delivery in held}) == 1
    assert await router.flush_digests() == 0

    clock.advance(3601)  # the posts above are now more than an hour old
    await router.route([sweep(9)])
    assert channels.to(A_ALERTS)[-1].title == render_embed(sweep(9)).title


async def test_deliveries_held_for_a_digest_survive_a_restart(
    store: Store, guild_config: GuildConfig, channels: ScriptedChannels, clock: VirtualClock
) -> None:
    await store.subscriptions.subscribe(GUILD_A, A_ALERTS, ["sweeps"])
    await Router(store, guild_config, channels, clock, budget_per_hour=2).route([sweep(n) for n in range(4)])
    restarted = Router(store, guild_config, channels, clock, budget_per_hour=2)
    assert await restarted.resume() == 2
    await restarted.retry_pending()
    assert await restarted.flush_digests() == 1
    assert channels.to(A_ALERTS)[-1].title.startswith("2 more alerts")  # type: ignore[union-attr]


async def test_a_delivery_left_pending_by_a_crash_goes_out_after_the_restart(
    store: Store, guild_config: GuildConfig, channels: ScriptedChannels, clock: VirtualClock
) -> None:
    await store.subscriptions.subscribe(GUILD_A, A_ALERTS, ["sweeps"])
    alert = await left_pending_by_a_crash(store)
    router = Router(store, guild_config, channels, clock)
    assert await router.resume() == 1
    assert await router.retry_pending() == 1
    assert [embed.title for embed in channels.to(A_ALERTS)] == [render_embed(alert).title]
    assert (await delivery_to(store, A_ALERTS)).status == "sent"


async def test_a_leftover_for_a_channel_unsubscribed_meanwhile_is_not_posted(
    store: Store, guild_config: GuildConfig, channels: ScriptedChannels, clock: VirtualClock
) -> None:
    await left_pending_by_a_crash(store)
    router = Router(store, guild_config, channels, clock)
    await router.resume()
    await router.retry_pending()
    assert channels.posts == []
    left = await delivery_to(store, A_ALERTS)
    assert left.status == "failed" and left.error is not None and "unsubscribed" in left.error


class RecordingSink:
    name = "recording"

    def __init__(self) -> None:
        self.alerts: list[Alert] = []
        self.embeds: list[discord.Embed] = []

    async def publish(self, alert: Alert, embed: discord.Embed) -> None:
        self.alerts.append(alert)
        self.embeds.append(embed)


class BrokenSink:
    name = "broken"

    async def publish(self, alert: Alert, embed: discord.Embed) -> None:
        raise OSError("disk full")


@pytest.mark.usefixtures("subscribed")
async def test_every_alert_reaches_the_sinks_and_a_failing_sink_blocks_nothing(
    store: Store,
    guild_config: GuildConfig,
    channels: ScriptedChannels,
    clock: VirtualClock,
    caplog: pytest.LogCaptureFixture,
) -> None:
    recording = RecordingSink()
    router = Router(store, guild_config, channels, clock, sinks=[BrokenSink(), recording])
    unsubscribed = examples.breakouts()
    with caplog.at_level(logging.ERROR):
        await router.route([sweep(), unsubscribed])
    assert recording.alerts == [sweep(), unsubscribed]
    assert len(channels.posts) == 2
    assert any(record.context.get("sink") == "broken" for record in caplog.records)  # type: ignore[attr-defined]


@pytest.mark.usefixtures("subscribed")
async def test_a_channel_subscribed_after_an_alert_was_routed_receives_the_next(
    router: Router, store: Store, channels: ScriptedChannels
) -> None:
    await router.route([sweep(1)])
    await store.subscriptions.subscribe(GUILD_A, A_OTHER, ["sweeps"])
    await router.route([sweep(2)])
    assert [embed.title for embed in channels.to(A_OTHER)] == [render_embed(sweep(2)).title]


@pytest.mark.usefixtures("subscribed")
async def test_a_channel_unsubscribed_after_an_alert_was_routed_receives_no_more(
    router: Router, store: Store, channels: ScriptedChannels
) -> None:
    await router.route([sweep(1)])
    await store.subscriptions.unsubscribe(GUILD_B, B_ALERTS, "sweeps")
    await router.route([sweep(2)])
    assert [embed.title for embed in channels.to(B_ALERTS)] == [render_embed(sweep(1)).title]
    assert len(channels.to(A_ALERTS)) == 2


@pytest.mark.usefixtures("subscribed")
async def test_a_broken_channel_subscribed_again_receives_the_next_alert(
    router: Router, store: Store, channels: ScriptedChannels
) -> None:
    channels.answer(A_ALERTS, ChannelBroken("Missing Access (HTTP 403)"))
    await router.route([sweep(1)])
    await router.route([sweep(2)])
    await store.subscriptions.subscribe(GUILD_A, A_ALERTS, ["sweeps"])  # the admin fixed it
    await router.route([sweep(3)])
    assert [embed.title for embed in channels.to(A_ALERTS)] == [render_embed(sweep(3)).title]


@pytest.mark.usefixtures("subscribed")
async def test_a_config_change_after_an_alert_was_routed_applies_to_the_next(
    router: Router, guild_config: GuildConfig, channels: ScriptedChannels
) -> None:
    await router.route([sweep(1)])
    await guild_config.set_values(GUILD_A, Scanner.SWEEPS, {"min_premium": 2_000_000})
    await router.route([sweep(2)])
    await guild_config.reset(GUILD_A, Scanner.SWEEPS)
    await guild_config.add_tickers(GUILD_B, ["QQQ"])
    await router.route([sweep(3)])
    assert [embed.title for embed in channels.to(A_ALERTS)] == [render_embed(sweep(n)).title for n in (1, 3)]
    assert [embed.title for embed in channels.to(B_ALERTS)] == [render_embed(sweep(n)).title for n in (1, 2)]


async def test_every_channel_of_a_wide_alert_is_posted_once_and_marked_sent_with_its_message(
    router: Router, store: Store, guild_config: GuildConfig, channels: ScriptedChannels
) -> None:
    for guild in range(1, 101):
        await store.subscriptions.subscribe(guild, 5_000 + guild, ["sweeps"])
        if guild % 2:
            await guild_config.set_values(guild, Scanner.SWEEPS, {"min_premium": 10_000 * guild})
    await router.route([sweep()])
    sent = await deliveries(store)
    reached = {5_000 + guild for guild in range(1, 101) if guild % 2 == 0 or 10_000 * guild <= sweep().premium}
    assert sorted(channels.attempts) == sorted(reached)
    assert {delivery.channel_id for delivery in sent} == reached
    assert {delivery.status for delivery in sent} == {"sent"}
    assert len({delivery.message_id for delivery in sent}) == len(reached)
