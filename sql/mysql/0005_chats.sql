-- Echo storage schema, version 5, MySQL/MariaDB dialect: basic groups and their members.
-- Mirrors sql/sqlite/0005_chats.sql; crates/storage/src/chats.rs documents the tables.

CREATE TABLE chats (
    id         BIGINT NOT NULL PRIMARY KEY,
    creator_id BIGINT NOT NULL,
    title      TEXT   NOT NULL,
    about      TEXT   NOT NULL,
    date       BIGINT NOT NULL,
    version    INT    NOT NULL DEFAULT 1,
    deactivated INT   NOT NULL DEFAULT 0,
    default_banned_rights BLOB NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE chat_participants (
    chat_id    BIGINT NOT NULL,
    user_id    BIGINT NOT NULL,
    inviter_id BIGINT NOT NULL,
    date       BIGINT NOT NULL,
    is_admin   INT    NOT NULL DEFAULT 0,
    PRIMARY KEY (chat_id, user_id),
    INDEX chat_participants_by_user (user_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE chat_invites (
    hash       VARCHAR(64) NOT NULL PRIMARY KEY,
    chat_id    BIGINT      NOT NULL,
    admin_id   BIGINT      NOT NULL,
    date       BIGINT      NOT NULL,
    revoked    INT         NOT NULL DEFAULT 0,
    INDEX chat_invites_by_chat (chat_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
