-- Echo storage schema, version 2, MySQL/MariaDB dialect: the per-user updates log and the
-- links between the copies of one message in different boxes (core.telegram.org/api/updates).
-- Mirrors sql/sqlite/0002_updates.sql; crates/storage/src/updates_log.rs documents both tables.

CREATE TABLE user_updates (
    user_id   BIGINT     NOT NULL,
    pts       INT        NOT NULL,
    pts_count INT        NOT NULL,
    date      BIGINT     NOT NULL,
    kind      INT        NOT NULL,
    body      MEDIUMBLOB NOT NULL,
    PRIMARY KEY (user_id, pts)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE message_links (
    user_id           BIGINT NOT NULL,
    message_id        INT    NOT NULL,
    origin_user_id    BIGINT NOT NULL,
    origin_message_id INT    NOT NULL,
    PRIMARY KEY (user_id, message_id),
    INDEX message_links_by_origin (origin_user_id, origin_message_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- messages.saveDraft: one draft per dialog; `entities` is a serialized Vector<MessageEntity>.
CREATE TABLE drafts (
    user_id         BIGINT     NOT NULL,
    peer_type       INT        NOT NULL,
    peer_id         BIGINT     NOT NULL,
    date            BIGINT     NOT NULL,
    message         MEDIUMTEXT NOT NULL,
    entities        MEDIUMBLOB NOT NULL,
    reply_to_msg_id INT        NULL,
    no_webpage      INT        NOT NULL DEFAULT 0,
    PRIMARY KEY (user_id, peer_type, peer_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
