//! Drafts on SQL (core.telegram.org/method/messages.saveDraft); see `crate::drafts`.

use async_trait::async_trait;
use sqlx::any::AnyRow;

use super::rows::{bool_col, bytes_col, flag, i64_col, opt_i32_col, peer_cols, text_col};
use super::SqlStore;
use crate::drafts::{DraftRecord, DraftStore};
use crate::error::StorageResult;
use crate::types::Peer;

const COLUMNS: &str = "peer_type, peer_id, date, message, entities, reply_to_msg_id, no_webpage";
const WHERE_DIALOG: &str = "WHERE user_id = ? AND peer_type = ? AND peer_id = ?";

fn draft_from_row(row: &AnyRow) -> StorageResult<DraftRecord> {
    Ok(DraftRecord {
        peer: peer_cols(row)?,
        date: i64_col(row, "date")?,
        message: text_col(row, "message")?,
        entities: bytes_col(row, "entities")?,
        reply_to_msg_id: opt_i32_col(row, "reply_to_msg_id")?,
        no_webpage: bool_col(row, "no_webpage")?,
    })
}

#[async_trait]
impl DraftStore for SqlStore {
    async fn save(&self, user_id: i64, draft: DraftRecord) -> StorageResult<()> {
        let upsert = self.dialect.upsert(
            "drafts",
            &[
                "user_id",
                "peer_type",
                "peer_id",
                "date",
                "message",
                "entities",
                "reply_to_msg_id",
                "no_webpage",
            ],
            &["user_id", "peer_type", "peer_id"],
            &[
                "date",
                "message",
                "entities",
                "reply_to_msg_id",
                "no_webpage",
            ],
        );
        sqlx::query(&upsert)
            .bind(user_id)
            .bind(draft.peer.type_code())
            .bind(draft.peer.id())
            .bind(draft.date)
            .bind(draft.message)
            .bind(draft.entities)
            .bind(draft.reply_to_msg_id)
            .bind(flag(draft.no_webpage))
            .execute(&self.writer)
            .await?;
        Ok(())
    }

    async fn clear(&self, user_id: i64, peer: Peer) -> StorageResult<bool> {
        let done = sqlx::query(&format!("DELETE FROM drafts {WHERE_DIALOG}"))
            .bind(user_id)
            .bind(peer.type_code())
            .bind(peer.id())
            .execute(&self.writer)
            .await?;
        Ok(done.rows_affected() > 0)
    }

    async fn get(&self, user_id: i64, peer: Peer) -> StorageResult<Option<DraftRecord>> {
        let row = sqlx::query(&format!("SELECT {COLUMNS} FROM drafts {WHERE_DIALOG}"))
            .bind(user_id)
            .bind(peer.type_code())
            .bind(peer.id())
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(draft_from_row).transpose()
    }

    async fn list(&self, user_id: i64) -> StorageResult<Vec<DraftRecord>> {
        let rows = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM drafts WHERE user_id = ? ORDER BY date DESC LIMIT 1000"
        ))
        .bind(user_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(draft_from_row).collect()
    }
}
