-- Echo storage schema, version 10 (albums), MySQL/MariaDB dialect. Mirrors
-- sql/sqlite/0010_grouped_id.sql; crates/storage/src/lib.rs documents the messages table.

-- messages.sendMultiMedia: the album id every item of one album carries
-- (core.telegram.org/constructor/message, grouped_id), NULL for a lone message.
ALTER TABLE messages ADD COLUMN grouped_id BIGINT NULL;
