-- Echo storage schema, version 5, SQLite dialect: basic groups and their members.
-- Mirrors sql/mysql/0005_chats.sql; crates/storage/src/chats.rs documents the tables.

CREATE TABLE chats (
    id         INTEGER NOT NULL PRIMARY KEY,
    creator_id INTEGER NOT NULL,
    title      TEXT    NOT NULL,
    about      TEXT    NOT NULL,
    date       INTEGER NOT NULL,
    version    INTEGER NOT NULL DEFAULT 1,
    deactivated INTEGER NOT NULL DEFAULT 0,
    default_banned_rights BLOB NULL
);

CREATE TABLE chat_participants (
    chat_id    INTEGER NOT NULL,
    user_id    INTEGER NOT NULL,
    inviter_id INTEGER NOT NULL,
    date       INTEGER NOT NULL,
    is_admin   INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (chat_id, user_id)
);
CREATE INDEX chat_participants_by_user ON chat_participants (user_id);

CREATE TABLE chat_invites (
    hash       TEXT    NOT NULL PRIMARY KEY,
    chat_id    INTEGER NOT NULL,
    admin_id   INTEGER NOT NULL,
    date       INTEGER NOT NULL,
    revoked    INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX chat_invites_by_chat ON chat_invites (chat_id);
