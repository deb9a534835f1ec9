-- Echo storage schema, version 10 (albums), SQLite dialect. Mirrors
-- sql/mysql/0010_grouped_id.sql; crates/storage/src/lib.rs documents the messages table.
-- Statements end with ';' at the end of a line (the migration runner splits there).

-- messages.sendMultiMedia: the album id every item of one album carries
-- (core.telegram.org/constructor/message, grouped_id), NULL for a lone message.
ALTER TABLE messages ADD COLUMN grouped_id INTEGER NULL;
