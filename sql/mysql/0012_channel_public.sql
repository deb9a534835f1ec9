-- Echo storage schema, version 12 (public channels and channel invite links), MySQL/MariaDB
-- dialect. Mirrors sql/sqlite/0012_channel_public.sql; crates/storage/src/channel_public.rs
-- documents the tables (core.telegram.org/api/channel, /api/invites).

-- Usernames are compared case-insensitively (as users.username_lower).
ALTER TABLE channels ADD COLUMN username_lower VARCHAR(64) NULL;
CREATE UNIQUE INDEX channels_by_username_lower ON channels (username_lower);

CREATE TABLE channel_invites (
    hash           VARCHAR(64) NOT NULL PRIMARY KEY,
    channel_id     BIGINT      NOT NULL,
    admin_id       BIGINT      NOT NULL,
    date           BIGINT      NOT NULL,
    revoked        BIGINT      NOT NULL DEFAULT 0,
    permanent      BIGINT      NOT NULL DEFAULT 0,
    expire_date    BIGINT      NOT NULL DEFAULT 0,
    usage_limit    BIGINT      NOT NULL DEFAULT 0,
    usage_count    BIGINT      NOT NULL DEFAULT 0,
    request_needed BIGINT      NOT NULL DEFAULT 0,
    title          TEXT        NULL,
    INDEX channel_invites_by_channel (channel_id, admin_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE channel_join_requests (
    channel_id  BIGINT      NOT NULL,
    user_id     BIGINT      NOT NULL,
    invite_hash VARCHAR(64) NOT NULL,
    date        BIGINT      NOT NULL,
    PRIMARY KEY (channel_id, user_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
