//! Channels and their participants on SQL (core.telegram.org/api/channel); see
//! `crate::channels`. Messages, the update log and read positions are in `channel_messages`.

use async_trait::async_trait;
use sqlx::any::AnyRow;

use super::dialect::placeholders;
use super::rows::{bool_col, bytes_col, i64_col, opt_i64_col, opt_text_col, text_col};
use super::SqlStore;
use crate::channel_public::{
    ChannelInviteRecord, InviteEdit, InviteImporterRecord, InviteUse, JoinRequestRecord,
};
use crate::channels::{
    ChannelDeleted, ChannelEdit, ChannelMessage, ChannelParticipantRecord, ChannelPhoto,
    ChannelRead, ChannelRecord, ChannelRole, ChannelStore, ChannelUpdate, ChatMigrated,
    ChatMigration, NewChannel, NewChannelMessage, ParticipantFilter, Posted,
};
use crate::error::{StorageError, StorageResult};
use crate::types::HistoryQuery;

pub(super) const CHANNEL_COLUMNS: &str =
    "id, access_hash, creator_id, title, about, broadcast, megagroup, \
     date, username, photo_id, pts, max_message_id, last_update_date, participants_count, \
     signatures, pre_history_hidden, slowmode_seconds, default_banned_rights, deleted, \
     photo_dc_id, photo_stripped, migrated_from_chat_id";

const PARTICIPANT_COLUMNS: &str = "p.channel_id, p.user_id, p.inviter_id, p.date, p.role, \
     p.admin_rights, p.promoted_by, p.banned_rights, p.banned_until, p.kicked_by, p.rank_title, \
     p.read_inbox_max_id, p.read_outbox_max_id, p.available_min_id";

/// How often a create retries when another one took the same id meanwhile.
const CREATE_ATTEMPTS: usize = 5;

/// An INT-sized column read through i64 (both backends decode every integer as i64).
pub(super) fn int_col(row: &AnyRow, col: &str) -> StorageResult<i32> {
    let value = i64_col(row, col)?;
    i32::try_from(value)
        .map_err(|_| StorageError::Database(format!("column {col} out of range: {value}")))
}

pub(super) fn channel_from_row(row: &AnyRow) -> StorageResult<ChannelRecord> {
    Ok(ChannelRecord {
        id: i64_col(row, "id")?,
        access_hash: i64_col(row, "access_hash")?,
        creator_id: i64_col(row, "creator_id")?,
        title: text_col(row, "title")?,
        about: text_col(row, "about")?,
        broadcast: bool_col(row, "broadcast")?,
        megagroup: bool_col(row, "megagroup")?,
        date: i64_col(row, "date")?,
        username: opt_text_col(row, "username")?,
        photo: opt_i64_col(row, "photo_id")?
            .map(|photo_id| -> StorageResult<ChannelPhoto> {
                Ok(ChannelPhoto {
                    photo_id,
                    dc_id: int_col(row, "photo_dc_id")?,
                    stripped: bytes_col(row, "photo_stripped")?,
                })
            })
            .transpose()?,
        pts: int_col(row, "pts")?,
        max_message_id: int_col(row, "max_message_id")?,
        last_update_date: i64_col(row, "last_update_date")?,
        participants_count: int_col(row, "participants_count")?,
        signatures: bool_col(row, "signatures")?,
        pre_history_hidden: bool_col(row, "pre_history_hidden")?,
        slowmode_seconds: int_col(row, "slowmode_seconds")?,
        default_banned_rights: bytes_col(row, "default_banned_rights")?,
        deleted: bool_col(row, "deleted")?,
        migrated_from_chat_id: opt_i64_col(row, "migrated_from_chat_id")?,
    })
}

fn participant_from_row(row: &AnyRow) -> StorageResult<ChannelParticipantRecord> {
    let code = i64_col(row, "role")?;
    Ok(ChannelParticipantRecord {
        channel_id: i64_col(row, "channel_id")?,
        user_id: i64_col(row, "user_id")?,
        inviter_id: i64_col(row, "inviter_id")?,
        date: i64_col(row, "date")?,
        role: ChannelRole::from_code(code)
            .ok_or_else(|| StorageError::Database(format!("unknown channel role {code}")))?,
        admin_rights: bytes_col(row, "admin_rights")?,
        promoted_by: i64_col(row, "promoted_by")?,
        banned_rights: bytes_col(row, "banned_rights")?,
        banned_until: i64_col(row, "banned_until")?,
        kicked_by: i64_col(row, "kicked_by")?,
        rank: opt_text_col(row, "rank_title")?,
        read_inbox_max_id: int_col(row, "read_inbox_max_id")?,
        read_outbox_max_id: int_col(row, "read_outbox_max_id")?,
        available_min_id: int_col(row, "available_min_id")?,
    })
}

/// `LIKE` pattern for a name search (`!` escapes, as in `messages`).
fn contains_pattern(q: &str) -> String {
    let mut pattern = String::from("%");
    for c in q.chars() {
        if matches!(c, '%' | '_' | '!') {
            pattern.push('!');
        }
        pattern.push(c);
    }
    pattern.push('%');
    pattern
}

/// The WHERE clause (after `p.channel_id = ?`) of a participant filter, and its text bind.
fn filter_sql(filter: &ParticipantFilter) -> (String, Option<String>) {
    let member = format!(
        "p.role IN ({}, {}, {})",
        ChannelRole::Creator.code(),
        ChannelRole::Admin.code(),
        ChannelRole::Member.code()
    );
    let name = " AND (u.first_name LIKE ? ESCAPE '!' OR u.last_name LIKE ? ESCAPE '!' \
                OR COALESCE(u.username, '') LIKE ? ESCAPE '!')";
    let banned = ChannelRole::Banned.code();
    match filter {
        ParticipantFilter::Recent => (member, None),
        ParticipantFilter::Admins => (
            format!(
                "p.role IN ({}, {})",
                ChannelRole::Creator.code(),
                ChannelRole::Admin.code()
            ),
            None,
        ),
        ParticipantFilter::Search(q) => (format!("{member}{name}"), Some(contains_pattern(q))),
        // Banned: kicked, or restricted members (role member with banned rights).
        ParticipantFilter::Banned(q) => (
            format!(
                "(p.role = {banned} OR (p.role = {} AND p.banned_rights IS NOT NULL)){name}",
                ChannelRole::Member.code()
            ),
            Some(contains_pattern(q)),
        ),
        // Kicked: banned from viewing, which the BFF records as kicked_by != 0.
        ParticipantFilter::Kicked(q) => (
            format!("p.role = {banned} AND p.kicked_by <> 0{name}"),
            Some(contains_pattern(q)),
        ),
    }
}

impl SqlStore {
    async fn try_create_channel(&self, c: &NewChannel) -> StorageResult<i64> {
        let mut tx = self.pool.begin().await?;
        // Write first (see the module header): the insert takes the next id.
        sqlx::query(
            "INSERT INTO channels (id, access_hash, creator_id, title, about, broadcast, \
             megagroup, date, pts, max_message_id, last_update_date, participants_count) \
             SELECT COALESCE(MAX(id), 0) + 1, ?, ?, ?, ?, ?, ?, ?, 1, 0, ?, 1 FROM channels",
        )
        .bind(c.access_hash)
        .bind(c.creator_id)
        .bind(c.title.as_str())
        .bind(c.about.as_str())
        .bind(i64::from(c.broadcast))
        .bind(i64::from(c.megagroup))
        .bind(c.date)
        .bind(c.date)
        .execute(&mut *tx)
        .await?;
        let row = sqlx::query(
            "SELECT MAX(id) AS id FROM channels WHERE creator_id = ? AND access_hash = ?",
        )
        .bind(c.creator_id)
        .bind(c.access_hash)
        .fetch_one(&mut *tx)
        .await?;
        let id = i64_col(&row, "id")?;
        sqlx::query(
            "INSERT INTO channel_participants (channel_id, user_id, inviter_id, date, role, \
             admin_rights, promoted_by) VALUES (?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(id)
        .bind(c.creator_id)
        .bind(c.creator_id)
        .bind(c.date)
        .bind(ChannelRole::Creator.code())
        .bind(c.creator_rights.clone())
        .bind(c.creator_id)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Recounts `participants_count` from the participant rows.
    pub(super) async fn recount(&self, channel_id: i64) -> StorageResult<()> {
        sqlx::query(&format!(
            "UPDATE channels SET participants_count = (SELECT COUNT(*) FROM channel_participants \
             WHERE channel_id = ? AND role IN ({}, {}, {})) WHERE id = ?",
            ChannelRole::Creator.code(),
            ChannelRole::Admin.code(),
            ChannelRole::Member.code()
        ))
        .bind(channel_id)
        .bind(channel_id)
        .execute(&self.pool)
        .await?;
        Ok(())
    }
}

#[async_trait]
impl ChannelStore for SqlStore {
    async fn create(&self, channel: NewChannel) -> StorageResult<ChannelRecord> {
        let mut last = None;
        for _ in 0..CREATE_ATTEMPTS {
            match self.try_create_channel(&channel).await {
                Ok(id) => return self.get(id).await?.ok_or(StorageError::NotFound),
                // Another create took the id first (or the database was busy): try again.
                Err(e @ (StorageError::Conflict(_) | StorageError::Busy(_))) => last = Some(e),
                Err(e) => return Err(e),
            }
        }
        Err(last.unwrap_or(StorageError::NotFound))
    }

    async fn migrate_chat(&self, migration: ChatMigration) -> StorageResult<Option<ChatMigrated>> {
        self.migrate_basic_group(migration).await
    }

    async fn get(&self, channel_id: i64) -> StorageResult<Option<ChannelRecord>> {
        let row = sqlx::query(&format!(
            "SELECT {CHANNEL_COLUMNS} FROM channels WHERE id = ?"
        ))
        .bind(channel_id)
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(channel_from_row).transpose()
    }

    async fn get_many(&self, ids: &[i64]) -> StorageResult<Vec<ChannelRecord>> {
        let mut ids = ids.to_vec();
        ids.sort_unstable();
        ids.dedup();
        let mut out = Vec::with_capacity(ids.len());
        for chunk in ids.chunks(100) {
            let sql = format!(
                "SELECT {CHANNEL_COLUMNS} FROM channels WHERE id IN ({}) ORDER BY id",
                placeholders(chunk.len())
            );
            let mut query = sqlx::query(&sql);
            for id in chunk {
                query = query.bind(*id);
            }
            for row in query.fetch_all(&self.pool).await? {
                out.push(channel_from_row(&row)?);
            }
        }
        Ok(out)
    }

    async fn set_title(&self, channel_id: i64, title: &str) -> StorageResult<bool> {
        sqlx::query("UPDATE channels SET title = ? WHERE id = ?")
            .bind(title)
            .bind(channel_id)
            .execute(&self.pool)
            .await?;
        Ok(self.get(channel_id).await?.is_some())
    }

    async fn set_about(&self, channel_id: i64, about: &str) -> StorageResult<bool> {
        sqlx::query("UPDATE channels SET about = ? WHERE id = ?")
            .bind(about)
            .bind(channel_id)
            .execute(&self.pool)
            .await?;
        Ok(self.get(channel_id).await?.is_some())
    }

    async fn set_photo(
        &self,
        channel_id: i64,
        photo: Option<&ChannelPhoto>,
    ) -> StorageResult<bool> {
        let done = sqlx::query(
            "UPDATE channels SET photo_id = ?, photo_dc_id = ?, photo_stripped = ? WHERE id = ?",
        )
        .bind(photo.map(|p| p.photo_id))
        .bind(photo.map_or(0, |p| i64::from(p.dc_id)))
        .bind(photo.map(|p| p.stripped.clone()))
        .bind(channel_id)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() > 0)
    }

    async fn participant(
        &self,
        channel_id: i64,
        user_id: i64,
    ) -> StorageResult<Option<ChannelParticipantRecord>> {
        let row = sqlx::query(&format!(
            "SELECT {PARTICIPANT_COLUMNS} FROM channel_participants p \
             WHERE p.channel_id = ? AND p.user_id = ?"
        ))
        .bind(channel_id)
        .bind(user_id)
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(participant_from_row).transpose()
    }

    async fn join(
        &self,
        channel_id: i64,
        user_id: i64,
        inviter_id: i64,
        date: i64,
        hide_history: bool,
    ) -> StorageResult<bool> {
        let Some(channel) = self.get(channel_id).await? else {
            return Ok(false);
        };
        let top = channel.max_message_id;
        let hidden_below = if hide_history { top } else { 0 };
        let existing = self.participant(channel_id, user_id).await?;
        match existing.map(|p| p.role) {
            Some(role) if role.is_member() || role == ChannelRole::Banned => return Ok(false),
            Some(ChannelRole::Left) => {
                // A returning creator takes the creator role back.
                let role = if channel.creator_id == user_id {
                    ChannelRole::Creator
                } else {
                    ChannelRole::Member
                };
                let done = sqlx::query(
                    "UPDATE channel_participants SET role = ?, inviter_id = ?, date = ?, \
                     read_inbox_max_id = ?, available_min_id = ? \
                     WHERE channel_id = ? AND user_id = ? AND role = ?",
                )
                .bind(role.code())
                .bind(inviter_id)
                .bind(date)
                .bind(i64::from(top))
                .bind(i64::from(hidden_below))
                .bind(channel_id)
                .bind(user_id)
                .bind(ChannelRole::Left.code())
                .execute(&self.pool)
                .await?;
                if done.rows_affected() == 0 {
                    return Ok(false);
                }
            }
            _ => {
                let inserted = sqlx::query(
                    "INSERT INTO channel_participants (channel_id, user_id, inviter_id, date, \
                     role, read_inbox_max_id, available_min_id) VALUES (?, ?, ?, ?, ?, ?, ?)",
                )
                .bind(channel_id)
                .bind(user_id)
                .bind(inviter_id)
                .bind(date)
                .bind(ChannelRole::Member.code())
                .bind(i64::from(top))
                .bind(i64::from(hidden_below))
                .execute(&self.pool)
                .await;
                match inserted.map_err(StorageError::from) {
                    Ok(_) => {}
                    // Joined concurrently by another call.
                    Err(StorageError::Conflict(_)) => return Ok(false),
                    Err(e) => return Err(e),
                }
            }
        }
        self.recount(channel_id).await?;
        Ok(true)
    }

    async fn leave(&self, channel_id: i64, user_id: i64) -> StorageResult<bool> {
        let done = sqlx::query(&format!(
            "UPDATE channel_participants SET role = ? WHERE channel_id = ? AND user_id = ? \
             AND role IN ({}, {}, {})",
            ChannelRole::Creator.code(),
            ChannelRole::Admin.code(),
            ChannelRole::Member.code()
        ))
        .bind(ChannelRole::Left.code())
        .bind(channel_id)
        .bind(user_id)
        .execute(&self.pool)
        .await?;
        if done.rows_affected() == 0 {
            return Ok(false);
        }
        self.recount(channel_id).await?;
        Ok(true)
    }

    async fn participants(
        &self,
        channel_id: i64,
        filter: &ParticipantFilter,
        offset: i64,
        limit: i64,
    ) -> StorageResult<(Vec<ChannelParticipantRecord>, i64)> {
        let (condition, text) = filter_sql(filter);
        let from = format!(
            "FROM channel_participants p JOIN users u ON u.id = p.user_id \
             WHERE p.channel_id = ? AND {condition}"
        );
        let count_sql = format!("SELECT COUNT(*) AS n {from}");
        let mut count = sqlx::query(&count_sql).bind(channel_id);
        let sql = format!(
            "SELECT {PARTICIPANT_COLUMNS} {from} \
             ORDER BY CASE WHEN p.role = {} THEN 0 ELSE 1 END, p.date DESC, p.user_id \
             LIMIT ? OFFSET ?",
            ChannelRole::Creator.code()
        );
        let mut page = sqlx::query(&sql).bind(channel_id);
        if let Some(pattern) = &text {
            for _ in 0..3 {
                count = count.bind(pattern.clone());
                page = page.bind(pattern.clone());
            }
        }
        let total = i64_col(&count.fetch_one(&self.pool).await?, "n")?;
        let rows = page
            .bind(limit.max(0))
            .bind(offset.max(0))
            .fetch_all(&self.pool)
            .await?;
        let list = rows
            .iter()
            .map(participant_from_row)
            .collect::<StorageResult<Vec<_>>>()?;
        Ok((list, total))
    }

    async fn member_ids(&self, channel_id: i64) -> StorageResult<Vec<i64>> {
        let rows = sqlx::query(&format!(
            "SELECT user_id FROM channel_participants WHERE channel_id = ? \
             AND role IN ({}, {}, {})",
            ChannelRole::Creator.code(),
            ChannelRole::Admin.code(),
            ChannelRole::Member.code()
        ))
        .bind(channel_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(|r| i64_col(r, "user_id")).collect()
    }

    async fn channels_of(
        &self,
        user_id: i64,
    ) -> StorageResult<Vec<(ChannelRecord, ChannelParticipantRecord)>> {
        let rows = sqlx::query(&format!(
            "SELECT {PARTICIPANT_COLUMNS} FROM channel_participants p \
             WHERE p.user_id = ? AND p.role IN ({}, {}, {}) ORDER BY p.channel_id",
            ChannelRole::Creator.code(),
            ChannelRole::Admin.code(),
            ChannelRole::Member.code()
        ))
        .bind(user_id)
        .fetch_all(&self.pool)
        .await?;
        let participants = rows
            .iter()
            .map(participant_from_row)
            .collect::<StorageResult<Vec<_>>>()?;
        let ids: Vec<i64> = participants.iter().map(|p| p.channel_id).collect();
        let channels = self.get_many(&ids).await?;
        Ok(channels
            .into_iter()
            .filter(|c| !c.deleted)
            .filter_map(|c| {
                let p = participants.iter().find(|p| p.channel_id == c.id)?.clone();
                Some((c, p))
            })
            .collect())
    }

    async fn post(&self, channel_id: i64, message: NewChannelMessage) -> StorageResult<Posted> {
        self.post_message(channel_id, message).await
    }

    async fn edit_message(
        &self,
        channel_id: i64,
        id: i32,
        edit: ChannelEdit,
    ) -> StorageResult<Option<ChannelMessage>> {
        self.edit_channel_message(channel_id, id, edit).await
    }

    async fn delete_messages(
        &self,
        channel_id: i64,
        ids: &[i32],
        date: i64,
    ) -> StorageResult<ChannelDeleted> {
        self.delete_channel_messages(channel_id, ids, date).await
    }

    async fn messages(&self, channel_id: i64, ids: &[i32]) -> StorageResult<Vec<ChannelMessage>> {
        self.channel_messages_by_id(channel_id, ids).await
    }

    async fn history(
        &self,
        channel_id: i64,
        min_visible_id: i32,
        query: HistoryQuery,
    ) -> StorageResult<Vec<ChannelMessage>> {
        self.channel_history(channel_id, min_visible_id, query)
            .await
    }

    async fn count_messages(&self, channel_id: i64, min_visible_id: i32) -> StorageResult<i64> {
        self.count_channel_messages(channel_id, min_visible_id, None)
            .await
    }

    async fn top_message(
        &self,
        channel_id: i64,
        min_visible_id: i32,
    ) -> StorageResult<Option<ChannelMessage>> {
        self.channel_top_message(channel_id, min_visible_id).await
    }

    async fn updates_after(
        &self,
        channel_id: i64,
        after: i32,
        limit: i64,
    ) -> StorageResult<Vec<ChannelUpdate>> {
        self.channel_updates_after(channel_id, after, limit).await
    }

    async fn read_inbox(
        &self,
        channel_id: i64,
        user_id: i64,
        max_id: i32,
    ) -> StorageResult<ChannelRead> {
        self.channel_read_inbox(channel_id, user_id, max_id).await
    }

    async fn read_outbox(&self, channel_id: i64, user_id: i64, max_id: i32) -> StorageResult<bool> {
        let done = sqlx::query(
            "UPDATE channel_participants SET read_outbox_max_id = ? \
             WHERE channel_id = ? AND user_id = ? AND read_outbox_max_id < ?",
        )
        .bind(i64::from(max_id))
        .bind(channel_id)
        .bind(user_id)
        .bind(i64::from(max_id))
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() > 0)
    }

    async fn unread_count(
        &self,
        channel_id: i64,
        user_id: i64,
        after_id: i32,
    ) -> StorageResult<i32> {
        let n = self
            .count_channel_messages(channel_id, after_id, Some(user_id))
            .await?;
        Ok(i32::try_from(n).unwrap_or(i32::MAX))
    }

    async fn set_username(&self, channel_id: i64, username: Option<&str>) -> StorageResult<()> {
        self.channel_set_username(channel_id, username).await
    }

    async fn get_by_username(&self, username: &str) -> StorageResult<Option<ChannelRecord>> {
        self.channel_by_username(username).await
    }

    async fn create_invite(
        &self,
        invite: ChannelInviteRecord,
        revoke_permanent: bool,
    ) -> StorageResult<()> {
        self.channel_create_invite(invite, revoke_permanent).await
    }

    async fn invite(&self, hash: &str) -> StorageResult<Option<ChannelInviteRecord>> {
        self.channel_invite(hash).await
    }

    async fn revoke_invite(&self, channel_id: i64, hash: &str) -> StorageResult<bool> {
        self.channel_revoke_invite(channel_id, hash).await
    }

    async fn invites_of(
        &self,
        channel_id: i64,
        admin_id: i64,
        revoked: bool,
    ) -> StorageResult<Vec<ChannelInviteRecord>> {
        self.channel_invites_of(channel_id, admin_id, revoked).await
    }

    async fn use_invite(
        &self,
        hash: &str,
        user_id: i64,
        date: i64,
        hide_history: bool,
    ) -> StorageResult<InviteUse> {
        self.channel_use_invite(hash, user_id, date, hide_history)
            .await
    }

    async fn add_join_request(&self, request: JoinRequestRecord) -> StorageResult<bool> {
        self.channel_add_join_request(request).await
    }

    async fn join_request(
        &self,
        channel_id: i64,
        user_id: i64,
    ) -> StorageResult<Option<JoinRequestRecord>> {
        self.channel_join_request(channel_id, user_id).await
    }

    async fn remove_join_request(&self, channel_id: i64, user_id: i64) -> StorageResult<bool> {
        self.channel_remove_join_request(channel_id, user_id).await
    }

    async fn join_requests(&self, channel_id: i64) -> StorageResult<Vec<JoinRequestRecord>> {
        self.channel_join_requests(channel_id).await
    }

    async fn edit_invite(
        &self,
        channel_id: i64,
        hash: &str,
        edit: InviteEdit,
    ) -> StorageResult<Option<ChannelInviteRecord>> {
        self.channel_edit_invite(channel_id, hash, edit).await
    }

    async fn set_admin(
        &self,
        channel_id: i64,
        user_id: i64,
        grant: Option<crate::AdminGrant>,
    ) -> StorageResult<bool> {
        self.set_channel_admin(channel_id, user_id, grant).await
    }

    async fn set_banned(
        &self,
        channel_id: i64,
        user_id: i64,
        ban: Option<crate::BanGrant>,
    ) -> StorageResult<bool> {
        self.set_channel_banned(channel_id, user_id, ban).await
    }

    async fn set_default_banned_rights(
        &self,
        channel_id: i64,
        rights: &[u8],
    ) -> StorageResult<bool> {
        self.set_channel_default_banned(channel_id, rights).await
    }

    async fn toggle(&self, channel_id: i64, toggle: crate::ChannelToggle) -> StorageResult<bool> {
        self.toggle_channel(channel_id, toggle).await
    }

    async fn last_post_date(&self, channel_id: i64, user_id: i64) -> StorageResult<Option<i64>> {
        self.channel_last_post_date(channel_id, user_id).await
    }

    async fn set_pinned(
        &self,
        channel_id: i64,
        ids: &[i32],
        pinned: bool,
        date: i64,
    ) -> StorageResult<crate::PinChange> {
        self.set_channel_pinned(channel_id, ids, pinned, date).await
    }

    async fn pinned_ids(&self, channel_id: i64) -> StorageResult<Vec<i32>> {
        self.channel_pinned_ids(channel_id).await
    }

    async fn view_messages(
        &self,
        channel_id: i64,
        ids: &[i32],
        viewer: i64,
    ) -> StorageResult<Vec<(i32, i32)>> {
        self.view_channel_messages(channel_id, ids, viewer).await
    }

    async fn delete_channel(&self, channel_id: i64) -> StorageResult<bool> {
        self.mark_channel_deleted(channel_id).await
    }

    async fn hide_history(
        &self,
        channel_id: i64,
        user_id: i64,
        max_id: i32,
    ) -> StorageResult<bool> {
        self.hide_channel_history(channel_id, user_id, max_id).await
    }

    async fn add_invite_importer(&self, importer: InviteImporterRecord) -> StorageResult<()> {
        self.channel_add_invite_importer(importer).await
    }

    async fn invite_importers(
        &self,
        channel_id: i64,
        hash: Option<&str>,
        before: Option<(i64, i64)>,
        limit: usize,
    ) -> StorageResult<Vec<InviteImporterRecord>> {
        self.channel_invite_importers(channel_id, hash, before, limit)
            .await
    }
}
