//! The updates log on SQL (core.telegram.org/api/updates): the `UpdateLogStore` trait, the
//! reads getDifference and message links need, and the log append every logged write uses
//! (the writes themselves are in `logged_writes`). Tables and semantics:
//! `crate::updates_log`.
//!
//! Every write transaction starts with `bump_counters` (see `box_writes`), which takes the
//! box's row lock before anything is read, so pts values are allocated and logged in order.

use std::sync::Arc;

use async_trait::async_trait;
use sqlx::Row;

use super::box_writes::AnyTransaction;
use super::dialect::placeholders;
use super::messages::IN_CHUNK;
use super::rows::{i32_col, i64_col};
use super::{retry_busy, SqlStore};
use crate::error::StorageResult;
use crate::types::{AppendOutcome, BoxMessage, DeleteOutcome, MessageEdit, NewBoxMessage, Peer};
use crate::updates_log::{
    LoggedUpdate, MessageLink, MessageOrigin, ReadOutcome, UpdateEncoder, UpdateKind,
    UpdateLogStore,
};

/// Largest page `updates_after` returns.
const LOG_PAGE_MAX: i32 = 1000;

impl SqlStore {
    pub(super) async fn log_entry(
        &self,
        tx: &mut AnyTransaction<'static>,
        entry: (i64, i32, i32, i64, UpdateKind),
        body: Vec<u8>,
    ) -> StorageResult<()> {
        let (user_id, pts, pts_count, date, kind) = entry;
        sqlx::query(
            "INSERT INTO user_updates (user_id, pts, pts_count, date, kind, body) \
             VALUES (?, ?, ?, ?, ?, ?)",
        )
        .bind(user_id)
        .bind(pts)
        .bind(pts_count)
        .bind(date)
        .bind(kind.code())
        .bind(body)
        .execute(&mut **tx)
        .await?;
        Ok(())
    }

    async fn links_where(
        &self,
        filter: &str,
        first: i64,
        ids: &[i32],
    ) -> StorageResult<Vec<MessageLink>> {
        let mut links = Vec::new();
        for chunk in ids.chunks(IN_CHUNK) {
            let sql = format!(
                "SELECT user_id, message_id, origin_user_id, origin_message_id FROM message_links \
                 WHERE {filter} IN ({})",
                placeholders(chunk.len())
            );
            let mut query = sqlx::query(&sql).bind(first);
            for id in chunk {
                query = query.bind(*id);
            }
            for row in query.fetch_all(&self.pool).await? {
                links.push(MessageLink {
                    user_id: i64_col(&row, "user_id")?,
                    message_id: i32_col(&row, "message_id")?,
                    origin_user_id: i64_col(&row, "origin_user_id")?,
                    origin_message_id: i32_col(&row, "origin_message_id")?,
                });
            }
        }
        Ok(links)
    }
}

#[async_trait]
impl UpdateLogStore for SqlStore {
    async fn append_message(
        &self,
        user_id: i64,
        message: NewBoxMessage,
        origin: MessageOrigin,
        encoder: &dyn UpdateEncoder,
    ) -> StorageResult<AppendOutcome> {
        retry_busy(|| self.try_append_logged(user_id, message.clone(), origin, encoder)).await
    }

    async fn append_with_copies(
        &self,
        user_id: i64,
        message: NewBoxMessage,
        copies: Vec<(i64, NewBoxMessage)>,
        encoder: Arc<dyn UpdateEncoder>,
    ) -> StorageResult<(AppendOutcome, Vec<BoxMessage>)> {
        match &self.group_commit {
            Some(group) => {
                group
                    .append_with_copies(user_id, message, copies, encoder)
                    .await
            }
            None => {
                self.append_with_copies_sql(user_id, message, copies, &*encoder)
                    .await
            }
        }
    }

    async fn append_copies(
        &self,
        origin_user_id: i64,
        origin_message_id: i32,
        copies: Vec<(i64, NewBoxMessage)>,
        encoder: &dyn UpdateEncoder,
    ) -> StorageResult<Vec<BoxMessage>> {
        self.append_copies_sql(origin_user_id, origin_message_id, copies, encoder)
            .await
    }

    async fn edit_message(
        &self,
        user_id: i64,
        id: i32,
        edit: MessageEdit,
        encoder: &dyn UpdateEncoder,
    ) -> StorageResult<BoxMessage> {
        retry_busy(|| self.try_edit_logged(user_id, id, edit.clone(), encoder)).await
    }

    async fn delete_messages(
        &self,
        user_id: i64,
        ids: &[i32],
        date: i64,
        encoder: &dyn UpdateEncoder,
    ) -> StorageResult<DeleteOutcome> {
        retry_busy(|| self.try_delete_logged(user_id, ids, date, encoder)).await
    }

    async fn read_inbox(
        &self,
        user_id: i64,
        peer: Peer,
        max_id: i32,
        date: i64,
        encoder: &dyn UpdateEncoder,
    ) -> StorageResult<Option<ReadOutcome>> {
        retry_busy(|| self.try_read(user_id, peer, max_id, date, true, encoder)).await
    }

    async fn read_outbox(
        &self,
        user_id: i64,
        peer: Peer,
        max_id: i32,
        date: i64,
        encoder: &dyn UpdateEncoder,
    ) -> StorageResult<Option<ReadOutcome>> {
        retry_busy(|| self.try_read(user_id, peer, max_id, date, false, encoder)).await
    }

    async fn updates_after(
        &self,
        user_id: i64,
        after_pts: i32,
        limit: i32,
    ) -> StorageResult<Vec<LoggedUpdate>> {
        let limit = i64::from(limit.clamp(1, LOG_PAGE_MAX));
        let rows = sqlx::query(
            "SELECT user_id, pts, pts_count, date, kind, body FROM user_updates \
             WHERE user_id = ? AND pts > ? ORDER BY pts LIMIT ?",
        )
        .bind(user_id)
        .bind(after_pts)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                Ok(LoggedUpdate {
                    user_id: i64_col(row, "user_id")?,
                    pts: i32_col(row, "pts")?,
                    pts_count: i32_col(row, "pts_count")?,
                    date: i64_col(row, "date")?,
                    kind: UpdateKind::from_code(i32_col(row, "kind")?),
                    body: super::rows::bytes_col(row, "body")?,
                })
            })
            .collect()
    }

    async fn links_of(&self, user_id: i64, ids: &[i32]) -> StorageResult<Vec<MessageLink>> {
        self.links_where("user_id = ? AND message_id", user_id, ids)
            .await
    }

    async fn copies_of(
        &self,
        origin_user_id: i64,
        origin_message_ids: &[i32],
    ) -> StorageResult<Vec<MessageLink>> {
        self.links_where(
            "origin_user_id = ? AND origin_message_id",
            origin_user_id,
            origin_message_ids,
        )
        .await
    }

    async fn max_origin_id(
        &self,
        user_id: i64,
        origin_user_id: i64,
        max_id: i32,
    ) -> StorageResult<Option<i32>> {
        let row = sqlx::query(
            "SELECT MAX(origin_message_id) AS top FROM message_links \
             WHERE user_id = ? AND message_id <= ? AND origin_user_id = ?",
        )
        .bind(user_id)
        .bind(max_id)
        .bind(origin_user_id)
        .fetch_one(&self.pool)
        .await?;
        Ok(row.try_get::<Option<i32>, _>("top")?)
    }
}
