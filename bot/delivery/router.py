"""The router: each alert to every channel that asked for it, recorded before it is posted.

For one alert: the active subscriptions of its scanner, each guild's filter (threshold, DTE,
score, tickers), at most once per channel (`Audiences`, kept in memory); then the alert and
one pending delivery per channel are stored in one transaction, so a crash after that point
loses nothing; then the posts. One embed is rendered per alert and shared by every channel
and sink.

Budgets: a channel that has had its hourly budget of posts gets no more single posts; what
is due there is held and goes out as one digest message per digest interval. The budgets
spent are read once per alert (and once per retry pass) for all its channels together, and
posts are marked sent in batches (`SentMarks`).
"""

from __future__ import annotations

import asyncio
import logging
from collections import Counter, OrderedDict
from collections.abc import Collection, Sequence
from datetime import timedelta
from typing import Protocol

import discord

from bot.alerts import Alert, render_digest, render_embed
from bot.delivery.audience import Audiences
from bot.delivery.channels import ChannelPoster
from bot.delivery.digests import DigestQueue
from bot.delivery.guild_config import GuildConfig
from bot.delivery.outcomes import ChannelBroken, Posted, RateLimited, Refused, Unavailable
from bot.delivery.sent_marks import SentMarks
from bot.market.clock import Clock
from bot.store import Delivery, DeliveryStateError, DeliveryTarget, PackedTargets, RecordedAlert, Store

log = logging.getLogger(__name__)

BUDGET_WINDOW = timedelta(hours=1)
DEFAULT_BUDGET_PER_HOUR = 30
# (alert id, channel) pairs remembered to keep a re-routed alert out of a channel it reached;
# the oldest alerts are forgotten first, the latest one never.
ROUTED_MEMORY = 20_000
UNSUBSCRIBED = "the channel was unsubscribed before this alert went out"

FinalOutcome = Posted | ChannelBroken | Refused | Unavailable


class AlertSink(Protocol):
    """A destination that receives every alert (webhooks, the console, a JSON lines file)."""

    name: str

    async def publish(self, alert: Alert, embed: discord.Embed) -> None: ...


class Router:
    def __init__(
        self,
        store: Store,
        guild_config: GuildConfig,
        channels: ChannelPoster,
        clock: Clock,
        *,
        budget_per_hour: int = DEFAULT_BUDGET_PER_HOUR,
        sinks: Sequence[AlertSink] = (),
    ) -> None:
        self._store = store
        self._audiences = Audiences(store.subscriptions, guild_config)
        self._channels = channels
        self._clock = clock
        self.budget_per_hour = budget_per_hour
        self._sinks = list(sinks)
        self.digests = DigestQueue()
        self._sent = SentMarks(store.deliveries)
        self._routed: OrderedDict[str, tuple[DeliveryTarget, ...]] = OrderedDict()
        """alert id → where it was routed"""
        self._routed_pairs = 0
        self._in_flight: set[int] = set()
        self._retry_later: set[int] = set()
        self._last_problem: dict[int, str] = {}

    async def route(self, alerts: Sequence[Alert]) -> list[RecordedAlert]:
        return [await self._route_one(alert) for alert in alerts]

    async def resume(self) -> int:
        """Take up what a previous run left pending; call once, before any alert is routed."""
        leftovers = await self._store.deliveries.pending()
        self._retry_later.update(delivery.id for delivery in leftovers)
        return len(leftovers)

    async def retry_pending(self) -> int:
        """Post again what is still due: a previous run's leftovers and this run's deliveries
        that met a Discord outage. Returns how many were tried."""
        candidates = set(self._retry_later)
        pending = await self._store.deliveries.pending()
        # Forget what went out or failed meanwhile (a channel marked broken fails its queue).
        self._retry_later -= candidates - {delivery.id for delivery in pending}
        due = [delivery for delivery in pending if delivery.id in candidates]
        if not due:
            return 0
        spent = await self._spent({delivery.channel_id for delivery in due})
        rendered: dict[int, tuple[Alert, discord.Embed]] = {}
        for delivery in due:
            if delivery.id not in self._retry_later:
                continue  # a retry pass running alongside took it
            self._retry_later.discard(delivery.id)
            if delivery.alert_id not in rendered:
                rendered[delivery.alert_id] = await self._load(delivery.alert_id)
            alert, embed = rendered[delivery.alert_id]
            if not await self._store.subscriptions.is_active(delivery.channel_id, alert.scanner.value):
                await self._store.deliveries.mark_failed(delivery.id, UNSUBSCRIBED)
                continue
            await self._dispatch(delivery, alert, embed, spent)
        return len(due)

    async def flush_digests(self) -> int:
        """One digest message per channel holding deliveries; returns how many were posted."""
        posted = 0
        for channel_id, batch in self.digests.batches():
            embed = render_digest(list(batch.alerts.values()), self.budget_per_hour)
            ids = list(batch.alerts)
            outcome = await self._post(batch.guild_id, channel_id, embed, ids)
            if isinstance(outcome, Posted):
                await self._store.deliveries.mark_digested(ids, outcome.message_id)
                posted += 1
            if not isinstance(outcome, Unavailable):
                self.digests.release(channel_id, ids)
        return posted

    async def _route_one(self, alert: Alert) -> RecordedAlert:
        embed = render_embed(alert)
        recorded = await self._store.alerts.add(
            scanner=alert.scanner.value,
            ticker=alert.ticker,
            dedup_key=alert.dedup_key,
            payload=alert.to_json(),
            deliver_to=await self._targets(alert),
        )
        deliveries = recorded.deliveries
        spent = await self._spent([delivery.channel_id for delivery in deliveries])
        await asyncio.gather(*(self._dispatch(delivery, alert, embed, spent) for delivery in deliveries))
        for sink in self._sinks:
            await self._publish(sink, alert, embed)
        return recorded

    async def _targets(self, alert: Alert) -> PackedTargets:
        alert_id = alert.id  # a hash, worth computing once
        targets = await self._audiences.accepting(alert)
        if earlier := self._routed.get(alert_id):
            reached = {target.channel_id for target in earlier}
            targets = PackedTargets.of(target for target in targets.targets if target.channel_id not in reached)
        self._remember(alert_id, targets.targets)
        return targets

    def _remember(self, alert_id: str, targets: tuple[DeliveryTarget, ...]) -> None:
        if not targets:
            return
        reached = self._routed.pop(alert_id, ()) + targets
        self._routed[alert_id] = reached
        self._routed_pairs += len(targets)
        while self._routed_pairs > ROUTED_MEMORY and len(self._routed) > 1:
            _, forgotten = self._routed.popitem(last=False)
            self._routed_pairs -= len(forgotten)

    async def _spent(self, channel_ids: Collection[int]) -> Counter[int]:
        """Posts each channel had within the budget window; `_dispatch` counts its own on top."""
        since = self._clock.now() - BUDGET_WINDOW
        return Counter(await self._store.deliveries.sent_counts_since(channel_ids, since))

    async def _dispatch(self, delivery: Delivery, alert: Alert, embed: discord.Embed, spent: Counter[int]) -> None:
        if delivery.id in self._in_flight or self.digests.holds(delivery.id):
            return
        self._in_flight.add(delivery.id)
        try:
            # Once a channel is holding, everything after waits too, so the digest keeps the order.
            if self.digests.has(delivery.channel_id) or spent[delivery.channel_id] >= self.budget_per_hour:
                self.digests.hold(delivery.guild_id, delivery.channel_id, delivery.id, alert)
                return
            outcome = await self._post(delivery.guild_id, delivery.channel_id, embed, [delivery.id])
            if isinstance(outcome, Posted):
                spent[delivery.channel_id] += 1
                await self._sent.mark(delivery.id, outcome.message_id)
        finally:
            self._in_flight.discard(delivery.id)

    async def _post(
        self, guild_id: int, channel_id: int, embed: discord.Embed, delivery_ids: list[int]
    ) -> FinalOutcome:
        """Post until Discord gives a final answer, waiting out every 429; act on that answer."""
        context = {"guild": guild_id, "channel": channel_id}
        while isinstance(outcome := await self._channels.post(channel_id, embed), RateLimited):
            note = f"rate limited by Discord (429); retried after {outcome.retry_after:g} s"
            for delivery_id in delivery_ids:
                await self._store.deliveries.record_retry(delivery_id, note)
            await self._clock.sleep(outcome.retry_after)
        if isinstance(outcome, Posted):
            self._last_problem.pop(channel_id, None)
        elif isinstance(outcome, ChannelBroken):
            await self._store.subscriptions.mark_broken(channel_id, outcome.reason)
            self.digests.drop(channel_id)
            log.warning(
                "channel broken, posting there stops until it is subscribed again: %s",
                outcome.reason,
                extra={"context": context},
            )
        elif isinstance(outcome, Refused):
            for delivery_id in delivery_ids:
                await self._store.deliveries.mark_failed(delivery_id, outcome.reason)
            log.warning("message refused: %s", outcome.reason, extra={"context": context})
        else:
            for delivery_id in delivery_ids:
                await self._store.deliveries.record_retry(delivery_id, outcome.reason)
            self._retry_later.update(delivery_ids)
            if self._last_problem.get(channel_id) != outcome.reason:
                log.warning("delivery postponed: %s", outcome.reason, extra={"context": context})
            self._last_problem[channel_id] = outcome.reason
        return outcome

    async def _load(self, alert_id: int) -> tuple[Alert, discord.Embed]:
        stored = await self._store.alerts.get(alert_id)
        if stored is None:
            raise DeliveryStateError(f"delivery points at alert {alert_id}, which is gone")
        alert = Alert.model_validate_json(stored.payload)
        return alert, render_embed(alert)

    async def _publish(self, sink: AlertSink, alert: Alert, embed: discord.Embed) -> None:
        try:
            await sink.publish(alert, embed)
        except Exception:  # one sink failing must not keep the alert from the others
            log.exception("sink failed", extra={"context": {"sink": sink.name, "alert": alert.id}})
