//! The per-user updates log and the box writes that feed it (core.telegram.org/api/updates,
//! /method/updates.getDifference).
//!
//! Every change to a user's message box (a new message, an edit, a deletion, reading the
//! inbox, the peer reading the outbox) advances that user's pts by `pts_count` and appends one
//! entry `(user_id, pts, pts_count, date, kind, body)` IN THE SAME TRANSACTION as the change,
//! so an update the client was told about is always in the log and getDifference can replay
//! it. `body` is the TL-serialized `Update` in the newest layer; the store is TL-agnostic and
//! gets it from an [`UpdateEncoder`] the caller passes, called once the pts is known.
//!
//! # Tables (sql/*/0002_updates.sql)
//!
//! - `user_updates(user_id, pts, pts_count, date, kind, body)`, PK `(user_id, pts)`: the log;
//!   `pts` is the box's pts after the change, so the entry covers `pts - pts_count + 1 ..= pts`.
//! - `message_links(user_id, message_id, origin_user_id, origin_message_id)`, PK
//!   `(user_id, message_id)`: which sent message a box copy belongs to. The sender's own copy
//!   is its own origin; each recipient's copy points at it. Edits, deletions for everyone and
//!   read receipts translate ids between boxes through it.

use std::sync::Arc;

use async_trait::async_trait;

use crate::error::StorageResult;
use crate::types::{BoxMessage, DialogRecord, MessageEdit, NewBoxMessage, Peer};
use crate::AppendOutcome;

/// What a log entry records (the `kind` column).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum UpdateKind {
    NewMessage,
    EditMessage,
    DeleteMessages,
    ReadHistoryInbox,
    ReadHistoryOutbox,
    /// Anything else that advanced pts (kept for forward compatibility).
    Other,
}

impl UpdateKind {
    pub fn code(self) -> i32 {
        match self {
            UpdateKind::NewMessage => 1,
            UpdateKind::EditMessage => 2,
            UpdateKind::DeleteMessages => 3,
            UpdateKind::ReadHistoryInbox => 4,
            UpdateKind::ReadHistoryOutbox => 5,
            UpdateKind::Other => 99,
        }
    }

    /// Unknown codes read as `Other`, so an older server can still replay a newer log.
    pub fn from_code(code: i32) -> UpdateKind {
        match code {
            1 => UpdateKind::NewMessage,
            2 => UpdateKind::EditMessage,
            3 => UpdateKind::DeleteMessages,
            4 => UpdateKind::ReadHistoryInbox,
            5 => UpdateKind::ReadHistoryOutbox,
            _ => UpdateKind::Other,
        }
    }
}

/// One entry of a user's updates log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoggedUpdate {
    pub user_id: i64,
    /// The box's pts right after this change.
    pub pts: i32,
    pub pts_count: i32,
    pub date: i64,
    pub kind: UpdateKind,
    /// TL-serialized `Update`, newest layer.
    pub body: Vec<u8>,
}

/// A change to one box, handed to the [`UpdateEncoder`] once its pts is allocated.
#[derive(Debug, Clone, Copy)]
pub enum BoxChange<'a> {
    NewMessage(&'a BoxMessage),
    EditMessage(&'a BoxMessage),
    DeleteMessages {
        ids: &'a [i32],
        pts: i32,
        pts_count: i32,
    },
    /// The box owner read incoming messages of `dialog.peer` up to `dialog.read_inbox_max_id`.
    ReadInbox {
        dialog: &'a DialogRecord,
        pts: i32,
    },
    /// The peer read the owner's messages up to `dialog.read_outbox_max_id`.
    ReadOutbox {
        dialog: &'a DialogRecord,
        pts: i32,
    },
}

/// Builds the TL `Update` body of a log entry.
pub trait UpdateEncoder: Send + Sync {
    fn encode(&self, change: &BoxChange<'_>) -> Vec<u8>;
}

/// Which sent message a new box copy belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MessageOrigin {
    /// The sender's own copy (its origin is itself).
    Own,
    /// A recipient's copy of `(user_id, message_id)`, the sender's copy.
    CopyOf { user_id: i64, message_id: i32 },
}

/// A box copy and the sent message it belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MessageLink {
    pub user_id: i64,
    pub message_id: i32,
    pub origin_user_id: i64,
    pub origin_message_id: i32,
}

/// What a read (inbox or outbox) did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReadOutcome {
    pub dialog: DialogRecord,
    /// The box's pts after the read.
    pub pts: i32,
    /// 1 when the read moved the max id forward (and was logged), 0 when it changed nothing.
    pub pts_count: i32,
}

/// Logged writes to message boxes and reads of the log.
#[async_trait]
pub trait UpdateLogStore: Send + Sync {
    /// Appends a message (next id, pts + 1), links it to its origin, creates or moves the
    /// dialog (an incoming message counts as unread) and logs `NewMessage`, in one
    /// transaction. A known `(user_id, random_id)` returns `Existing` and changes nothing.
    async fn append_message(
        &self,
        user_id: i64,
        message: NewBoxMessage,
        origin: MessageOrigin,
        encoder: &dyn UpdateEncoder,
    ) -> StorageResult<AppendOutcome>;

    /// Appends `message` to `user_id`'s box as its own origin (as `append_message` with
    /// `MessageOrigin::Own`) and, IN THE SAME TRANSACTION, each of `copies` to its user's box
    /// linked to it: one commit makes a send durable for every box or for none, and saves a
    /// transaction per recipient. Returns the sender's outcome and the copies in the order
    /// given. A known `(user_id, random_id)` returns `(Existing, [])` and writes nothing (the
    /// caller decides what a retry still has to deliver). Each copy's user must differ from
    /// `user_id` and from the other copies' (`InvalidArgument`). `encoder` builds every box's
    /// log entry: the box owner is the changed message's `user_id`. Owned, because a store
    /// may hand the send to a writer task that commits concurrent sends together.
    async fn append_with_copies(
        &self,
        user_id: i64,
        message: NewBoxMessage,
        copies: Vec<(i64, NewBoxMessage)>,
        encoder: Arc<dyn UpdateEncoder>,
    ) -> StorageResult<(AppendOutcome, Vec<BoxMessage>)>;

    /// Appends copies of the existing message `(origin_user_id, origin_message_id)` to other
    /// users' boxes in one transaction (as `append_message` with `MessageOrigin::CopyOf` for
    /// each), in the order given. Users must be distinct (`InvalidArgument`); the encoder as
    /// in `append_with_copies`.
    async fn append_copies(
        &self,
        origin_user_id: i64,
        origin_message_id: i32,
        copies: Vec<(i64, NewBoxMessage)>,
        encoder: &dyn UpdateEncoder,
    ) -> StorageResult<Vec<BoxMessage>>;

    /// Edits a message (pts + 1) and logs `EditMessage`. `NotFound` if it does not exist.
    async fn edit_message(
        &self,
        user_id: i64,
        id: i32,
        edit: MessageEdit,
        encoder: &dyn UpdateEncoder,
    ) -> StorageResult<BoxMessage>;

    /// Deletes the messages among `ids` that exist (pts + their number), their links, and
    /// moves the affected dialogs' top message back; logs `DeleteMessages` unless nothing
    /// was deleted.
    async fn delete_messages(
        &self,
        user_id: i64,
        ids: &[i32],
        date: i64,
        encoder: &dyn UpdateEncoder,
    ) -> StorageResult<crate::DeleteOutcome>;

    /// Raises `read_inbox_max_id` (never lowers it), recounts unread messages and, if it
    /// moved, advances pts and logs `ReadHistoryInbox`. `None` if the dialog does not exist.
    async fn read_inbox(
        &self,
        user_id: i64,
        peer: Peer,
        max_id: i32,
        date: i64,
        encoder: &dyn UpdateEncoder,
    ) -> StorageResult<Option<ReadOutcome>>;

    /// Raises `read_outbox_max_id` and, if it moved, logs `ReadHistoryOutbox`.
    async fn read_outbox(
        &self,
        user_id: i64,
        peer: Peer,
        max_id: i32,
        date: i64,
        encoder: &dyn UpdateEncoder,
    ) -> StorageResult<Option<ReadOutcome>>;

    /// Log entries with `pts > after_pts`, ascending, at most `limit` (clamped to 1..=1000).
    async fn updates_after(
        &self,
        user_id: i64,
        after_pts: i32,
        limit: i32,
    ) -> StorageResult<Vec<LoggedUpdate>>;

    /// The links of the box copies among `ids` of `user_id`'s box.
    async fn links_of(&self, user_id: i64, ids: &[i32]) -> StorageResult<Vec<MessageLink>>;

    /// Every box copy of the sent messages `(origin_user_id, origin_message_ids)`, the
    /// sender's own included.
    async fn copies_of(
        &self,
        origin_user_id: i64,
        origin_message_ids: &[i32],
    ) -> StorageResult<Vec<MessageLink>>;

    /// The newest message of `origin_user_id` that `user_id` holds a copy of with a box id
    /// up to `max_id`, as the sender's id: what "I read up to `max_id`" means in the
    /// sender's box. `None` if there is none.
    async fn max_origin_id(
        &self,
        user_id: i64,
        origin_user_id: i64,
        max_id: i32,
    ) -> StorageResult<Option<i32>>;
}
