-- ORAKL's first schema.
-- Instants are UTC ISO-8601 text with microseconds (bot/store/codec.py), so text order is
-- time order. Discord ids (snowflakes) fit SQLite's 64-bit INTEGER.

-- What a guild changed from the defaults in settings; a key absent here follows the defaults.
CREATE TABLE guild_overrides (
    guild_id   INTEGER NOT NULL,
    scanner    TEXT    NOT NULL,
    key        TEXT    NOT NULL,
    value      TEXT    NOT NULL CHECK (json_valid(value)),
    updated_at TEXT    NOT NULL,
    PRIMARY KEY (guild_id, scanner, key)
) WITHOUT ROWID;

-- A guild's ticker filter: when it holds any symbol, only those symbols reach the guild.
CREATE TABLE guild_tickers (
    guild_id INTEGER NOT NULL,
    ticker   TEXT    NOT NULL,
    PRIMARY KEY (guild_id, ticker)
) WITHOUT ROWID;

-- A channel id is unique across Discord, so (channel, scanner) names a subscription.
CREATE TABLE subscriptions (
    guild_id   INTEGER NOT NULL,
    channel_id INTEGER NOT NULL,
    scanner    TEXT    NOT NULL,
    status     TEXT    NOT NULL CHECK (status IN ('active', 'broken')),
    last_error TEXT,
    created_at TEXT    NOT NULL,
    updated_at TEXT    NOT NULL,
    PRIMARY KEY (channel_id, scanner)
) WITHOUT ROWID;
CREATE INDEX subscriptions_by_scanner ON subscriptions (scanner, status);
CREATE INDEX subscriptions_by_guild ON subscriptions (guild_id);

-- Every alert a scanner raised, as the JSON of the Alert model.
CREATE TABLE alerts (
    id         INTEGER PRIMARY KEY,
    scanner    TEXT NOT NULL,
    ticker     TEXT NOT NULL,
    dedup_key  TEXT NOT NULL,
    payload    TEXT NOT NULL CHECK (json_valid(payload)),
    created_at TEXT NOT NULL
);
CREATE INDEX alerts_by_created ON alerts (created_at);
CREATE INDEX alerts_by_ticker ON alerts (ticker, created_at);
CREATE INDEX alerts_by_scanner ON alerts (scanner, created_at);

-- One alert going to one channel. No ON DELETE: retention removes deliveries before their
-- alert, and the foreign key refuses anything else.
CREATE TABLE deliveries (
    id         INTEGER PRIMARY KEY,
    alert_id   INTEGER NOT NULL REFERENCES alerts (id),
    guild_id   INTEGER NOT NULL,
    channel_id INTEGER NOT NULL,
    status     TEXT    NOT NULL CHECK (status IN ('pending', 'sent', 'failed', 'digested')),
    message_id INTEGER,
    error      TEXT,
    attempts   INTEGER NOT NULL DEFAULT 0,
    created_at TEXT    NOT NULL,
    updated_at TEXT    NOT NULL,
    UNIQUE (alert_id, channel_id)
);
CREATE INDEX deliveries_pending ON deliveries (id) WHERE status = 'pending';
CREATE INDEX deliveries_by_channel ON deliveries (channel_id, status, updated_at);

-- Per (scanner, key) memory of what was already alerted, so a restart does not repeat it.
CREATE TABLE dedup_state (
    scanner              TEXT    NOT NULL,
    key                  TEXT    NOT NULL,
    session_date         TEXT    NOT NULL,
    first_alerted_at     TEXT    NOT NULL,
    last_alerted_at      TEXT    NOT NULL,
    last_alerted_premium REAL    NOT NULL,
    accumulated_premium  REAL    NOT NULL,
    alerts_today         INTEGER NOT NULL,
    PRIMARY KEY (scanner, key)
) WITHOUT ROWID;
CREATE INDEX dedup_state_by_last_alerted ON dedup_state (last_alerted_at);

-- Small named values that must outlive a restart (cursors, the last status snapshot).
CREATE TABLE state (
    key        TEXT PRIMARY KEY,
    value      TEXT NOT NULL CHECK (json_valid(value)),
    updated_at TEXT NOT NULL
) WITHOUT ROWID;
