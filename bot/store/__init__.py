"""ORAKL's storage: SQLite through aiosqlite, numbered migrations, one repository per concern.

No SQL lives outside this package; the rest of the bot speaks to these repositories in
frozen dataclasses. Open with `db = await Database.open(path)`, then `Store(db)`.
"""

from bot.store.alerts import AlertLog, RecordedAlert, StoredAlert
from bot.store.db import Database
from bot.store.dedup import DedupState, DedupStates
from bot.store.deliveries import Deliveries, Delivery, DeliveryStatus, DeliveryTarget, PackedTargets
from bot.store.errors import (
    DeliveryStateError,
    MigrationError,
    SchemaTooNewError,
    StoreError,
)
from bot.store.guild_settings import GuildOverrides, GuildSettings
from bot.store.retention import Pruned, Retention
from bot.store.state import KeyValueState
from bot.store.store import Store
from bot.store.subscriptions import Subscription, Subscriptions, SubscriptionStatus

__all__ = [
    "AlertLog",
    "Database",
    "DedupState",
    "DedupStates",
    "Deliveries",
    "Delivery",
    "DeliveryStateError",
    "DeliveryStatus",
    "DeliveryTarget",
    "GuildOverrides",
    "GuildSettings",
    "KeyValueState",
    "MigrationError",
    "PackedTargets",
    "Pruned",
    "RecordedAlert",
    "Retention",
    "SchemaTooNewError",
    "Store",
    "StoreError",
    "StoredAlert",
    "Subscription",
    "SubscriptionStatus",
    "Subscriptions",
]
