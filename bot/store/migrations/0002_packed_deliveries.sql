-- An alert's pending deliveries as recorded when it is routed: one row per alert, its
-- (guild, channel) pairs packed as one JSON array, instead of one `deliveries` row per
-- channel. Recording an alert for 10,000 channels is then one row, not 10,000 rows and their
-- index entries. The next transaction that touches deliveries writes the pairs out as ordinary
-- `deliveries` rows, delivery i getting id first_delivery_id + i (reserved when recorded, so a
-- delivery has its id before its row exists), and deletes the packed row
-- (bot/store/deliveries.py).
CREATE TABLE packed_deliveries (
    alert_id          INTEGER PRIMARY KEY REFERENCES alerts (id),
    first_delivery_id INTEGER NOT NULL,
    delivery_count    INTEGER NOT NULL CHECK (delivery_count > 0),
    targets           TEXT    NOT NULL CHECK (json_valid(targets)),  -- [[guild_id, channel_id], ...]
    created_at        TEXT    NOT NULL
);
