-- Echo storage schema, version 16 (who joined a channel through which invite link),
-- MySQL/MariaDB dialect. Mirrors sql/sqlite/0016_invite_importers.sql;
-- crates/storage/src/channel_public.rs documents the table
-- (core.telegram.org/method/messages.getChatInviteImporters).

CREATE TABLE channel_invite_importers (
    hash        VARCHAR(64) NOT NULL,
    user_id     BIGINT      NOT NULL,
    channel_id  BIGINT      NOT NULL,
    date        BIGINT      NOT NULL,
    approved_by BIGINT      NOT NULL DEFAULT 0,
    PRIMARY KEY (hash, user_id),
    INDEX channel_invite_importers_by_channel (channel_id, date)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
