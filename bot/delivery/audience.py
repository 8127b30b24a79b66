"""Who an alert reaches: its scanner's healthy subscriptions, grouped by the filter their
guild applies.

Thousands of guilds share a few hundred distinct filters (most keep the defaults, the rest
pick from a handful of round numbers), so an alert is judged once per distinct filter rather
than once per channel. A scanner's grouping is rebuilt whenever its subscriptions or any
guild's settings change: the subscriptions repository hands out a new tuple after a change,
and `GuildConfig.version` moves with every write.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.alerts import Alert, Scanner
from bot.delivery.filters import AlertFilter
from bot.delivery.guild_config import GuildConfig
from bot.store import DeliveryTarget, PackedTargets, Subscription, Subscriptions


@dataclass(frozen=True)
class Audience:
    subscriptions: tuple[Subscription, ...]
    """What it was built from (compared by identity: a changed scanner gets a new tuple)."""
    settings_version: int
    groups: tuple[tuple[AlertFilter, PackedTargets], ...]
    """Each distinct filter with the channels it decides for, in order of first appearance."""

    def accepting(self, alert: Alert) -> PackedTargets:
        return PackedTargets.join(channels for alert_filter, channels in self.groups if alert_filter.accepts(alert))


class Audiences:
    def __init__(self, subscriptions: Subscriptions, guilds: GuildConfig) -> None:
        self._subscriptions = subscriptions
        self._guilds = guilds
        self._built: dict[Scanner, Audience] = {}

    async def accepting(self, alert: Alert) -> PackedTargets:
        """Every channel subscribed to the alert's scanner whose guild's filter accepts it."""
        return (await self._of(alert.scanner)).accepting(alert)

    async def _of(self, scanner: Scanner) -> Audience:
        subscriptions = await self._subscriptions.channels_for(scanner.value)
        built = self._built.get(scanner)
        if built is None or built.subscriptions is not subscriptions or built.settings_version != self._guilds.version:
            built = self._built[scanner] = self._build(scanner, subscriptions)
        return built

    def _build(self, scanner: Scanner, subscriptions: tuple[Subscription, ...]) -> Audience:
        groups: dict[AlertFilter, list[DeliveryTarget]] = {}
        for subscription in subscriptions:
            alert_filter = self._guilds.filter_for(subscription.guild_id, scanner)
            groups.setdefault(alert_filter, []).append(DeliveryTarget(subscription.guild_id, subscription.channel_id))
        return Audience(
            subscriptions,
            self._guilds.version,
            tuple((alert_filter, PackedTargets.of(channels)) for alert_filter, channels in groups.items()),
        )
