//! Per-user message boxes on SQL: the `MessageStore` trait, reads, history paging and
//! search (core.telegram.org/api/updates, core.telegram.org/method/messages.getHistory,
//! core.telegram.org/api/offsets). The writes live in `box_writes`.

use async_trait::async_trait;
use sqlx::any::AnyRow;

use super::dialect::placeholders;
use super::rows::{
    bool_col, bytes_col, i32_col, i64_col, opt_i32_col, opt_i64_col, peer_cols, text_col,
};
use super::{retry_busy, SqlStore};
use crate::error::StorageResult;
use crate::history::{Boundary, HistoryPlan, Slice};
use crate::traits::MessageStore;
use crate::types::{
    clamp_limit, AppendOutcome, BoxMessage, DeleteOutcome, HistoryQuery, MessageEdit,
    NewBoxMessage, Peer,
};

pub(super) const MESSAGE_COLUMNS: &str =
    "user_id, message_id, peer_type, peer_id, from_id, is_out, date, \
     message, entities, media, reply_to_msg_id, random_id, fwd, pts, edit_date, grouped_id";

/// Most ids one `IN (...)` list binds; longer lists are split.
pub(super) const IN_CHUNK: usize = 100;

pub(super) fn message_from_row(row: &AnyRow) -> StorageResult<BoxMessage> {
    Ok(BoxMessage {
        user_id: i64_col(row, "user_id")?,
        id: i32_col(row, "message_id")?,
        peer: peer_cols(row)?,
        from_id: i64_col(row, "from_id")?,
        out: bool_col(row, "is_out")?,
        date: i64_col(row, "date")?,
        message: text_col(row, "message")?,
        entities: bytes_col(row, "entities")?,
        media: bytes_col(row, "media")?,
        reply_to_msg_id: opt_i32_col(row, "reply_to_msg_id")?,
        random_id: opt_i64_col(row, "random_id")?,
        fwd: bytes_col(row, "fwd")?,
        pts: i32_col(row, "pts")?,
        edit_date: opt_i64_col(row, "edit_date")?,
        grouped_id: opt_i64_col(row, "grouped_id")?,
    })
}

/// Escapes `%`, `_` and the escape character itself for `LIKE ... ESCAPE '!'` (a
/// character that means the same in both dialects' string literals, unlike `\`).
fn like_pattern(text: &str) -> String {
    let mut pattern = String::with_capacity(text.len() + 2);
    pattern.push('%');
    for c in text.chars() {
        if matches!(c, '%' | '_' | '!') {
            pattern.push('!');
        }
        pattern.push(c);
    }
    pattern.push('%');
    pattern
}

impl SqlStore {
    pub(super) async fn message_by_random_id(
        &self,
        user_id: i64,
        random_id: i64,
    ) -> StorageResult<Option<BoxMessage>> {
        let row = sqlx::query(&format!(
            "SELECT {MESSAGE_COLUMNS} FROM messages WHERE user_id = ? AND random_id = ?"
        ))
        .bind(user_id)
        .bind(random_id)
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(message_from_row).transpose()
    }

    /// One side of a history page: `filter` is extra SQL conditions, `binds` their values.
    async fn history_side(
        &self,
        base: &[i64],
        filter: &str,
        extra: &[i64],
        ascending: bool,
        slice: Slice,
    ) -> StorageResult<Vec<BoxMessage>> {
        let order = if ascending { "ASC" } else { "DESC" };
        let sql = format!(
            "SELECT {MESSAGE_COLUMNS} FROM messages \
             WHERE user_id = ? AND peer_type = ? AND peer_id = ?{filter} \
             ORDER BY message_id {order} LIMIT ? OFFSET ?"
        );
        let mut query = sqlx::query(&sql);
        for value in base.iter().chain(extra) {
            query = query.bind(*value);
        }
        let rows = query
            .bind(slice.limit)
            .bind(slice.offset)
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(message_from_row).collect()
    }
}

#[async_trait]
impl MessageStore for SqlStore {
    async fn append(&self, user_id: i64, m: NewBoxMessage) -> StorageResult<AppendOutcome> {
        retry_busy(|| self.try_append(user_id, m.clone())).await
    }

    async fn get(&self, user_id: i64, ids: &[i32]) -> StorageResult<Vec<BoxMessage>> {
        let mut wanted = ids.to_vec();
        wanted.sort_unstable();
        wanted.dedup();
        let mut messages = Vec::with_capacity(wanted.len());
        for chunk in wanted.chunks(IN_CHUNK) {
            let sql = format!(
                "SELECT {MESSAGE_COLUMNS} FROM messages WHERE user_id = ? \
                 AND message_id IN ({}) ORDER BY message_id",
                placeholders(chunk.len())
            );
            let mut query = sqlx::query(&sql).bind(user_id);
            for id in chunk {
                query = query.bind(*id);
            }
            for row in query.fetch_all(&self.pool).await? {
                messages.push(message_from_row(&row)?);
            }
        }
        Ok(messages)
    }

    async fn history(
        &self,
        user_id: i64,
        peer: Peer,
        query: HistoryQuery,
    ) -> StorageResult<Vec<BoxMessage>> {
        let plan = HistoryPlan::new(&query);
        let base = [user_id, i64::from(peer.type_code()), peer.id()];
        let mut filter = String::new();
        let mut extra = Vec::new();
        if query.max_id > 0 {
            filter.push_str(" AND message_id < ?");
            extra.push(i64::from(query.max_id));
        }
        if query.min_id > 0 {
            filter.push_str(" AND message_id > ?");
            extra.push(i64::from(query.min_id));
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
            let mut newer = self.history_side(&base, &sql, &values, true, slice).await?;
            newer.reverse();
            page.append(&mut newer);
        }
        if let Some(slice) = plan.older {
            let (sql, values) = with_bound(older_cond);
            page.append(
                &mut self
                    .history_side(&base, &sql, &values, false, slice)
                    .await?,
            );
        }
        Ok(page)
    }

    async fn count(&self, user_id: i64, peer: Peer) -> StorageResult<i64> {
        let row = sqlx::query(
            "SELECT COUNT(*) AS n FROM messages WHERE user_id = ? AND peer_type = ? AND peer_id = ?",
        )
        .bind(user_id)
        .bind(peer.type_code())
        .bind(peer.id())
        .fetch_one(&self.pool)
        .await?;
        i64_col(&row, "n")
    }

    async fn search(
        &self,
        user_id: i64,
        peer: Option<Peer>,
        text: &str,
        limit: i32,
    ) -> StorageResult<Vec<BoxMessage>> {
        let peer_filter = if peer.is_some() {
            " AND peer_type = ? AND peer_id = ?"
        } else {
            ""
        };
        let sql = format!(
            "SELECT {MESSAGE_COLUMNS} FROM messages WHERE user_id = ?{peer_filter} \
             AND message LIKE ? ESCAPE '!' ORDER BY message_id DESC LIMIT ?"
        );
        let mut query = sqlx::query(&sql).bind(user_id);
        if let Some(peer) = peer {
            query = query.bind(peer.type_code()).bind(peer.id());
        }
        let rows = query
            .bind(like_pattern(text))
            .bind(clamp_limit(limit))
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(message_from_row).collect()
    }

    async fn edit(&self, user_id: i64, id: i32, edit: MessageEdit) -> StorageResult<BoxMessage> {
        retry_busy(|| self.try_edit(user_id, id, edit.clone())).await
    }

    async fn delete(&self, user_id: i64, ids: &[i32]) -> StorageResult<DeleteOutcome> {
        let mut wanted = ids.to_vec();
        wanted.sort_unstable();
        wanted.dedup();
        retry_busy(|| self.try_delete(user_id, &wanted)).await
    }
}

#[cfg(test)]
mod tests {
    use super::like_pattern;

    #[test]
    fn like_pattern_escapes_wildcards() {
        assert_eq!(like_pattern("50%_off!"), "%50!%!_off!!%");
        assert_eq!(like_pattern(""), "%%");
    }
}
