-- Echo storage schema, version 13, SQLite dialect: who has viewed which broadcast post
-- (core.telegram.org/method/messages.getMessagesViews: a view counts once per viewer).
-- Mirrors sql/mysql/0013_channel_views.sql; crates/storage/src/channel_moderation.rs
-- documents it.

CREATE TABLE channel_message_views (
    channel_id INTEGER NOT NULL,
    message_id INTEGER NOT NULL,
    user_id    INTEGER NOT NULL,
    PRIMARY KEY (channel_id, message_id, user_id)
);
