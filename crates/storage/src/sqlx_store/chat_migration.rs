//! A basic group becoming a supergroup on SQL (core.telegram.org/method/messages.migrateChat);
//! see `ChannelStore::migrate_chat`.
//!
//! Everything happens in one transaction, so a crash leaves either the basic group as it was
//! or the finished supergroup: the channel row, one participant row per member of the group
//! (creator, admins and members keep their inviter and join date), the group's
//! `migrated_to_*` columns, and the channel's first message. The group's own rows stay: its
//! members keep their copies of its history (they live in their own boxes) and can still
//! read it, as on Telegram.

use super::box_writes::AnyTransaction;
use super::channels::{channel_from_row, CHANNEL_COLUMNS};
use super::rows::{bool_col, bytes_col, i64_col, opt_i64_col, text_col};
use super::{retry_busy, SqlStore};
use crate::channels::{ChannelRole, ChatMigrated, ChatMigration};
use crate::error::{StorageError, StorageResult};

/// How often a migration retries when a concurrent channel create took the same id.
const MIGRATE_ATTEMPTS: usize = 5;

/// The parts of the group the channel inherits.
struct GroupRow {
    creator_id: i64,
    title: String,
    about: String,
    default_banned_rights: Vec<u8>,
}

impl SqlStore {
    pub(super) async fn migrate_basic_group(
        &self,
        migration: ChatMigration,
    ) -> StorageResult<Option<ChatMigrated>> {
        let mut last = None;
        for _ in 0..MIGRATE_ATTEMPTS {
            match retry_busy(|| self.try_migrate(&migration)).await {
                Err(e @ StorageError::Conflict(_)) => last = Some(e),
                other => return other,
            }
        }
        Err(last.unwrap_or(StorageError::NotFound))
    }

    async fn try_migrate(&self, m: &ChatMigration) -> StorageResult<Option<ChatMigrated>> {
        let mut tx: AnyTransaction<'static> = self.writer.begin().await?;
        let Some(group) = live_group(&mut tx, m.chat_id).await? else {
            return Ok(None);
        };
        let channel_id = insert_channel(&mut tx, m, &group).await?;
        copy_members(&mut tx, m, channel_id, group.creator_id).await?;
        let marked = sqlx::query(
            "UPDATE chats SET migrated_to_channel_id = ?, migrated_to_access_hash = ?, \
             version = version + 1 WHERE id = ? AND migrated_to_channel_id IS NULL",
        )
        .bind(channel_id)
        .bind(m.access_hash)
        .bind(m.chat_id)
        .execute(&mut *tx)
        .await?;
        if marked.rows_affected() == 0 {
            // Another migration of the same group won; dropping `tx` rolls ours back.
            return Ok(None);
        }
        let first_message = self
            .insert_post(&mut tx, channel_id, &m.first_message)
            .await?;
        let row = sqlx::query(&format!(
            "SELECT {CHANNEL_COLUMNS} FROM channels WHERE id = ?"
        ))
        .bind(channel_id)
        .fetch_one(&mut *tx)
        .await?;
        let channel = channel_from_row(&row)?;
        tx.commit().await?;
        Ok(Some(ChatMigrated {
            channel,
            first_message,
        }))
    }
}

/// The group, unless it is unknown, deleted or migrated already.
async fn live_group(
    tx: &mut AnyTransaction<'static>,
    chat_id: i64,
) -> StorageResult<Option<GroupRow>> {
    let row = sqlx::query(
        "SELECT creator_id, title, about, default_banned_rights, deactivated, \
         migrated_to_channel_id FROM chats WHERE id = ?",
    )
    .bind(chat_id)
    .fetch_optional(&mut **tx)
    .await?;
    let Some(row) = row else {
        return Ok(None);
    };
    if bool_col(&row, "deactivated")? || opt_i64_col(&row, "migrated_to_channel_id")?.is_some() {
        return Ok(None);
    }
    Ok(Some(GroupRow {
        creator_id: i64_col(&row, "creator_id")?,
        title: text_col(&row, "title")?,
        about: text_col(&row, "about")?,
        default_banned_rights: bytes_col(&row, "default_banned_rights")?,
    }))
}

/// Inserts the megagroup with the next free id and returns it.
async fn insert_channel(
    tx: &mut AnyTransaction<'static>,
    m: &ChatMigration,
    group: &GroupRow,
) -> StorageResult<i64> {
    let rights =
        (!group.default_banned_rights.is_empty()).then(|| group.default_banned_rights.clone());
    sqlx::query(
        "INSERT INTO channels (id, access_hash, creator_id, title, about, broadcast, megagroup, \
         date, pts, max_message_id, last_update_date, participants_count, default_banned_rights, \
         photo_id, photo_dc_id, photo_stripped, migrated_from_chat_id) \
         SELECT COALESCE(MAX(id), 0) + 1, ?, ?, ?, ?, 0, 1, ?, 1, 0, ?, 0, ?, ?, ?, ?, ? \
         FROM channels",
    )
    .bind(m.access_hash)
    .bind(group.creator_id)
    .bind(group.title.as_str())
    .bind(group.about.as_str())
    .bind(m.date)
    .bind(m.date)
    .bind(rights)
    .bind(m.photo.as_ref().map(|p| p.photo_id))
    .bind(m.photo.as_ref().map_or(0, |p| i64::from(p.dc_id)))
    .bind(m.photo.as_ref().map(|p| p.stripped.clone()))
    .bind(m.chat_id)
    .execute(&mut **tx)
    .await?;
    let row = sqlx::query("SELECT id FROM channels WHERE migrated_from_chat_id = ?")
        .bind(m.chat_id)
        .fetch_one(&mut **tx)
        .await?;
    i64_col(&row, "id")
}

/// One participant row per member of the group, and the channel's member count.
async fn copy_members(
    tx: &mut AnyTransaction<'static>,
    m: &ChatMigration,
    channel_id: i64,
    creator_id: i64,
) -> StorageResult<()> {
    sqlx::query(
        "INSERT INTO channel_participants (channel_id, user_id, inviter_id, date, role, \
         admin_rights, promoted_by) \
         SELECT ?, user_id, inviter_id, date, \
         CASE WHEN user_id = ? THEN ? WHEN is_admin <> 0 THEN ? ELSE ? END, \
         CASE WHEN user_id = ? THEN ? WHEN is_admin <> 0 THEN ? ELSE NULL END, \
         CASE WHEN user_id = ? OR is_admin <> 0 THEN ? ELSE 0 END \
         FROM chat_participants WHERE chat_id = ?",
    )
    .bind(channel_id)
    .bind(creator_id)
    .bind(ChannelRole::Creator.code())
    .bind(ChannelRole::Admin.code())
    .bind(ChannelRole::Member.code())
    .bind(creator_id)
    .bind(m.creator_rights.clone())
    .bind(m.admin_rights.clone())
    .bind(creator_id)
    .bind(creator_id)
    .bind(m.chat_id)
    .execute(&mut **tx)
    .await?;
    sqlx::query(
        "UPDATE channels SET participants_count = \
         (SELECT COUNT(*) FROM channel_participants WHERE channel_id = ?) WHERE id = ?",
    )
    .bind(channel_id)
    .bind(channel_id)
    .execute(&mut **tx)
    .await?;
    Ok(())
}
