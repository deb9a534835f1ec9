//! Message drafts, one per dialog (core.telegram.org/method/messages.saveDraft,
//! /method/messages.getAllDrafts). Table `drafts` of sql/*/0002_updates.sql.

use async_trait::async_trait;

use crate::error::StorageResult;
use crate::types::Peer;

/// A saved draft.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DraftRecord {
    pub peer: Peer,
    pub date: i64,
    pub message: String,
    /// Serialized `Vector<MessageEntity>`, empty for none.
    pub entities: Vec<u8>,
    pub reply_to_msg_id: Option<i32>,
    pub no_webpage: bool,
}

#[async_trait]
pub trait DraftStore: Send + Sync {
    /// Stores or replaces the draft of `draft.peer`.
    async fn save(&self, user_id: i64, draft: DraftRecord) -> StorageResult<()>;
    /// Removes the draft of `peer`; true if there was one.
    async fn clear(&self, user_id: i64, peer: Peer) -> StorageResult<bool>;
    async fn get(&self, user_id: i64, peer: Peer) -> StorageResult<Option<DraftRecord>>;
    /// Every draft of the user, newest first (at most 1000).
    async fn list(&self, user_id: i64) -> StorageResult<Vec<DraftRecord>>;
}
