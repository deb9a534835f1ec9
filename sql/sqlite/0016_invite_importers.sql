-- Echo storage schema, version 16 (who joined a channel through which invite link), SQLite
-- dialect. crates/storage/src/channel_public.rs documents the table
-- (core.telegram.org/method/messages.getChatInviteImporters).

CREATE TABLE channel_invite_importers (
    hash        TEXT    NOT NULL,
    user_id     INTEGER NOT NULL,
    channel_id  INTEGER NOT NULL,
    date        INTEGER NOT NULL,
    approved_by INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (hash, user_id)
);
CREATE INDEX channel_invite_importers_by_channel ON channel_invite_importers (channel_id, date);
