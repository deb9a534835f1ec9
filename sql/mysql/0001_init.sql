-- Echo storage schema, version 1, MySQL/MariaDB dialect.
-- Mirrors sql/sqlite/0001_init.sql; crates/storage/src/lib.rs documents every table.
-- Statements end with ';' at the end of a line (the migration runner splits there).
-- Column types are limited to what sqlx's Any driver decodes: BIGINT/INT (no TINYINT, so
-- flags are INT 0/1), VARCHAR/TEXT, BLOB (no VARBINARY, which Any would read as text).

CREATE TABLE auth_keys (
    auth_key_id      BIGINT NOT NULL PRIMARY KEY,
    auth_key         BLOB   NOT NULL,
    kind             INT    NOT NULL,
    expires_at       BIGINT NULL,
    perm_auth_key_id BIGINT NULL,
    created_at       BIGINT NOT NULL,
    INDEX auth_keys_by_perm (perm_auth_key_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE users (
    id             BIGINT       NOT NULL AUTO_INCREMENT PRIMARY KEY,
    access_hash    BIGINT       NOT NULL,
    phone          VARCHAR(32)  NOT NULL,
    first_name     TEXT         NOT NULL,
    last_name      TEXT         NOT NULL,
    username       VARCHAR(64)  NULL,
    username_lower VARCHAR(64)  NULL,
    about          TEXT         NOT NULL,
    last_seen_at   BIGINT       NOT NULL DEFAULT 0,
    created_at     BIGINT       NOT NULL,
    deleted        INT          NOT NULL DEFAULT 0,
    UNIQUE INDEX users_by_phone (phone),
    UNIQUE INDEX users_by_username (username_lower)
) ENGINE=InnoDB AUTO_INCREMENT=1000000 DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE authorizations (
    auth_key_id      BIGINT NOT NULL PRIMARY KEY,
    user_id          BIGINT NULL,
    hash             BIGINT NOT NULL,
    layer            INT    NOT NULL,
    api_id           INT    NOT NULL,
    device_model     TEXT   NOT NULL,
    system_version   TEXT   NOT NULL,
    app_version      TEXT   NOT NULL,
    system_lang_code TEXT   NOT NULL,
    lang_pack        TEXT   NOT NULL,
    lang_code        TEXT   NOT NULL,
    ip               TEXT   NOT NULL,
    created_at       BIGINT NOT NULL,
    active_at        BIGINT NOT NULL,
    INDEX authorizations_by_user (user_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE phone_codes (
    phone_code_hash VARCHAR(128) NOT NULL PRIMARY KEY,
    phone           VARCHAR(32)  NOT NULL,
    code            VARCHAR(32)  NOT NULL,
    created_at      BIGINT       NOT NULL,
    expires_at      BIGINT       NOT NULL,
    attempts        INT          NOT NULL DEFAULT 0,
    verified        INT          NOT NULL DEFAULT 0,
    INDEX phone_codes_by_phone (phone, created_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE user_states (
    user_id         BIGINT NOT NULL PRIMARY KEY,
    pts             INT    NOT NULL DEFAULT 0,
    qts             INT    NOT NULL DEFAULT 0,
    seq             INT    NOT NULL DEFAULT 0,
    date            BIGINT NOT NULL DEFAULT 0,
    last_message_id INT    NOT NULL DEFAULT 0
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE messages (
    user_id         BIGINT     NOT NULL,
    message_id      INT        NOT NULL,
    peer_type       INT        NOT NULL,
    peer_id         BIGINT     NOT NULL,
    from_id         BIGINT     NOT NULL,
    is_out          INT        NOT NULL,
    date            BIGINT     NOT NULL,
    message         MEDIUMTEXT NOT NULL,
    entities        MEDIUMBLOB NOT NULL,
    media           MEDIUMBLOB NOT NULL,
    reply_to_msg_id INT        NULL,
    random_id       BIGINT     NULL,
    fwd             MEDIUMBLOB NOT NULL,
    pts             INT        NOT NULL,
    edit_date       BIGINT     NULL,
    PRIMARY KEY (user_id, message_id),
    UNIQUE INDEX messages_by_random_id (user_id, random_id),
    INDEX messages_by_peer (user_id, peer_type, peer_id, message_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE dialogs (
    user_id            BIGINT NOT NULL,
    peer_type          INT    NOT NULL,
    peer_id            BIGINT NOT NULL,
    top_message        INT    NOT NULL DEFAULT 0,
    top_date           BIGINT NOT NULL DEFAULT 0,
    read_inbox_max_id  INT    NOT NULL DEFAULT 0,
    read_outbox_max_id INT    NOT NULL DEFAULT 0,
    unread_count       INT    NOT NULL DEFAULT 0,
    pinned_order       BIGINT NOT NULL DEFAULT 0,
    unread_mark        INT    NOT NULL DEFAULT 0,
    PRIMARY KEY (user_id, peer_type, peer_id),
    INDEX dialogs_by_date (user_id, top_date, top_message)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
