//! Admin rights, bans, toggles and pins of channels on SQL (core.telegram.org/api/rights,
//! /api/pin); see `crate::channel_moderation` for how participant rows encode them.

use super::channels::int_col;
use super::dialect::placeholders;
use super::rows::opt_i64_col;
use super::{retry_busy, SqlStore};
use crate::channel_moderation::{
    AdminGrant, BanGrant, ChannelToggle, PinChange, PIN_BODY, UNPIN_BODY,
};
use crate::channels::{ChannelRole, ChannelStore, ChannelUpdateKind};
use crate::error::{StorageError, StorageResult};

impl SqlStore {
    pub(super) async fn set_channel_admin(
        &self,
        channel_id: i64,
        user_id: i64,
        grant: Option<AdminGrant>,
    ) -> StorageResult<bool> {
        let done =
            match grant {
                // Promotion lifts any restriction (core.telegram.org/api/rights).
                Some(g) => sqlx::query(
                    "UPDATE channel_participants SET role = ?, admin_rights = ?, promoted_by = ?, \
                     rank_title = ?, banned_rights = NULL, banned_until = 0, kicked_by = 0 \
                     WHERE channel_id = ? AND user_id = ? AND role IN (?, ?)",
                )
                .bind(ChannelRole::Admin.code())
                .bind(g.rights)
                .bind(g.promoted_by)
                .bind(g.rank)
                .bind(channel_id)
                .bind(user_id)
                .bind(ChannelRole::Admin.code())
                .bind(ChannelRole::Member.code())
                .execute(&self.pool)
                .await?,
                None => {
                    sqlx::query(
                        "UPDATE channel_participants SET role = ?, admin_rights = NULL, \
                     promoted_by = 0, rank_title = NULL \
                     WHERE channel_id = ? AND user_id = ? AND role = ?",
                    )
                    .bind(ChannelRole::Member.code())
                    .bind(channel_id)
                    .bind(user_id)
                    .bind(ChannelRole::Admin.code())
                    .execute(&self.pool)
                    .await?
                }
            };
        Ok(done.rows_affected() > 0)
    }

    pub(super) async fn set_channel_banned(
        &self,
        channel_id: i64,
        user_id: i64,
        ban: Option<BanGrant>,
    ) -> StorageResult<bool> {
        let Some(current) = self.participant(channel_id, user_id).await? else {
            let Some(ban) = ban.filter(|b| b.kicked) else {
                return Ok(false);
            };
            // Kicking someone who never joined still keeps them out.
            let inserted = sqlx::query(
                "INSERT INTO channel_participants (channel_id, user_id, inviter_id, date, role, \
                 banned_rights, banned_until, kicked_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            )
            .bind(channel_id)
            .bind(user_id)
            .bind(ban.banned_by)
            .bind(ban.date)
            .bind(ChannelRole::Banned.code())
            .bind(ban.rights)
            .bind(ban.until)
            .bind(ban.banned_by)
            .execute(&self.pool)
            .await;
            return match inserted.map_err(StorageError::from) {
                Ok(_) => Ok(true),
                Err(StorageError::Conflict(_)) => Ok(false),
                Err(e) => Err(e),
            };
        };
        if current.role == ChannelRole::Creator {
            return Ok(false);
        }
        let done = match ban {
            Some(b) => {
                // Kicked: not a member any more; restricted: still a member.
                let role = if b.kicked {
                    ChannelRole::Banned
                } else if current.role == ChannelRole::Banned || current.role == ChannelRole::Left {
                    current.role
                } else {
                    ChannelRole::Member
                };
                sqlx::query(
                    "UPDATE channel_participants SET role = ?, admin_rights = NULL, \
                     promoted_by = 0, banned_rights = ?, banned_until = ?, kicked_by = ? \
                     WHERE channel_id = ? AND user_id = ? AND role <> ?",
                )
                .bind(role.code())
                .bind(b.rights)
                .bind(b.until)
                .bind(b.banned_by)
                .bind(channel_id)
                .bind(user_id)
                .bind(ChannelRole::Creator.code())
                .execute(&self.pool)
                .await?
            }
            None => {
                // Lifting a kick leaves the user outside (left), free to join again.
                let role = if current.role == ChannelRole::Banned {
                    ChannelRole::Left
                } else {
                    current.role
                };
                sqlx::query(
                    "UPDATE channel_participants SET role = ?, banned_rights = NULL, \
                     banned_until = 0, kicked_by = 0 \
                     WHERE channel_id = ? AND user_id = ? AND role <> ?",
                )
                .bind(role.code())
                .bind(channel_id)
                .bind(user_id)
                .bind(ChannelRole::Creator.code())
                .execute(&self.pool)
                .await?
            }
        };
        self.recount(channel_id).await?;
        Ok(done.rows_affected() > 0)
    }

    pub(super) async fn set_channel_default_banned(
        &self,
        channel_id: i64,
        rights: &[u8],
    ) -> StorageResult<bool> {
        let done = sqlx::query("UPDATE channels SET default_banned_rights = ? WHERE id = ?")
            .bind(rights.to_vec())
            .bind(channel_id)
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected() > 0)
    }

    pub(super) async fn toggle_channel(
        &self,
        channel_id: i64,
        toggle: ChannelToggle,
    ) -> StorageResult<bool> {
        let (column, value) = match toggle {
            ChannelToggle::Signatures(on) => ("signatures", i64::from(on)),
            ChannelToggle::PreHistoryHidden(on) => ("pre_history_hidden", i64::from(on)),
            ChannelToggle::SlowModeSeconds(s) => ("slowmode_seconds", i64::from(s)),
        };
        let done = sqlx::query(&format!("UPDATE channels SET {column} = ? WHERE id = ?"))
            .bind(value)
            .bind(channel_id)
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected() > 0)
    }

    pub(super) async fn channel_last_post_date(
        &self,
        channel_id: i64,
        user_id: i64,
    ) -> StorageResult<Option<i64>> {
        // Service messages (joins, pins) do not count against slow mode.
        let row = sqlx::query(
            "SELECT MAX(date) AS last FROM channel_messages \
             WHERE channel_id = ? AND from_id = ? AND deleted = 0 AND LENGTH(action) = 0",
        )
        .bind(channel_id)
        .bind(user_id)
        .fetch_one(&self.pool)
        .await?;
        opt_i64_col(&row, "last")
    }

    async fn try_set_pinned(
        &self,
        channel_id: i64,
        ids: &[i32],
        pinned: bool,
        date: i64,
    ) -> StorageResult<PinChange> {
        if ids.is_empty() {
            return Ok(PinChange::default());
        }
        let mut tx = self.pool.begin().await?;
        // Lock the channel row first (the counters serialize writers, see channel_messages).
        sqlx::query("UPDATE channels SET pts = pts WHERE id = ?")
            .bind(channel_id)
            .execute(&mut *tx)
            .await?;
        let select = format!(
            "SELECT message_id FROM channel_messages WHERE channel_id = ? AND deleted = 0 \
             AND pinned = ? AND message_id IN ({}) ORDER BY message_id",
            placeholders(ids.len())
        );
        let mut query = sqlx::query(&select)
            .bind(channel_id)
            .bind(i64::from(!pinned));
        for id in ids {
            query = query.bind(i64::from(*id));
        }
        let mut changed = Vec::new();
        for row in query.fetch_all(&mut *tx).await? {
            changed.push(int_col(&row, "message_id")?);
        }
        if changed.is_empty() {
            tx.rollback().await?;
            let pts = self
                .get(channel_id)
                .await?
                .ok_or(StorageError::NotFound)?
                .pts;
            return Ok(PinChange {
                ids: Vec::new(),
                pts,
                pts_count: 0,
            });
        }
        sqlx::query(
            "UPDATE channels SET pts = pts + 1, \
             last_update_date = CASE WHEN ? > last_update_date THEN ? ELSE last_update_date END \
             WHERE id = ?",
        )
        .bind(date)
        .bind(date)
        .bind(channel_id)
        .execute(&mut *tx)
        .await?;
        let row = sqlx::query("SELECT pts FROM channels WHERE id = ?")
            .bind(channel_id)
            .fetch_one(&mut *tx)
            .await?;
        let pts = int_col(&row, "pts")?;
        let update = format!(
            "UPDATE channel_messages SET pinned = ? WHERE channel_id = ? AND message_id IN ({})",
            placeholders(changed.len())
        );
        let mut query = sqlx::query(&update)
            .bind(i64::from(pinned))
            .bind(channel_id);
        for id in &changed {
            query = query.bind(i64::from(*id));
        }
        query.execute(&mut *tx).await?;
        let ids_text = changed
            .iter()
            .map(i32::to_string)
            .collect::<Vec<_>>()
            .join(",");
        sqlx::query(
            "INSERT INTO channel_updates (channel_id, pts, pts_count, date, kind, message_ids, \
             body) VALUES (?, ?, 1, ?, ?, ?, ?)",
        )
        .bind(channel_id)
        .bind(i64::from(pts))
        .bind(date)
        .bind(ChannelUpdateKind::Other.code())
        .bind(ids_text)
        .bind(if pinned { PIN_BODY } else { UNPIN_BODY }.to_vec())
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(PinChange {
            ids: changed,
            pts,
            pts_count: 1,
        })
    }

    pub(super) async fn set_channel_pinned(
        &self,
        channel_id: i64,
        ids: &[i32],
        pinned: bool,
        date: i64,
    ) -> StorageResult<PinChange> {
        retry_busy(|| self.try_set_pinned(channel_id, ids, pinned, date)).await
    }

    pub(super) async fn channel_pinned_ids(&self, channel_id: i64) -> StorageResult<Vec<i32>> {
        let rows = sqlx::query(
            "SELECT message_id FROM channel_messages WHERE channel_id = ? AND pinned = 1 \
             AND deleted = 0 ORDER BY message_id DESC",
        )
        .bind(channel_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(|row| int_col(row, "message_id")).collect()
    }

    pub(super) async fn view_channel_messages(
        &self,
        channel_id: i64,
        ids: &[i32],
        viewer: i64,
    ) -> StorageResult<Vec<(i32, i32)>> {
        let live = self.messages(channel_id, ids).await?;
        let mut out = Vec::with_capacity(live.len());
        for m in live {
            let inserted = sqlx::query(
                "INSERT INTO channel_message_views (channel_id, message_id, user_id) \
                 VALUES (?, ?, ?)",
            )
            .bind(channel_id)
            .bind(i64::from(m.id))
            .bind(viewer)
            .execute(&self.pool)
            .await;
            let first_view = match inserted.map_err(StorageError::from) {
                Ok(_) => true,
                // Viewed before: counted already.
                Err(StorageError::Conflict(_)) => false,
                Err(e) => return Err(e),
            };
            if first_view {
                sqlx::query(
                    "UPDATE channel_messages SET views = views + 1 \
                     WHERE channel_id = ? AND message_id = ?",
                )
                .bind(channel_id)
                .bind(i64::from(m.id))
                .execute(&self.pool)
                .await?;
            }
            let row = sqlx::query(
                "SELECT views FROM channel_messages WHERE channel_id = ? AND message_id = ?",
            )
            .bind(channel_id)
            .bind(i64::from(m.id))
            .fetch_one(&self.pool)
            .await?;
            out.push((m.id, int_col(&row, "views")?));
        }
        Ok(out)
    }

    pub(super) async fn mark_channel_deleted(&self, channel_id: i64) -> StorageResult<bool> {
        let done = sqlx::query("UPDATE channels SET deleted = 1 WHERE id = ? AND deleted = 0")
            .bind(channel_id)
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected() > 0)
    }

    pub(super) async fn hide_channel_history(
        &self,
        channel_id: i64,
        user_id: i64,
        max_id: i32,
    ) -> StorageResult<bool> {
        let done = sqlx::query(
            "UPDATE channel_participants SET available_min_id = ? \
             WHERE channel_id = ? AND user_id = ? AND available_min_id < ?",
        )
        .bind(i64::from(max_id))
        .bind(channel_id)
        .bind(user_id)
        .bind(i64::from(max_id))
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() > 0)
    }
}
