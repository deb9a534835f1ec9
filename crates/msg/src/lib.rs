//! Msg: the write side of private messaging over per-user message boxes
//! (core.telegram.org/api/updates, /method/messages.sendMessage, /method/messages.editMessage,
//! /method/messages.deleteMessages, /method/messages.readHistory).
//!
//! Every user has an own copy of each message, with an own id and pts. Sending appends to
//! the sender's box (outbox) and then to the recipient's (inbox); each append logs its
//! update in the same transaction, so the log is the durable "inbox" queue and live pushes
//! (crate `echo-sync`) are only a shortcut that getDifference backs up.
//!
//! Shaped for a queue-backed deployment: the recipient's append is keyed by the recipient
//! (partition by user id) and idempotent — re-running a send with the same `random_id`
//! finds the sender's copy and delivers the recipient's copy only if it is missing, so
//! at-least-once processing never creates a second message.

mod local;
pub mod queued;
pub mod tl;

use async_trait::async_trait;
use echo_storage::{BoxMessage, DeleteOutcome, MessageEdit, Peer, ReadOutcome, StorageError};

pub use local::LocalMsgService;
pub use queued::{apply_inbox, InboxDelivery, InboxQueue, QueuedMsgService};

/// A message to send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SendRequest {
    pub from: i64,
    /// The dialog in the sender's box: `Peer::User(from)` is Saved Messages.
    pub to: Peer,
    pub date: i64,
    pub message: String,
    /// Serialized `Vector<MessageEntity>`, empty for none.
    pub entities: Vec<u8>,
    /// Serialized `MessageMedia`, empty for none.
    pub media: Vec<u8>,
    /// Serialized `MessageFwdHeader`, empty for none.
    pub fwd: Vec<u8>,
    /// The replied message, as an id of the sender's box.
    pub reply_to_msg_id: Option<i32>,
    /// The client's random_id (0 is treated as none).
    pub random_id: Option<i64>,
    /// False stores only the sender's copy: the recipient blocked the sender, and Telegram
    /// then shows the message as sent but never delivers it.
    pub deliver: bool,
    /// Deliver without a notification (messages.sendMessage `silent`): carried to the
    /// recipient's push, which may be built after a queue hop.
    pub silent: bool,
    /// The album id (messages.sendMultiMedia), stored with every copy; None for a lone
    /// message.
    pub grouped_id: Option<i64>,
}

/// What a send did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sent {
    /// The sender's copy (new, or the earlier one for a repeated random_id).
    pub outbox: BoxMessage,
    /// The recipient's copy, when THIS call created it (absent for Saved Messages and for a
    /// repeated random_id that was already delivered).
    pub inbox: Option<BoxMessage>,
    /// False when the random_id was seen before and nothing new was sent by the sender.
    pub created: bool,
}

/// One box's deletion.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BoxDeletion {
    pub user_id: i64,
    pub outcome: DeleteOutcome,
}

/// What a read did: the reader's inbox, and the sender's outbox it moved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReadResult {
    pub inbox: ReadOutcome,
    /// `(sender, their outbox read)` when the read reached new messages of another user.
    pub outbox: Option<(i64, ReadOutcome)>,
}

#[derive(Debug, thiserror::Error)]
pub enum MsgError {
    /// The message or dialog does not exist in the caller's box.
    #[error("not found")]
    NotFound,
    /// Only the author may do this (MESSAGE_AUTHOR_REQUIRED).
    #[error("not the author")]
    NotAuthor,
    #[error("storage: {0}")]
    Storage(#[from] StorageError),
}

/// The messaging write path. All ids are ids of the caller's own box.
#[async_trait]
pub trait MsgService: Send + Sync {
    /// Sends to a user (or Saved Messages): outbox copy, then the recipient's inbox copy.
    async fn send(&self, req: SendRequest) -> Result<Sent, MsgError>;

    /// Edits the caller's own message and every copy of it. Returns the copies, the
    /// caller's first.
    async fn edit(
        &self,
        user_id: i64,
        id: i32,
        edit: MessageEdit,
    ) -> Result<Vec<BoxMessage>, MsgError>;

    /// Deletes messages from the caller's box and, with `revoke`, every other copy of them.
    /// Returns one entry per box that lost something, the caller's first (always present).
    async fn delete(
        &self,
        user_id: i64,
        ids: &[i32],
        revoke: bool,
        date: i64,
    ) -> Result<Vec<BoxDeletion>, MsgError>;

    /// The caller read `peer` up to `max_id` (0: everything); the sender's outbox follows.
    /// `NotFound` if there is no such dialog.
    async fn read_history(
        &self,
        user_id: i64,
        peer: Peer,
        max_id: i32,
        date: i64,
    ) -> Result<ReadResult, MsgError>;
}
