-- Echo storage schema, version 7 (flood limits, authorization TTL), MySQL/MariaDB dialect.
-- Mirrors sql/sqlite/0007_flood.sql; crates/storage/src/security.rs documents every table.

-- Flood counters in fixed windows (FLOOD_WAIT_X), so limits survive restarts.
CREATE TABLE flood_counters (
    scope        VARCHAR(32)  NOT NULL,
    subject      VARCHAR(128) NOT NULL,
    window_start BIGINT       NOT NULL,
    hits         BIGINT       NOT NULL,
    PRIMARY KEY (scope, subject, window_start)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- account.setAuthorizationTTL: days of inactivity after which an authorization ends.
CREATE TABLE authorization_ttls (
    user_id  BIGINT NOT NULL PRIMARY KEY,
    ttl_days INT    NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
