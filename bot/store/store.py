"""Every repository over one database, as the rest of ORAKL uses them."""

from __future__ import annotations

from bot.store.alerts import AlertLog
from bot.store.db import Database
from bot.store.dedup import DedupStates
from bot.store.deliveries import Deliveries
from bot.store.guild_settings import GuildSettings
from bot.store.retention import Retention
from bot.store.state import KeyValueState
from bot.store.subscriptions import Subscriptions


class Store:
    """The repositories; the caller opens and closes `db`.

    One per database: `subscriptions` keeps the active subscriptions in memory, current
    because every write to them goes through it.
    """

    def __init__(self, db: Database) -> None:
        self.db = db
        self.guild_settings = GuildSettings(db)
        self.subscriptions = Subscriptions(db)
        self.alerts = AlertLog(db)
        self.deliveries = Deliveries(db)
        self.dedup = DedupStates(db)
        self.state = KeyValueState(db)
        self.retention = Retention(db)
