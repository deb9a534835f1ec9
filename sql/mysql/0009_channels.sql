-- Echo storage schema, version 9, MySQL/MariaDB dialect: supergroups and broadcast channels
-- (core.telegram.org/api/channel). Mirrors sql/sqlite/0009_channels.sql;
-- crates/storage/src/channels.rs documents the tables.

CREATE TABLE channels (
    id                    BIGINT NOT NULL PRIMARY KEY,
    access_hash           BIGINT NOT NULL,
    creator_id            BIGINT NOT NULL,
    title                 TEXT    NOT NULL,
    about                 TEXT    NOT NULL,
    broadcast             BIGINT NOT NULL DEFAULT 0,
    megagroup             BIGINT NOT NULL DEFAULT 0,
    date                  BIGINT NOT NULL,
    username              VARCHAR(64) NULL,
    photo_id              BIGINT NULL,
    pts                   BIGINT NOT NULL DEFAULT 1,
    max_message_id        BIGINT NOT NULL DEFAULT 0,
    last_update_date      BIGINT NOT NULL DEFAULT 0,
    participants_count    BIGINT NOT NULL DEFAULT 0,
    signatures            BIGINT NOT NULL DEFAULT 0,
    pre_history_hidden    BIGINT NOT NULL DEFAULT 0,
    slowmode_seconds      BIGINT NOT NULL DEFAULT 0,
    default_banned_rights BLOB    NULL,
    deleted               BIGINT NOT NULL DEFAULT 0
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
CREATE UNIQUE INDEX channels_by_username ON channels (username);

CREATE TABLE channel_participants (
    channel_id        BIGINT NOT NULL,
    user_id           BIGINT NOT NULL,
    inviter_id        BIGINT NOT NULL,
    date              BIGINT NOT NULL,
    role              BIGINT NOT NULL,
    admin_rights      BLOB    NULL,
    promoted_by       BIGINT NOT NULL DEFAULT 0,
    banned_rights     BLOB    NULL,
    banned_until      BIGINT NOT NULL DEFAULT 0,
    kicked_by         BIGINT NOT NULL DEFAULT 0,
    rank_title        TEXT    NULL,
    read_inbox_max_id  BIGINT NOT NULL DEFAULT 0,
    read_outbox_max_id BIGINT NOT NULL DEFAULT 0,
    available_min_id  BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (channel_id, user_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
CREATE INDEX channel_participants_by_user ON channel_participants (user_id, role);
CREATE INDEX channel_participants_by_role ON channel_participants (channel_id, role, date);

CREATE TABLE channel_messages (
    channel_id      BIGINT NOT NULL,
    message_id      BIGINT NOT NULL,
    from_id         BIGINT NOT NULL,
    date            BIGINT NOT NULL,
    message         MEDIUMTEXT    NOT NULL,
    entities        MEDIUMBLOB    NOT NULL,
    media           MEDIUMBLOB    NOT NULL,
    action          BLOB    NOT NULL,
    reply_to_msg_id BIGINT NULL,
    random_id       BIGINT NULL,
    fwd             BLOB    NOT NULL,
    post            BIGINT NOT NULL DEFAULT 0,
    post_author     TEXT    NULL,
    grouped_id      BIGINT NULL,
    pinned          BIGINT NOT NULL DEFAULT 0,
    views           BIGINT NOT NULL DEFAULT 0,
    edit_date       BIGINT NULL,
    pts             BIGINT NOT NULL,
    deleted         BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (channel_id, message_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
CREATE UNIQUE INDEX channel_messages_by_random_id ON channel_messages (channel_id, from_id, random_id);

CREATE TABLE channel_updates (
    channel_id  BIGINT NOT NULL,
    pts         BIGINT NOT NULL,
    pts_count   BIGINT NOT NULL,
    date        BIGINT NOT NULL,
    kind        BIGINT NOT NULL,
    message_ids MEDIUMTEXT    NOT NULL,
    body        MEDIUMBLOB    NOT NULL,
    PRIMARY KEY (channel_id, pts)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
