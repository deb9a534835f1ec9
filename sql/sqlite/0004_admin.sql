-- Echo storage schema, version 4 (admin), SQLite dialect. Mirrors sql/mysql/0004_admin.sql.
-- users.banned: 1 while an operator has banned the account (admin API); sign-in is refused
-- with PHONE_NUMBER_BANNED. users.banned_at: unix seconds of the ban (0 when not banned).

ALTER TABLE users ADD COLUMN banned INTEGER NOT NULL DEFAULT 0;
ALTER TABLE users ADD COLUMN banned_at INTEGER NOT NULL DEFAULT 0;
