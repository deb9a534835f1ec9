-- Echo storage schema, version 12 (public channels and channel invite links), SQLite dialect.
-- Mirrors sql/mysql/0012_channel_public.sql; crates/storage/src/channel_public.rs documents
-- the tables (core.telegram.org/api/channel, /api/invites).
-- Statements end with ';' at the end of a line (the migration runner splits there).

-- Usernames are compared case-insensitively (as users.username_lower).
ALTER TABLE channels ADD COLUMN username_lower TEXT NULL;
CREATE UNIQUE INDEX channels_by_username_lower ON channels (username_lower);

CREATE TABLE channel_invites (
    hash           TEXT    NOT NULL PRIMARY KEY,
    channel_id     INTEGER NOT NULL,
    admin_id       INTEGER NOT NULL,
    date           INTEGER NOT NULL,
    revoked        INTEGER NOT NULL DEFAULT 0,
    permanent      INTEGER NOT NULL DEFAULT 0,
    expire_date    INTEGER NOT NULL DEFAULT 0,
    usage_limit    INTEGER NOT NULL DEFAULT 0,
    usage_count    INTEGER NOT NULL DEFAULT 0,
    request_needed INTEGER NOT NULL DEFAULT 0,
    title          TEXT    NULL
);
CREATE INDEX channel_invites_by_channel ON channel_invites (channel_id, admin_id);

CREATE TABLE channel_join_requests (
    channel_id  INTEGER NOT NULL,
    user_id     INTEGER NOT NULL,
    invite_hash TEXT    NOT NULL,
    date        INTEGER NOT NULL,
    PRIMARY KEY (channel_id, user_id)
);
