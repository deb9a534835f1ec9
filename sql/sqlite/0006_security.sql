-- Echo storage schema, version 6 (account security), SQLite dialect. Mirrors
-- sql/mysql/0006_security.sql; crates/storage/src/security.rs documents every table.
-- Statements end with ';' at the end of a line (the migration runner splits there).

-- The cloud password (core.telegram.org/api/srp): only the SRP verifier v = g^x mod p and
-- the salts, never the password or x.
CREATE TABLE account_passwords (
    user_id    INTEGER NOT NULL PRIMARY KEY,
    salt1      BLOB    NOT NULL,
    salt2      BLOB    NOT NULL,
    verifier   BLOB    NOT NULL,
    hint       TEXT    NOT NULL,
    email      TEXT    NULL,
    updated_at INTEGER NOT NULL
);

-- Outstanding SRP challenges of account.getPassword: srp_id -> the server's secret b.
-- Single use; removed when checked, expired or when the password changes.
CREATE TABLE srp_challenges (
    srp_id     INTEGER NOT NULL PRIMARY KEY,
    user_id    INTEGER NOT NULL,
    secret_b   BLOB    NOT NULL,
    expires_at INTEGER NOT NULL
);
CREATE INDEX srp_challenges_by_user ON srp_challenges (user_id);

-- Keys that passed the login code (or a QR token) of an account with a password and now
-- owe auth.checkPassword (SESSION_PASSWORD_NEEDED).
CREATE TABLE pending_logins (
    auth_key_id INTEGER NOT NULL PRIMARY KEY,
    user_id     INTEGER NOT NULL,
    expires_at  INTEGER NOT NULL
);

-- QR login tokens (core.telegram.org/api/qr-login); token: the token bytes in lowercase hex.
CREATE TABLE login_tokens (
    token       TEXT    NOT NULL PRIMARY KEY,
    auth_key_id INTEGER NOT NULL,
    created_at  INTEGER NOT NULL,
    expires_at  INTEGER NOT NULL,
    accepted_by INTEGER NULL
);
CREATE INDEX login_tokens_by_key ON login_tokens (auth_key_id);
