-- Echo storage schema, version 3, SQLite dialect: contacts, remembered phone imports,
-- blocked users, privacy rules.
-- Mirrors sql/mysql/0003_contacts.sql; crates/storage/src/contacts.rs documents the tables.

CREATE TABLE contacts (
    owner_id    INTEGER NOT NULL,
    contact_id  INTEGER NOT NULL,
    first_name  TEXT    NOT NULL,
    last_name   TEXT    NOT NULL,
    knows_phone INTEGER NOT NULL DEFAULT 0,
    share_phone INTEGER NOT NULL DEFAULT 0,
    created_at  INTEGER NOT NULL,
    PRIMARY KEY (owner_id, contact_id)
);
CREATE INDEX contacts_by_contact ON contacts (contact_id);

CREATE TABLE imported_phones (
    owner_id   INTEGER NOT NULL,
    phone      TEXT    NOT NULL,
    first_name TEXT    NOT NULL,
    last_name  TEXT    NOT NULL,
    client_id  INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (owner_id, phone)
);
CREATE INDEX imported_phones_by_phone ON imported_phones (phone);

CREATE TABLE blocked_users (
    owner_id   INTEGER NOT NULL,
    blocked_id INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (owner_id, blocked_id)
);

CREATE TABLE privacy_rules (
    user_id     INTEGER NOT NULL,
    privacy_key INTEGER NOT NULL,
    rules       TEXT    NOT NULL,
    updated_at  INTEGER NOT NULL,
    PRIMARY KEY (user_id, privacy_key)
);

