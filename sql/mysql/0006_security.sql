-- Echo storage schema, version 6 (account security), MySQL/MariaDB dialect. Mirrors
-- sql/sqlite/0006_security.sql; crates/storage/src/security.rs documents every table.

CREATE TABLE account_passwords (
    user_id    BIGINT NOT NULL PRIMARY KEY,
    salt1      BLOB   NOT NULL,
    salt2      BLOB   NOT NULL,
    verifier   BLOB   NOT NULL,
    hint       TEXT   NOT NULL,
    email      TEXT   NULL,
    updated_at BIGINT NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE srp_challenges (
    srp_id     BIGINT NOT NULL PRIMARY KEY,
    user_id    BIGINT NOT NULL,
    secret_b   BLOB   NOT NULL,
    expires_at BIGINT NOT NULL,
    INDEX srp_challenges_by_user (user_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE pending_logins (
    auth_key_id BIGINT NOT NULL PRIMARY KEY,
    user_id     BIGINT NOT NULL,
    expires_at  BIGINT NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- token: the token bytes in lowercase hex.
CREATE TABLE login_tokens (
    token       VARCHAR(64)   NOT NULL PRIMARY KEY,
    auth_key_id BIGINT        NOT NULL,
    created_at  BIGINT        NOT NULL,
    expires_at  BIGINT        NOT NULL,
    accepted_by BIGINT        NULL,
    INDEX login_tokens_by_key (auth_key_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
