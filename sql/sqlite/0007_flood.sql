-- Echo storage schema, version 7 (flood limits, authorization TTL), SQLite dialect. Mirrors
-- sql/mysql/0007_flood.sql; crates/storage/src/security.rs documents every table.
-- Statements end with ';' at the end of a line (the migration runner splits there).

-- Flood counters in fixed windows (FLOOD_WAIT_X), so limits survive restarts.
CREATE TABLE flood_counters (
    scope        TEXT    NOT NULL,
    subject      TEXT    NOT NULL,
    window_start INTEGER NOT NULL,
    hits         INTEGER NOT NULL,
    PRIMARY KEY (scope, subject, window_start)
);

-- account.setAuthorizationTTL: days of inactivity after which an authorization ends.
CREATE TABLE authorization_ttls (
    user_id  INTEGER NOT NULL PRIMARY KEY,
    ttl_days INTEGER NOT NULL
);
