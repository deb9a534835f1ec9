//! Dialog lists on SQL (core.telegram.org/method/messages.getDialogs,
//! messages.readHistory, messages.toggleDialogPin, messages.markDialogUnread).
//!
//! Pinned dialogs carry a positive `pinned_order` (higher = pinned later = listed first);
//! the others have 0 and are listed by `(top_date, top_message)` descending. Because
//! message ids are per user and grow with time, `top_message` breaks date ties uniquely.

use async_trait::async_trait;
use sqlx::any::AnyRow;
use sqlx::Row;

use super::rows::{flag, i32_col, i64_col, peer_cols};
use super::{retry_busy, SqlStore};
use crate::error::{StorageError, StorageResult};
use crate::traits::DialogStore;
use crate::types::{clamp_limit, DialogQuery, DialogRecord, Peer};

const DIALOG_COLUMNS: &str = "peer_type, peer_id, top_message, top_date, read_inbox_max_id, \
     read_outbox_max_id, unread_count, pinned_order, unread_mark";

const WHERE_DIALOG: &str = "WHERE user_id = ? AND peer_type = ? AND peer_id = ?";

fn dialog_from_row(row: &AnyRow) -> StorageResult<DialogRecord> {
    Ok(DialogRecord {
        peer: peer_cols(row)?,
        top_message: i32_col(row, "top_message")?,
        top_date: i64_col(row, "top_date")?,
        read_inbox_max_id: i32_col(row, "read_inbox_max_id")?,
        read_outbox_max_id: i32_col(row, "read_outbox_max_id")?,
        unread_count: i32_col(row, "unread_count")?,
        pinned: i64_col(row, "pinned_order")? > 0,
        unread_mark: i64_col(row, "unread_mark")? != 0,
    })
}

impl SqlStore {
    /// The dialog's `pinned_order`, 0 if unpinned or absent.
    async fn pinned_order(&self, user_id: i64, peer: Peer) -> StorageResult<i64> {
        let row = sqlx::query(&format!("SELECT pinned_order FROM dialogs {WHERE_DIALOG}"))
            .bind(user_id)
            .bind(peer.type_code())
            .bind(peer.id())
            .fetch_optional(&self.pool)
            .await?;
        row.map_or(Ok(0), |row| i64_col(&row, "pinned_order"))
    }

    /// Runs `UPDATE dialogs SET {set} WHERE <dialog>` with `values` bound before the key;
    /// `NotFound` if the dialog does not exist.
    async fn update_dialog(
        &self,
        user_id: i64,
        peer: Peer,
        set: &str,
        values: &[i64],
    ) -> StorageResult<()> {
        let sql = format!("UPDATE dialogs SET {set} {WHERE_DIALOG}");
        let mut query = sqlx::query(&sql);
        for value in values {
            query = query.bind(*value);
        }
        let done = query
            .bind(user_id)
            .bind(peer.type_code())
            .bind(peer.id())
            .execute(&self.writer)
            .await?;
        if done.rows_affected() == 0 {
            return Err(StorageError::NotFound);
        }
        Ok(())
    }

    async fn read_dialog(
        &self,
        user_id: i64,
        peer: Peer,
        set: &str,
        values: &[i64],
    ) -> StorageResult<Option<DialogRecord>> {
        match self.update_dialog(user_id, peer, set, values).await {
            Ok(()) => DialogStore::get(self, user_id, peer).await,
            Err(StorageError::NotFound) => Ok(None),
            Err(other) => Err(other),
        }
    }

    async fn try_upsert_on_message(
        &self,
        user_id: i64,
        peer: Peer,
        top_message: i32,
        date: i64,
        incoming: bool,
    ) -> StorageResult<()> {
        let ensure = self.dialect.upsert(
            "dialogs",
            &["user_id", "peer_type", "peer_id", "top_message", "top_date"],
            &["user_id", "peer_type", "peer_id"],
            &[],
        );
        let mut tx = self.writer.begin().await?;
        sqlx::query(&ensure)
            .bind(user_id)
            .bind(peer.type_code())
            .bind(peer.id())
            .bind(0_i32)
            .bind(0_i64)
            .execute(&mut *tx)
            .await?;
        // MySQL applies SET assignments left to right, each seeing the ones before; SQLite
        // sees the old row throughout. Ordering top_date before top_message (and reading
        // only columns not yet assigned) makes both compute the same.
        sqlx::query(&format!(
            "UPDATE dialogs SET \
             unread_count = unread_count + CASE WHEN ? > read_inbox_max_id THEN ? ELSE 0 END, \
             top_date = CASE WHEN ? > top_message THEN ? ELSE top_date END, \
             top_message = CASE WHEN ? > top_message THEN ? ELSE top_message END \
             {WHERE_DIALOG}"
        ))
        .bind(top_message)
        .bind(flag(incoming))
        .bind(top_message)
        .bind(date)
        .bind(top_message)
        .bind(top_message)
        .bind(user_id)
        .bind(peer.type_code())
        .bind(peer.id())
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn list_page(
        &self,
        user_id: i64,
        query: DialogQuery,
    ) -> StorageResult<Vec<DialogRecord>> {
        let limit = i64::from(clamp_limit(query.limit));
        let at_start = query.offset_date == 0 && query.offset_id == 0;
        let offset_pin = match query.offset_peer {
            Some(peer) if !at_start => self.pinned_order(user_id, peer).await?,
            _ => 0,
        };
        // Paging from the top, or from inside the pinned block, restarts the unpinned list.
        let from_pinned = at_start || offset_pin > 0;
        let mut page = Vec::new();
        if from_pinned && !query.exclude_pinned {
            let bound = if offset_pin > 0 { offset_pin } else { i64::MAX };
            let rows = sqlx::query(&format!(
                "SELECT {DIALOG_COLUMNS} FROM dialogs \
                 WHERE user_id = ? AND pinned_order > 0 AND pinned_order < ? \
                 ORDER BY pinned_order DESC LIMIT ?"
            ))
            .bind(user_id)
            .bind(bound)
            .bind(limit)
            .fetch_all(&self.pool)
            .await?;
            for row in &rows {
                page.push(dialog_from_row(row)?);
            }
        }
        let remaining = limit - i64::try_from(page.len()).unwrap_or(limit);
        if remaining <= 0 {
            return Ok(page);
        }
        let (filter, values): (&str, Vec<i64>) = if from_pinned {
            ("", Vec::new())
        } else if query.offset_date > 0 {
            let id = i64::from(query.offset_id);
            (
                " AND (top_date < ? OR (top_date = ? AND top_message < ?))",
                vec![query.offset_date, query.offset_date, id],
            )
        } else {
            (" AND top_message < ?", vec![i64::from(query.offset_id)])
        };
        let sql = format!(
            "SELECT {DIALOG_COLUMNS} FROM dialogs WHERE user_id = ? AND pinned_order = 0{filter} \
             ORDER BY top_date DESC, top_message DESC LIMIT ?"
        );
        let mut select = sqlx::query(&sql).bind(user_id);
        for value in values {
            select = select.bind(value);
        }
        for row in select.bind(remaining).fetch_all(&self.pool).await? {
            page.push(dialog_from_row(&row)?);
        }
        Ok(page)
    }

    async fn try_pin(&self, user_id: i64, peer: Peer) -> StorageResult<()> {
        let mut tx = self.writer.begin().await?;
        // A no-op write first: checks the dialog exists and takes the write lock before
        // the read below (see the module header of `sqlx_store`).
        let touched = sqlx::query(&format!(
            "UPDATE dialogs SET pinned_order = pinned_order {WHERE_DIALOG}"
        ))
        .bind(user_id)
        .bind(peer.type_code())
        .bind(peer.id())
        .execute(&mut *tx)
        .await?;
        if touched.rows_affected() == 0 {
            return Err(StorageError::NotFound);
        }
        let row = sqlx::query("SELECT MAX(pinned_order) AS top FROM dialogs WHERE user_id = ?")
            .bind(user_id)
            .fetch_one(&mut *tx)
            .await?;
        let next = row.try_get::<Option<i64>, _>("top")?.unwrap_or(0) + 1;
        sqlx::query(&format!(
            "UPDATE dialogs SET pinned_order = ? {WHERE_DIALOG}"
        ))
        .bind(next)
        .bind(user_id)
        .bind(peer.type_code())
        .bind(peer.id())
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }
}

#[async_trait]
impl DialogStore for SqlStore {
    async fn upsert_on_message(
        &self,
        user_id: i64,
        peer: Peer,
        top_message: i32,
        date: i64,
        incoming: bool,
    ) -> StorageResult<()> {
        retry_busy(|| self.try_upsert_on_message(user_id, peer, top_message, date, incoming)).await
    }

    async fn list(&self, user_id: i64, query: DialogQuery) -> StorageResult<Vec<DialogRecord>> {
        self.list_page(user_id, query).await
    }

    async fn get(&self, user_id: i64, peer: Peer) -> StorageResult<Option<DialogRecord>> {
        let row = sqlx::query(&format!(
            "SELECT {DIALOG_COLUMNS} FROM dialogs {WHERE_DIALOG}"
        ))
        .bind(user_id)
        .bind(peer.type_code())
        .bind(peer.id())
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(dialog_from_row).transpose()
    }

    async fn set_read_inbox(
        &self,
        user_id: i64,
        peer: Peer,
        max_id: i32,
    ) -> StorageResult<Option<DialogRecord>> {
        let max_id = i64::from(max_id);
        // Both assignments read read_inbox_max_id; MySQL sees the raised value in the
        // second, SQLite the old one, so the count repeats the CASE to agree.
        let set = "read_inbox_max_id = CASE WHEN ? > read_inbox_max_id THEN ? ELSE read_inbox_max_id END, \
             unread_mark = 0, \
             unread_count = (SELECT COUNT(*) FROM messages m WHERE m.user_id = dialogs.user_id \
             AND m.peer_type = dialogs.peer_type AND m.peer_id = dialogs.peer_id AND m.is_out = 0 \
             AND m.message_id > CASE WHEN ? > dialogs.read_inbox_max_id THEN ? \
             ELSE dialogs.read_inbox_max_id END)";
        self.read_dialog(user_id, peer, set, &[max_id, max_id, max_id, max_id])
            .await
    }

    async fn set_read_outbox(
        &self,
        user_id: i64,
        peer: Peer,
        max_id: i32,
    ) -> StorageResult<Option<DialogRecord>> {
        let max_id = i64::from(max_id);
        let set = "read_outbox_max_id = CASE WHEN ? > read_outbox_max_id THEN ? ELSE read_outbox_max_id END";
        self.read_dialog(user_id, peer, set, &[max_id, max_id])
            .await
    }

    async fn set_pinned(&self, user_id: i64, peer: Peer, pinned: bool) -> StorageResult<()> {
        if !pinned {
            return self
                .update_dialog(user_id, peer, "pinned_order = 0", &[])
                .await;
        }
        retry_busy(|| self.try_pin(user_id, peer)).await
    }

    async fn set_unread_mark(&self, user_id: i64, peer: Peer, mark: bool) -> StorageResult<()> {
        self.update_dialog(user_id, peer, "unread_mark = ?", &[i64::from(flag(mark))])
            .await
    }

    async fn count(&self, user_id: i64) -> StorageResult<i64> {
        let row = sqlx::query("SELECT COUNT(*) AS n FROM dialogs WHERE user_id = ?")
            .bind(user_id)
            .fetch_one(&self.pool)
            .await?;
        i64_col(&row, "n")
    }
}
