-- Echo storage schema, version 14, SQLite dialect: the current photo of a channel as its
-- chatPhoto shows it everywhere (core.telegram.org/constructor/chatPhoto: photo_id, dc_id,
-- stripped_thumb), next to channels.photo_id. Mirrors sql/mysql/0014_channel_photo.sql;
-- crates/storage/src/channels.rs documents the table.

ALTER TABLE channels ADD COLUMN photo_dc_id INTEGER NOT NULL DEFAULT 0;
ALTER TABLE channels ADD COLUMN photo_stripped BLOB NULL;
