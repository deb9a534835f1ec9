-- Echo storage schema, version 13, MySQL/MariaDB dialect: who has viewed which broadcast
-- post (core.telegram.org/method/messages.getMessagesViews: a view counts once per
-- viewer). Mirrors sql/sqlite/0013_channel_views.sql; crates/storage/src/channel_moderation.rs
-- documents it.

CREATE TABLE channel_message_views (
    channel_id BIGINT NOT NULL,
    message_id INT    NOT NULL,
    user_id    BIGINT NOT NULL,
    PRIMARY KEY (channel_id, message_id, user_id)
);
