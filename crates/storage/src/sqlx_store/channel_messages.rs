//! Channel messages, the channel update log and read positions on SQL
//! (core.telegram.org/api/updates "channel pts", /method/updates.getChannelDifference,
//! /api/offsets); see `crate::channels`.
//!
//! Every change bumps the channel row first — `pts`, and `max_message_id` for a post — in
//! the transaction that writes the message and its log entry: the bump allocates the
//! numbers and serializes concurrent writers of one channel (a row lock on MySQL, the write
//! lock on SQLite), so ids and pts are gap-free and one write serves every member.

use sqlx::any::AnyRow;

use super::box_writes::AnyTransaction;
use super::channels::int_col;
use super::dialect::placeholders;
use super::rows::{bool_col, bytes_col, i64_col, opt_i64_col, opt_text_col, text_col};
use super::{retry_busy, SqlStore};
use crate::channels::{
    ChannelDeleted, ChannelEdit, ChannelMessage, ChannelRead, ChannelUpdate, ChannelUpdateKind,
    NewChannelMessage, Posted,
};
use crate::error::{StorageError, StorageResult};
use crate::history::{Boundary, HistoryPlan, Slice};
use crate::types::HistoryQuery;

const COLUMNS: &str = "channel_id, message_id, from_id, date, message, entities, media, action, \
     reply_to_msg_id, random_id, fwd, post, post_author, grouped_id, pinned, views, edit_date, \
     pts, deleted";

fn message_from_row(row: &AnyRow) -> StorageResult<ChannelMessage> {
    let reply = opt_i64_col(row, "reply_to_msg_id")?;
    Ok(ChannelMessage {
        channel_id: i64_col(row, "channel_id")?,
        id: int_col(row, "message_id")?,
        from_id: i64_col(row, "from_id")?,
        date: i64_col(row, "date")?,
        message: text_col(row, "message")?,
        entities: bytes_col(row, "entities")?,
        media: bytes_col(row, "media")?,
        action: bytes_col(row, "action")?,
        reply_to_msg_id: reply.and_then(|r| i32::try_from(r).ok()),
        random_id: opt_i64_col(row, "random_id")?,
        fwd: bytes_col(row, "fwd")?,
        post: bool_col(row, "post")?,
        post_author: opt_text_col(row, "post_author")?,
        grouped_id: opt_i64_col(row, "grouped_id")?,
        pinned: bool_col(row, "pinned")?,
        views: int_col(row, "views")?,
        edit_date: opt_i64_col(row, "edit_date")?,
        pts: int_col(row, "pts")?,
        deleted: bool_col(row, "deleted")?,
    })
}

fn encode_ids(ids: &[i32]) -> String {
    ids.iter().map(i32::to_string).collect::<Vec<_>>().join(",")
}

fn decode_ids(text: &str) -> Vec<i32> {
    text.split(',').filter_map(|s| s.parse().ok()).collect()
}

/// The channel's counters after a bump.
struct Bumped {
    pts: i32,
    max_message_id: i32,
}

impl SqlStore {
    /// Advances the channel's pts by `pts_by` and max message id by `ids_by`; must be the
    /// first statement of its transaction. NotFound when there is no such channel.
    async fn bump_channel(
        &self,
        tx: &mut AnyTransaction<'static>,
        channel_id: i64,
        pts_by: i32,
        ids_by: i32,
        date: i64,
    ) -> StorageResult<Bumped> {
        let done = sqlx::query(
            "UPDATE channels SET pts = pts + ?, max_message_id = max_message_id + ?, \
             last_update_date = CASE WHEN ? > last_update_date THEN ? ELSE last_update_date END \
             WHERE id = ?",
        )
        .bind(i64::from(pts_by))
        .bind(i64::from(ids_by))
        .bind(date)
        .bind(date)
        .bind(channel_id)
        .execute(&mut **tx)
        .await?;
        if done.rows_affected() == 0 {
            return Err(StorageError::NotFound);
        }
        let row = sqlx::query("SELECT pts, max_message_id FROM channels WHERE id = ?")
            .bind(channel_id)
            .fetch_one(&mut **tx)
            .await?;
        Ok(Bumped {
            pts: int_col(&row, "pts")?,
            max_message_id: int_col(&row, "max_message_id")?,
        })
    }

    #[allow(clippy::too_many_arguments)]
    async fn log_channel_update(
        &self,
        tx: &mut AnyTransaction<'static>,
        channel_id: i64,
        pts: i32,
        pts_count: i32,
        date: i64,
        kind: ChannelUpdateKind,
        ids: &[i32],
    ) -> StorageResult<()> {
        sqlx::query(
            "INSERT INTO channel_updates (channel_id, pts, pts_count, date, kind, message_ids, body) \
             VALUES (?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(channel_id)
        .bind(i64::from(pts))
        .bind(i64::from(pts_count))
        .bind(date)
        .bind(kind.code())
        .bind(encode_ids(ids))
        .bind(Vec::<u8>::new())
        .execute(&mut **tx)
        .await?;
        Ok(())
    }

    async fn by_random_id(
        &self,
        channel_id: i64,
        from_id: i64,
        random_id: i64,
    ) -> StorageResult<Option<ChannelMessage>> {
        let row = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM channel_messages \
             WHERE channel_id = ? AND from_id = ? AND random_id = ?"
        ))
        .bind(channel_id)
        .bind(from_id)
        .bind(random_id)
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(message_from_row).transpose()
    }

    async fn try_post(&self, channel_id: i64, m: &NewChannelMessage) -> StorageResult<Posted> {
        let mut tx = self.pool.begin().await?;
        let message = self.insert_post(&mut tx, channel_id, m).await?;
        tx.commit().await?;
        Ok(Posted {
            message,
            created: true,
        })
    }

    /// Allocates the next id and pts of the channel and stores `m` with its log entry, inside
    /// the caller's transaction (whose first statement this must be, see `bump_channel`).
    pub(super) async fn insert_post(
        &self,
        tx: &mut AnyTransaction<'static>,
        channel_id: i64,
        m: &NewChannelMessage,
    ) -> StorageResult<ChannelMessage> {
        let bumped = self.bump_channel(tx, channel_id, 1, 1, m.date).await?;
        let id = bumped.max_message_id;
        sqlx::query(&format!(
            "INSERT INTO channel_messages ({COLUMNS}) \
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, 0, NULL, ?, 0)"
        ))
        .bind(channel_id)
        .bind(i64::from(id))
        .bind(m.from_id)
        .bind(m.date)
        .bind(m.message.as_str())
        .bind(m.entities.clone())
        .bind(m.media.clone())
        .bind(m.action.clone())
        .bind(m.reply_to_msg_id.map(i64::from))
        .bind(m.random_id)
        .bind(m.fwd.clone())
        .bind(i64::from(m.post))
        .bind(m.post_author.clone())
        .bind(m.grouped_id)
        .bind(i64::from(bumped.pts))
        .execute(&mut **tx)
        .await?;
        self.log_channel_update(
            tx,
            channel_id,
            bumped.pts,
            1,
            m.date,
            ChannelUpdateKind::NewMessage,
            &[id],
        )
        .await?;
        Ok(ChannelMessage {
            channel_id,
            id,
            from_id: m.from_id,
            date: m.date,
            message: m.message.clone(),
            entities: m.entities.clone(),
            media: m.media.clone(),
            action: m.action.clone(),
            reply_to_msg_id: m.reply_to_msg_id,
            random_id: m.random_id,
            fwd: m.fwd.clone(),
            post: m.post,
            post_author: m.post_author.clone(),
            grouped_id: m.grouped_id,
            pinned: false,
            views: 0,
            edit_date: None,
            pts: bumped.pts,
            deleted: false,
        })
    }

    pub(super) async fn post_message(
        &self,
        channel_id: i64,
        m: NewChannelMessage,
    ) -> StorageResult<Posted> {
        if let Some(random_id) = m.random_id {
            if let Some(existing) = self.by_random_id(channel_id, m.from_id, random_id).await? {
                return Ok(Posted {
                    message: existing,
                    created: false,
                });
            }
        }
        match retry_busy(|| self.try_post(channel_id, &m)).await {
            // The same retry raced us past the check above.
            Err(StorageError::Conflict(reason)) => match m.random_id {
                Some(random_id) => self
                    .by_random_id(channel_id, m.from_id, random_id)
                    .await?
                    .map(|message| Posted {
                        message,
                        created: false,
                    })
                    .ok_or(StorageError::Conflict(reason)),
                None => Err(StorageError::Conflict(reason)),
            },
            other => other,
        }
    }

    async fn try_edit_channel(
        &self,
        channel_id: i64,
        id: i32,
        edit: &ChannelEdit,
    ) -> StorageResult<Option<ChannelMessage>> {
        let exists = self.channel_messages_by_id(channel_id, &[id]).await?;
        if exists.is_empty() {
            return Ok(None);
        }
        let mut tx = self.pool.begin().await?;
        let bumped = self
            .bump_channel(&mut tx, channel_id, 1, 0, edit.edit_date)
            .await?;
        let done = sqlx::query(
            "UPDATE channel_messages SET message = ?, entities = ?, media = ?, edit_date = ?, \
             pts = ? WHERE channel_id = ? AND message_id = ? AND deleted = 0",
        )
        .bind(edit.message.as_str())
        .bind(edit.entities.clone())
        .bind(edit.media.clone())
        .bind(edit.edit_date)
        .bind(i64::from(bumped.pts))
        .bind(channel_id)
        .bind(i64::from(id))
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() == 0 {
            // Deleted meanwhile: give the pts back by rolling back.
            tx.rollback().await?;
            return Ok(None);
        }
        self.log_channel_update(
            &mut tx,
            channel_id,
            bumped.pts,
            1,
            edit.edit_date,
            ChannelUpdateKind::EditMessage,
            &[id],
        )
        .await?;
        tx.commit().await?;
        Ok(self
            .channel_messages_by_id(channel_id, &[id])
            .await?
            .into_iter()
            .next())
    }

    pub(super) async fn edit_channel_message(
        &self,
        channel_id: i64,
        id: i32,
        edit: ChannelEdit,
    ) -> StorageResult<Option<ChannelMessage>> {
        retry_busy(|| self.try_edit_channel(channel_id, id, &edit)).await
    }

    async fn try_delete_channel(
        &self,
        channel_id: i64,
        ids: &[i32],
        date: i64,
    ) -> StorageResult<ChannelDeleted> {
        let live: Vec<i32> = self
            .channel_messages_by_id(channel_id, ids)
            .await?
            .iter()
            .map(|m| m.id)
            .collect();
        if live.is_empty() {
            let pts = self.channel_pts(channel_id).await?;
            return Ok(ChannelDeleted {
                deleted_ids: Vec::new(),
                pts,
                pts_count: 0,
            });
        }
        let count = i32::try_from(live.len()).unwrap_or(i32::MAX);
        let mut tx = self.pool.begin().await?;
        let bumped = self
            .bump_channel(&mut tx, channel_id, count, 0, date)
            .await?;
        let sql = format!(
            "UPDATE channel_messages SET deleted = 1 WHERE channel_id = ? AND deleted = 0 \
             AND message_id IN ({})",
            placeholders(live.len())
        );
        let mut query = sqlx::query(&sql).bind(channel_id);
        for id in &live {
            query = query.bind(i64::from(*id));
        }
        let done = query.execute(&mut *tx).await?;
        if done.rows_affected() != live.len() as u64 {
            // Someone deleted some of them meanwhile: start over with what is left.
            tx.rollback().await?;
            return Err(StorageError::Busy("concurrent channel delete".into()));
        }
        self.log_channel_update(
            &mut tx,
            channel_id,
            bumped.pts,
            count,
            date,
            ChannelUpdateKind::DeleteMessages,
            &live,
        )
        .await?;
        tx.commit().await?;
        Ok(ChannelDeleted {
            deleted_ids: live,
            pts: bumped.pts,
            pts_count: count,
        })
    }

    pub(super) async fn delete_channel_messages(
        &self,
        channel_id: i64,
        ids: &[i32],
        date: i64,
    ) -> StorageResult<ChannelDeleted> {
        let mut wanted: Vec<i32> = ids.iter().copied().filter(|id| *id > 0).collect();
        wanted.sort_unstable();
        wanted.dedup();
        wanted.truncate(100);
        retry_busy(|| self.try_delete_channel(channel_id, &wanted, date)).await
    }

    async fn channel_pts(&self, channel_id: i64) -> StorageResult<i32> {
        let row = sqlx::query("SELECT pts FROM channels WHERE id = ?")
            .bind(channel_id)
            .fetch_optional(&self.pool)
            .await?
            .ok_or(StorageError::NotFound)?;
        int_col(&row, "pts")
    }

    pub(super) async fn channel_messages_by_id(
        &self,
        channel_id: i64,
        ids: &[i32],
    ) -> StorageResult<Vec<ChannelMessage>> {
        let mut wanted = ids.to_vec();
        wanted.sort_unstable();
        wanted.dedup();
        let mut out = Vec::with_capacity(wanted.len());
        for chunk in wanted.chunks(100) {
            let sql = format!(
                "SELECT {COLUMNS} FROM channel_messages WHERE channel_id = ? AND deleted = 0 \
                 AND message_id IN ({}) ORDER BY message_id",
                placeholders(chunk.len())
            );
            let mut query = sqlx::query(&sql).bind(channel_id);
            for id in chunk {
                query = query.bind(i64::from(*id));
            }
            for row in query.fetch_all(&self.pool).await? {
                out.push(message_from_row(&row)?);
            }
        }
        Ok(out)
    }

    async fn channel_history_side(
        &self,
        channel_id: i64,
        filter: &str,
        values: &[i64],
        ascending: bool,
        slice: Slice,
    ) -> StorageResult<Vec<ChannelMessage>> {
        let order = if ascending { "ASC" } else { "DESC" };
        let sql = format!(
            "SELECT {COLUMNS} FROM channel_messages WHERE channel_id = ? AND deleted = 0{filter} \
             ORDER BY message_id {order} LIMIT ? OFFSET ?"
        );
        let mut query = sqlx::query(&sql).bind(channel_id);
        for value in values {
            query = query.bind(*value);
        }
        let rows = query
            .bind(slice.limit)
            .bind(slice.offset)
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(message_from_row).collect()
    }

    pub(super) async fn channel_history(
        &self,
        channel_id: i64,
        min_visible_id: i32,
        query: HistoryQuery,
    ) -> StorageResult<Vec<ChannelMessage>> {
        let plan = HistoryPlan::new(&query);
        let mut filter = String::from(" AND message_id > ?");
        let mut extra = vec![i64::from(min_visible_id.max(query.min_id).max(0))];
        if query.max_id > 0 {
            filter.push_str(" AND message_id < ?");
            extra.push(i64::from(query.max_id));
        }
        let (newer_cond, older_cond, bound) = match plan.boundary {
            Boundary::None => ("", "", None),
            Boundary::Id(id) => (
                " AND message_id >= ?",
                " AND message_id < ?",
                Some(i64::from(id)),
            ),
            Boundary::Date(date) => (" AND date >= ?", " AND date < ?", Some(date)),
        };
        let with_bound = |cond: &str| {
            let mut values = extra.clone();
            values.extend(bound);
            (format!("{filter}{cond}"), values)
        };
        let mut page = Vec::new();
        if let (Some(slice), Some(_)) = (plan.newer, bound) {
            let (sql, values) = with_bound(newer_cond);
            let mut newer = self
                .channel_history_side(channel_id, &sql, &values, true, slice)
                .await?;
            newer.reverse();
            page.append(&mut newer);
        }
        if let Some(slice) = plan.older {
            let (sql, values) = with_bound(older_cond);
            page.append(
                &mut self
                    .channel_history_side(channel_id, &sql, &values, false, slice)
                    .await?,
            );
        }
        Ok(page)
    }

    /// Live messages after `after_id`; with `not_from`, only those others sent.
    pub(super) async fn count_channel_messages(
        &self,
        channel_id: i64,
        after_id: i32,
        not_from: Option<i64>,
    ) -> StorageResult<i64> {
        let from_filter = if not_from.is_some() {
            " AND from_id <> ?"
        } else {
            ""
        };
        let sql = format!(
            "SELECT COUNT(*) AS n FROM channel_messages WHERE channel_id = ? AND deleted = 0 \
             AND message_id > ?{from_filter}"
        );
        let mut query = sqlx::query(&sql).bind(channel_id).bind(i64::from(after_id));
        if let Some(user) = not_from {
            query = query.bind(user);
        }
        i64_col(&query.fetch_one(&self.pool).await?, "n")
    }

    pub(super) async fn channel_top_message(
        &self,
        channel_id: i64,
        min_visible_id: i32,
    ) -> StorageResult<Option<ChannelMessage>> {
        let row = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM channel_messages WHERE channel_id = ? AND deleted = 0 \
             AND message_id > ? ORDER BY message_id DESC LIMIT 1"
        ))
        .bind(channel_id)
        .bind(i64::from(min_visible_id))
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(message_from_row).transpose()
    }

    pub(super) async fn channel_updates_after(
        &self,
        channel_id: i64,
        after: i32,
        limit: i64,
    ) -> StorageResult<Vec<ChannelUpdate>> {
        let rows = sqlx::query(
            "SELECT pts, pts_count, date, kind, message_ids, body FROM channel_updates \
             WHERE channel_id = ? AND pts > ? ORDER BY pts LIMIT ?",
        )
        .bind(channel_id)
        .bind(i64::from(after))
        .bind(limit.max(1))
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                Ok(ChannelUpdate {
                    pts: int_col(row, "pts")?,
                    pts_count: int_col(row, "pts_count")?,
                    date: i64_col(row, "date")?,
                    kind: ChannelUpdateKind::from_code(i64_col(row, "kind")?),
                    message_ids: decode_ids(&text_col(row, "message_ids")?),
                    body: bytes_col(row, "body")?,
                })
            })
            .collect()
    }

    pub(super) async fn channel_read_inbox(
        &self,
        channel_id: i64,
        user_id: i64,
        max_id: i32,
    ) -> StorageResult<ChannelRead> {
        // Never past the newest message, never backwards.
        let done = sqlx::query(
            "UPDATE channel_participants SET read_inbox_max_id = \
             (SELECT CASE WHEN ? < c.max_message_id THEN ? ELSE c.max_message_id END \
              FROM channels c WHERE c.id = ?) \
             WHERE channel_id = ? AND user_id = ? AND read_inbox_max_id < ?",
        )
        .bind(i64::from(max_id))
        .bind(i64::from(max_id))
        .bind(channel_id)
        .bind(channel_id)
        .bind(user_id)
        .bind(i64::from(max_id))
        .execute(&self.pool)
        .await?;
        let row = sqlx::query(
            "SELECT read_inbox_max_id FROM channel_participants WHERE channel_id = ? AND user_id = ?",
        )
        .bind(channel_id)
        .bind(user_id)
        .fetch_optional(&self.pool)
        .await?
        .ok_or(StorageError::NotFound)?;
        let now_at = int_col(&row, "read_inbox_max_id")?;
        let still = self
            .count_channel_messages(channel_id, now_at, Some(user_id))
            .await?;
        Ok(ChannelRead {
            max_id: now_at,
            still_unread: i32::try_from(still).unwrap_or(i32::MAX),
            changed: done.rows_affected() > 0,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::{decode_ids, encode_ids};

    #[test]
    fn ids_round_trip() {
        assert_eq!(decode_ids(&encode_ids(&[1, 20, 300])), vec![1, 20, 300]);
        assert!(decode_ids(&encode_ids(&[])).is_empty());
    }
}
