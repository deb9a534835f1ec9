-- Echo storage schema, version 3, MySQL/MariaDB dialect: contacts, remembered phone
-- imports, blocked users, privacy rules.
-- Mirrors sql/sqlite/0003_contacts.sql; crates/storage/src/contacts.rs documents the tables.

CREATE TABLE contacts (
    owner_id    BIGINT NOT NULL,
    contact_id  BIGINT NOT NULL,
    first_name  TEXT   NOT NULL,
    last_name   TEXT   NOT NULL,
    knows_phone INT    NOT NULL DEFAULT 0,
    share_phone INT    NOT NULL DEFAULT 0,
    created_at  BIGINT NOT NULL,
    PRIMARY KEY (owner_id, contact_id),
    INDEX contacts_by_contact (contact_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE imported_phones (
    owner_id   BIGINT      NOT NULL,
    phone      VARCHAR(32) NOT NULL,
    first_name TEXT        NOT NULL,
    last_name  TEXT        NOT NULL,
    client_id  BIGINT      NOT NULL,
    created_at BIGINT      NOT NULL,
    PRIMARY KEY (owner_id, phone),
    INDEX imported_phones_by_phone (phone)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE blocked_users (
    owner_id   BIGINT NOT NULL,
    blocked_id BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (owner_id, blocked_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE privacy_rules (
    user_id     BIGINT NOT NULL,
    privacy_key INT    NOT NULL,
    rules       TEXT   NOT NULL,
    updated_at  BIGINT NOT NULL,
    PRIMARY KEY (user_id, privacy_key)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

