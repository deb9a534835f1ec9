-- Echo storage schema, version 15, SQLite dialect: basic groups migrated to supergroups
-- (core.telegram.org/method/messages.migrateChat). The group remembers the channel it became
-- (chat.migrated_to), the channel the group it came from (channelFull.migrated_from_chat_id).
-- Mirrors sql/mysql/0015_chat_migration.sql; crates/storage/src/chats.rs and channels.rs
-- document the columns.

ALTER TABLE chats ADD COLUMN migrated_to_channel_id INTEGER NULL;
ALTER TABLE chats ADD COLUMN migrated_to_access_hash INTEGER NOT NULL DEFAULT 0;
ALTER TABLE channels ADD COLUMN migrated_from_chat_id INTEGER NULL;
