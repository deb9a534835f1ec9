-- Echo storage schema, version 1, SQLite dialect.
-- Mirrors sql/mysql/0001_init.sql; crates/storage/src/lib.rs documents every table.
-- Statements end with ';' at the end of a line (the migration runner splits there).

CREATE TABLE auth_keys (
    auth_key_id      INTEGER NOT NULL PRIMARY KEY,
    auth_key         BLOB    NOT NULL,
    kind             INTEGER NOT NULL,
    expires_at       INTEGER NULL,
    perm_auth_key_id INTEGER NULL,
    created_at       INTEGER NOT NULL
);
CREATE INDEX auth_keys_by_perm ON auth_keys (perm_auth_key_id);

CREATE TABLE users (
    id             INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    access_hash    INTEGER NOT NULL,
    phone          TEXT    NOT NULL,
    first_name     TEXT    NOT NULL,
    last_name      TEXT    NOT NULL,
    username       TEXT    NULL,
    username_lower TEXT    NULL,
    about          TEXT    NOT NULL DEFAULT '',
    last_seen_at   INTEGER NOT NULL DEFAULT 0,
    created_at     INTEGER NOT NULL,
    deleted        INTEGER NOT NULL DEFAULT 0
);
CREATE UNIQUE INDEX users_by_phone ON users (phone);
CREATE UNIQUE INDEX users_by_username ON users (username_lower);
-- User ids start at 1000000: AUTOINCREMENT continues after the stored sequence value.
INSERT INTO sqlite_sequence (name, seq) VALUES ('users', 999999);

CREATE TABLE authorizations (
    auth_key_id      INTEGER NOT NULL PRIMARY KEY,
    user_id          INTEGER NULL,
    hash             INTEGER NOT NULL,
    layer            INTEGER NOT NULL,
    api_id           INTEGER NOT NULL,
    device_model     TEXT    NOT NULL,
    system_version   TEXT    NOT NULL,
    app_version      TEXT    NOT NULL,
    system_lang_code TEXT    NOT NULL,
    lang_pack        TEXT    NOT NULL,
    lang_code        TEXT    NOT NULL,
    ip               TEXT    NOT NULL,
    created_at       INTEGER NOT NULL,
    active_at        INTEGER NOT NULL
);
CREATE INDEX authorizations_by_user ON authorizations (user_id);

CREATE TABLE phone_codes (
    phone_code_hash TEXT    NOT NULL PRIMARY KEY,
    phone           TEXT    NOT NULL,
    code            TEXT    NOT NULL,
    created_at      INTEGER NOT NULL,
    expires_at      INTEGER NOT NULL,
    attempts        INTEGER NOT NULL DEFAULT 0,
    -- 1 once auth.signIn accepted the code (auth.signUp requires it)
    verified        INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX phone_codes_by_phone ON phone_codes (phone, created_at);

CREATE TABLE user_states (
    user_id         INTEGER NOT NULL PRIMARY KEY,
    pts             INTEGER NOT NULL DEFAULT 0,
    qts             INTEGER NOT NULL DEFAULT 0,
    seq             INTEGER NOT NULL DEFAULT 0,
    date            INTEGER NOT NULL DEFAULT 0,
    last_message_id INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE messages (
    user_id         INTEGER NOT NULL,
    message_id      INTEGER NOT NULL,
    peer_type       INTEGER NOT NULL,
    peer_id         INTEGER NOT NULL,
    from_id         INTEGER NOT NULL,
    is_out          INTEGER NOT NULL,
    date            INTEGER NOT NULL,
    message         TEXT    NOT NULL,
    entities        BLOB    NOT NULL,
    media           BLOB    NOT NULL,
    reply_to_msg_id INTEGER NULL,
    random_id       INTEGER NULL,
    fwd             BLOB    NOT NULL,
    pts             INTEGER NOT NULL,
    edit_date       INTEGER NULL,
    PRIMARY KEY (user_id, message_id)
);
CREATE UNIQUE INDEX messages_by_random_id ON messages (user_id, random_id);
CREATE INDEX messages_by_peer ON messages (user_id, peer_type, peer_id, message_id);

CREATE TABLE dialogs (
    user_id            INTEGER NOT NULL,
    peer_type          INTEGER NOT NULL,
    peer_id            INTEGER NOT NULL,
    top_message        INTEGER NOT NULL DEFAULT 0,
    top_date           INTEGER NOT NULL DEFAULT 0,
    read_inbox_max_id  INTEGER NOT NULL DEFAULT 0,
    read_outbox_max_id INTEGER NOT NULL DEFAULT 0,
    unread_count       INTEGER NOT NULL DEFAULT 0,
    pinned_order       INTEGER NOT NULL DEFAULT 0,
    unread_mark        INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (user_id, peer_type, peer_id)
);
CREATE INDEX dialogs_by_date ON dialogs (user_id, top_date, top_message);
