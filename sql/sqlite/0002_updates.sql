-- Echo storage schema, version 2, SQLite dialect: the per-user updates log and the links
-- between the copies of one message in different boxes (core.telegram.org/api/updates).
-- Mirrors sql/mysql/0002_updates.sql; crates/storage/src/updates_log.rs documents both tables.

CREATE TABLE user_updates (
    user_id   INTEGER NOT NULL,
    pts       INTEGER NOT NULL,
    pts_count INTEGER NOT NULL,
    date      INTEGER NOT NULL,
    kind      INTEGER NOT NULL,
    body      BLOB    NOT NULL,
    PRIMARY KEY (user_id, pts)
);

CREATE TABLE message_links (
    user_id           INTEGER NOT NULL,
    message_id        INTEGER NOT NULL,
    origin_user_id    INTEGER NOT NULL,
    origin_message_id INTEGER NOT NULL,
    PRIMARY KEY (user_id, message_id)
);
CREATE INDEX message_links_by_origin ON message_links (origin_user_id, origin_message_id);

-- messages.saveDraft: one draft per dialog; `entities` is a serialized Vector<MessageEntity>.
CREATE TABLE drafts (
    user_id         INTEGER NOT NULL,
    peer_type       INTEGER NOT NULL,
    peer_id         INTEGER NOT NULL,
    date            INTEGER NOT NULL,
    message         TEXT    NOT NULL,
    entities        BLOB    NOT NULL,
    reply_to_msg_id INTEGER NULL,
    no_webpage      INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (user_id, peer_type, peer_id)
);
