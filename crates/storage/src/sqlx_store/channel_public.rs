//! Public channel usernames, channel invite links and join requests on SQL
//! (core.telegram.org/api/channel, /api/invites); see `crate::channel_public`.

use sqlx::any::AnyRow;

use super::channels::int_col;
use super::rows::{bool_col, i64_col, opt_text_col, text_col};
use super::SqlStore;
use crate::channel_public::{
    ChannelInviteRecord, InviteEdit, InviteImporterRecord, InviteUse, JoinRequestRecord,
};
use crate::channels::{ChannelRecord, ChannelStore};
use crate::error::{StorageError, StorageResult};

const INVITE_COLUMNS: &str = "hash, channel_id, admin_id, date, revoked, permanent, \
     expire_date, usage_limit, usage_count, request_needed, title";

fn invite_from_row(row: &AnyRow) -> StorageResult<ChannelInviteRecord> {
    Ok(ChannelInviteRecord {
        hash: text_col(row, "hash")?,
        channel_id: i64_col(row, "channel_id")?,
        admin_id: i64_col(row, "admin_id")?,
        date: i64_col(row, "date")?,
        revoked: bool_col(row, "revoked")?,
        permanent: bool_col(row, "permanent")?,
        expire_date: i64_col(row, "expire_date")?,
        usage_limit: int_col(row, "usage_limit")?,
        usage: int_col(row, "usage_count")?,
        request_needed: bool_col(row, "request_needed")?,
        title: opt_text_col(row, "title")?,
    })
}

fn request_from_row(row: &AnyRow) -> StorageResult<JoinRequestRecord> {
    Ok(JoinRequestRecord {
        channel_id: i64_col(row, "channel_id")?,
        user_id: i64_col(row, "user_id")?,
        invite_hash: text_col(row, "invite_hash")?,
        date: i64_col(row, "date")?,
    })
}

impl SqlStore {
    pub(super) async fn channel_set_username(
        &self,
        channel_id: i64,
        username: Option<&str>,
    ) -> StorageResult<()> {
        let key = username.map(str::to_lowercase);
        sqlx::query("UPDATE channels SET username = ?, username_lower = ? WHERE id = ?")
            .bind(username.map(str::to_owned))
            .bind(key)
            .bind(channel_id)
            .execute(&self.pool)
            .await
            .map_err(|e| match StorageError::from(e) {
                StorageError::Conflict(_) => StorageError::Conflict("username taken".to_owned()),
                other => other,
            })?;
        Ok(())
    }

    pub(super) async fn channel_by_username(
        &self,
        username: &str,
    ) -> StorageResult<Option<ChannelRecord>> {
        let row = sqlx::query("SELECT id FROM channels WHERE username_lower = ? AND deleted = 0")
            .bind(username.to_lowercase())
            .fetch_optional(&self.pool)
            .await?;
        let Some(row) = row else {
            return Ok(None);
        };
        self.get(i64_col(&row, "id")?).await
    }

    pub(super) async fn channel_create_invite(
        &self,
        invite: ChannelInviteRecord,
        revoke_permanent: bool,
    ) -> StorageResult<()> {
        let mut tx = self.pool.begin().await?;
        if revoke_permanent {
            sqlx::query(
                "UPDATE channel_invites SET revoked = 1 \
                 WHERE channel_id = ? AND admin_id = ? AND permanent = 1",
            )
            .bind(invite.channel_id)
            .bind(invite.admin_id)
            .execute(&mut *tx)
            .await?;
        }
        sqlx::query(&format!(
            "INSERT INTO channel_invites ({INVITE_COLUMNS}) \
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
        ))
        .bind(invite.hash.as_str())
        .bind(invite.channel_id)
        .bind(invite.admin_id)
        .bind(invite.date)
        .bind(i64::from(invite.revoked))
        .bind(i64::from(invite.permanent))
        .bind(invite.expire_date)
        .bind(i64::from(invite.usage_limit))
        .bind(i64::from(invite.usage))
        .bind(i64::from(invite.request_needed))
        .bind(invite.title.clone())
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    pub(super) async fn channel_invite(
        &self,
        hash: &str,
    ) -> StorageResult<Option<ChannelInviteRecord>> {
        let row = sqlx::query(&format!(
            "SELECT {INVITE_COLUMNS} FROM channel_invites WHERE hash = ?"
        ))
        .bind(hash)
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(invite_from_row).transpose()
    }

    pub(super) async fn channel_revoke_invite(
        &self,
        channel_id: i64,
        hash: &str,
    ) -> StorageResult<bool> {
        let done = sqlx::query(
            "UPDATE channel_invites SET revoked = 1 \
             WHERE hash = ? AND channel_id = ? AND revoked = 0",
        )
        .bind(hash)
        .bind(channel_id)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() > 0)
    }

    pub(super) async fn channel_invites_of(
        &self,
        channel_id: i64,
        admin_id: i64,
        revoked: bool,
    ) -> StorageResult<Vec<ChannelInviteRecord>> {
        let rows = sqlx::query(&format!(
            "SELECT {INVITE_COLUMNS} FROM channel_invites \
             WHERE channel_id = ? AND admin_id = ? AND revoked = ? ORDER BY date DESC, hash"
        ))
        .bind(channel_id)
        .bind(admin_id)
        .bind(i64::from(revoked))
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(invite_from_row).collect()
    }

    pub(super) async fn channel_use_invite(
        &self,
        hash: &str,
        user_id: i64,
        date: i64,
        hide_history: bool,
    ) -> StorageResult<InviteUse> {
        let Some(invite) = self.channel_invite(hash).await? else {
            return Ok(InviteUse::NotJoined);
        };
        // Take one use first, atomically against the limit, so concurrent joins cannot
        // overshoot it.
        let taken = sqlx::query(
            "UPDATE channel_invites SET usage_count = usage_count + 1 \
             WHERE hash = ? AND (usage_limit = 0 OR usage_count < usage_limit)",
        )
        .bind(hash)
        .execute(&self.pool)
        .await?;
        if taken.rows_affected() == 0 {
            return Ok(InviteUse::LimitReached);
        }
        let joined = self
            .join(
                invite.channel_id,
                user_id,
                invite.admin_id,
                date,
                hide_history,
            )
            .await;
        if !matches!(joined, Ok(true)) {
            sqlx::query(
                "UPDATE channel_invites SET usage_count = usage_count - 1 \
                 WHERE hash = ? AND usage_count > 0",
            )
            .bind(hash)
            .execute(&self.pool)
            .await?;
        }
        if !joined? {
            return Ok(InviteUse::NotJoined);
        }
        self.channel_add_invite_importer(InviteImporterRecord {
            channel_id: invite.channel_id,
            hash: hash.to_owned(),
            user_id,
            date,
            approved_by: 0,
        })
        .await?;
        Ok(InviteUse::Joined)
    }

    pub(super) async fn channel_add_invite_importer(
        &self,
        importer: InviteImporterRecord,
    ) -> StorageResult<()> {
        // Delete-then-insert: the same in both dialects, and a rejoin keeps only its newest
        // date.
        let mut tx = self.pool.begin().await?;
        sqlx::query("DELETE FROM channel_invite_importers WHERE hash = ? AND user_id = ?")
            .bind(importer.hash.as_str())
            .bind(importer.user_id)
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "INSERT INTO channel_invite_importers (hash, user_id, channel_id, date, approved_by) \
             VALUES (?, ?, ?, ?, ?)",
        )
        .bind(importer.hash.as_str())
        .bind(importer.user_id)
        .bind(importer.channel_id)
        .bind(importer.date)
        .bind(importer.approved_by)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    pub(super) async fn channel_invite_importers(
        &self,
        channel_id: i64,
        hash: Option<&str>,
        before: Option<(i64, i64)>,
        limit: usize,
    ) -> StorageResult<Vec<InviteImporterRecord>> {
        let mut sql = String::from(
            "SELECT hash, user_id, channel_id, date, approved_by FROM channel_invite_importers \
             WHERE channel_id = ?",
        );
        if hash.is_some() {
            sql.push_str(" AND hash = ?");
        }
        if before.is_some() {
            sql.push_str(" AND (date < ? OR (date = ? AND user_id < ?))");
        }
        sql.push_str(" ORDER BY date DESC, user_id DESC LIMIT ?");
        let mut query = sqlx::query(&sql).bind(channel_id);
        if let Some(hash) = hash {
            query = query.bind(hash);
        }
        if let Some((date, user_id)) = before {
            query = query.bind(date).bind(date).bind(user_id);
        }
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let rows = query.bind(limit).fetch_all(&self.pool).await?;
        rows.iter()
            .map(|row| {
                Ok(InviteImporterRecord {
                    channel_id: i64_col(row, "channel_id")?,
                    hash: text_col(row, "hash")?,
                    user_id: i64_col(row, "user_id")?,
                    date: i64_col(row, "date")?,
                    approved_by: i64_col(row, "approved_by")?,
                })
            })
            .collect()
    }

    pub(super) async fn channel_add_join_request(
        &self,
        request: JoinRequestRecord,
    ) -> StorageResult<bool> {
        let inserted = sqlx::query(
            "INSERT INTO channel_join_requests (channel_id, user_id, invite_hash, date) \
             VALUES (?, ?, ?, ?)",
        )
        .bind(request.channel_id)
        .bind(request.user_id)
        .bind(request.invite_hash.as_str())
        .bind(request.date)
        .execute(&self.pool)
        .await;
        match inserted.map_err(StorageError::from) {
            Ok(_) => Ok(true),
            Err(StorageError::Conflict(_)) => Ok(false),
            Err(e) => Err(e),
        }
    }

    pub(super) async fn channel_join_request(
        &self,
        channel_id: i64,
        user_id: i64,
    ) -> StorageResult<Option<JoinRequestRecord>> {
        let row = sqlx::query(
            "SELECT channel_id, user_id, invite_hash, date FROM channel_join_requests \
             WHERE channel_id = ? AND user_id = ?",
        )
        .bind(channel_id)
        .bind(user_id)
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(request_from_row).transpose()
    }

    pub(super) async fn channel_remove_join_request(
        &self,
        channel_id: i64,
        user_id: i64,
    ) -> StorageResult<bool> {
        let done =
            sqlx::query("DELETE FROM channel_join_requests WHERE channel_id = ? AND user_id = ?")
                .bind(channel_id)
                .bind(user_id)
                .execute(&self.pool)
                .await?;
        Ok(done.rows_affected() > 0)
    }

    pub(super) async fn channel_join_requests(
        &self,
        channel_id: i64,
    ) -> StorageResult<Vec<JoinRequestRecord>> {
        let rows = sqlx::query(
            "SELECT channel_id, user_id, invite_hash, date FROM channel_join_requests \
             WHERE channel_id = ? ORDER BY date, user_id",
        )
        .bind(channel_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(request_from_row).collect()
    }

    pub(super) async fn channel_edit_invite(
        &self,
        channel_id: i64,
        hash: &str,
        edit: InviteEdit,
    ) -> StorageResult<Option<ChannelInviteRecord>> {
        let done = sqlx::query(
            "UPDATE channel_invites SET expire_date = ?, usage_limit = ?, request_needed = ?, \
             title = ? WHERE hash = ? AND channel_id = ? AND revoked = 0",
        )
        .bind(edit.expire_date)
        .bind(i64::from(edit.usage_limit))
        .bind(i64::from(edit.request_needed))
        .bind(edit.title)
        .bind(hash)
        .bind(channel_id)
        .execute(&self.pool)
        .await?;
        if done.rows_affected() == 0 {
            // MySQL counts only changed rows: an edit to the same values still finds it.
            return Ok(self
                .channel_invite(hash)
                .await?
                .filter(|i| i.channel_id == channel_id && !i.revoked));
        }
        self.channel_invite(hash).await
    }
}
