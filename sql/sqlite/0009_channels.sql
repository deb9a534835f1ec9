-- Echo storage schema, version 9, SQLite dialect: supergroups and broadcast channels
-- (core.telegram.org/api/channel). Mirrors sql/mysql/0009_channels.sql;
-- crates/storage/src/channels.rs documents the tables.

CREATE TABLE channels (
    id                    INTEGER NOT NULL PRIMARY KEY,
    access_hash           INTEGER NOT NULL,
    creator_id            INTEGER NOT NULL,
    title                 TEXT    NOT NULL,
    about                 TEXT    NOT NULL,
    broadcast             INTEGER NOT NULL DEFAULT 0,
    megagroup             INTEGER NOT NULL DEFAULT 0,
    date                  INTEGER NOT NULL,
    username              TEXT    NULL,
    photo_id              INTEGER NULL,
    pts                   INTEGER NOT NULL DEFAULT 1,
    max_message_id        INTEGER NOT NULL DEFAULT 0,
    last_update_date      INTEGER NOT NULL DEFAULT 0,
    participants_count    INTEGER NOT NULL DEFAULT 0,
    signatures            INTEGER NOT NULL DEFAULT 0,
    pre_history_hidden    INTEGER NOT NULL DEFAULT 0,
    slowmode_seconds      INTEGER NOT NULL DEFAULT 0,
    default_banned_rights BLOB    NULL,
    deleted               INTEGER NOT NULL DEFAULT 0
);
CREATE UNIQUE INDEX channels_by_username ON channels (username);

CREATE TABLE channel_participants (
    channel_id        INTEGER NOT NULL,
    user_id           INTEGER NOT NULL,
    inviter_id        INTEGER NOT NULL,
    date              INTEGER NOT NULL,
    role              INTEGER NOT NULL,
    admin_rights      BLOB    NULL,
    promoted_by       INTEGER NOT NULL DEFAULT 0,
    banned_rights     BLOB    NULL,
    banned_until      INTEGER NOT NULL DEFAULT 0,
    kicked_by         INTEGER NOT NULL DEFAULT 0,
    rank_title        TEXT    NULL,
    read_inbox_max_id  INTEGER NOT NULL DEFAULT 0,
    read_outbox_max_id INTEGER NOT NULL DEFAULT 0,
    available_min_id  INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (channel_id, user_id)
);
CREATE INDEX channel_participants_by_user ON channel_participants (user_id, role);
CREATE INDEX channel_participants_by_role ON channel_participants (channel_id, role, date);

CREATE TABLE channel_messages (
    channel_id      INTEGER NOT NULL,
    message_id      INTEGER NOT NULL,
    from_id         INTEGER NOT NULL,
    date            INTEGER NOT NULL,
    message         TEXT    NOT NULL,
    entities        BLOB    NOT NULL,
    media           BLOB    NOT NULL,
    action          BLOB    NOT NULL,
    reply_to_msg_id INTEGER NULL,
    random_id       INTEGER NULL,
    fwd             BLOB    NOT NULL,
    post            INTEGER NOT NULL DEFAULT 0,
    post_author     TEXT    NULL,
    grouped_id      INTEGER NULL,
    pinned          INTEGER NOT NULL DEFAULT 0,
    views           INTEGER NOT NULL DEFAULT 0,
    edit_date       INTEGER NULL,
    pts             INTEGER NOT NULL,
    deleted         INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (channel_id, message_id)
);
CREATE UNIQUE INDEX channel_messages_by_random_id ON channel_messages (channel_id, from_id, random_id);

CREATE TABLE channel_updates (
    channel_id  INTEGER NOT NULL,
    pts         INTEGER NOT NULL,
    pts_count   INTEGER NOT NULL,
    date        INTEGER NOT NULL,
    kind        INTEGER NOT NULL,
    message_ids TEXT    NOT NULL,
    body        BLOB    NOT NULL,
    PRIMARY KEY (channel_id, pts)
);
