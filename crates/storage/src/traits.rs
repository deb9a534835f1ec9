//! One trait per aggregate.
//!
//! Each trait is object safe (`Arc<dyn Trait>`), `Send + Sync`, and speaks only the plain
//! records of [`crate::types`], so an implementation may live in SQL (the `sqlx_store`
//! module), in a cache, or behind an RPC. Semantics follow core.telegram.org/api/auth
//! (keys, codes, authorizations), core.telegram.org/api/updates (pts, per-user message
//! boxes) and core.telegram.org/api/offsets (paging).

use async_trait::async_trait;

use crate::error::StorageResult;
use crate::types::{
    AppendOutcome, AuthKeyRecord, AuthorizationRecord, BoxMessage, ClientInfo, DeleteOutcome,
    DialogQuery, DialogRecord, HistoryQuery, MessageEdit, NewBoxMessage, NewUser, Peer,
    PhoneCodeRecord, UserAccess, UserRecord, UserState,
};

/// MTProto authorization keys (core.telegram.org/mtproto/auth_key, core.telegram.org/api/pfs).
#[async_trait]
pub trait AuthKeyStore: Send + Sync {
    /// Stores a new key. `Conflict` if the id exists; `InvalidArgument` unless 256 bytes.
    async fn put(&self, key: AuthKeyRecord) -> StorageResult<()>;
    async fn get(&self, auth_key_id: i64) -> StorageResult<Option<AuthKeyRecord>>;
    /// auth.bindTempAuthKey: ties a temp key to a perm key until `expires_at`.
    /// `NotFound` if the temp key or the perm key does not exist (or has the wrong kind).
    async fn bind_temp(
        &self,
        temp_auth_key_id: i64,
        perm_auth_key_id: i64,
        expires_at: i64,
    ) -> StorageResult<()>;
    /// Removes the key; true if it existed.
    async fn delete(&self, auth_key_id: i64) -> StorageResult<bool>;
}

/// Accounts.
#[async_trait]
pub trait UserStore: Send + Sync {
    /// Allocates a new id (from 1_000_000 on). `Conflict` if the phone is taken.
    async fn create(&self, user: NewUser) -> StorageResult<UserRecord>;
    async fn get(&self, id: i64) -> StorageResult<Option<UserRecord>>;
    /// The access hash and deleted flag of `id` (what every send to an `inputPeerUser`
    /// checks); a store may answer from a cache.
    async fn access(&self, id: i64) -> StorageResult<Option<UserAccess>> {
        Ok(self.get(id).await?.map(|u| u.access()))
    }
    /// The users that exist among `ids`, in ascending id order, without duplicates.
    async fn get_many(&self, ids: &[i64]) -> StorageResult<Vec<UserRecord>>;
    async fn get_by_phone(&self, phone: &str) -> StorageResult<Option<UserRecord>>;
    /// Case-insensitive lookup.
    async fn get_by_username(&self, username: &str) -> StorageResult<Option<UserRecord>>;
    /// account.updateProfile: `None` keeps a field. `NotFound` for an unknown user.
    async fn update_profile(
        &self,
        id: i64,
        first_name: Option<String>,
        last_name: Option<String>,
        about: Option<String>,
    ) -> StorageResult<UserRecord>;
    /// account.updateUsername: `None` removes it. `Conflict` if another user holds the same
    /// name in any letter case; `NotFound` for an unknown user.
    async fn set_username(&self, id: i64, username: Option<String>) -> StorageResult<UserRecord>;
    async fn set_last_seen(&self, id: i64, at: i64) -> StorageResult<()>;
}

/// Per perm auth key: client info from initConnection and the logged-in user.
#[async_trait]
pub trait AuthorizationStore: Send + Sync {
    /// Creates the authorization (with a fresh random `hash`) or refreshes its client info
    /// and `active_at`; keeps `user_id`.
    async fn upsert_client(&self, client: ClientInfo) -> StorageResult<()>;
    /// Logs `user_id` in on this key (creating the row if initConnection was never seen);
    /// sets `created_at` and `active_at` to `now`.
    async fn bind_user(&self, auth_key_id: i64, user_id: i64, now: i64) -> StorageResult<()>;
    async fn get(&self, auth_key_id: i64) -> StorageResult<Option<AuthorizationRecord>>;
    /// auth.logOut: forgets the user, keeps the client info. True if a user was bound.
    async fn unbind(&self, auth_key_id: i64) -> StorageResult<bool>;
    /// Forgets the row entirely (when the key itself is destroyed). True if it existed.
    async fn delete(&self, auth_key_id: i64) -> StorageResult<bool>;
    /// Logged-in authorizations of a user, most recently active first.
    async fn list_for_user(&self, user_id: i64) -> StorageResult<Vec<AuthorizationRecord>>;
}

/// Login codes of auth.sendCode / auth.signIn.
#[async_trait]
pub trait PhoneCodeStore: Send + Sync {
    /// `Conflict` if the hash exists.
    async fn put(&self, code: PhoneCodeRecord) -> StorageResult<()>;
    async fn get(&self, phone_code_hash: &str) -> StorageResult<Option<PhoneCodeRecord>>;
    /// Counts one more wrong try and returns the new count. `NotFound` for an unknown hash.
    async fn record_attempt(&self, phone_code_hash: &str) -> StorageResult<i32>;
    /// Marks the code as accepted by auth.signIn. True if it existed.
    async fn mark_verified(&self, phone_code_hash: &str) -> StorageResult<bool>;
    /// True if it existed.
    async fn delete(&self, phone_code_hash: &str) -> StorageResult<bool>;
    /// Codes created for `phone` at or after `since` (flood limits).
    async fn count_since(&self, phone: &str, since: i64) -> StorageResult<i64>;
}

/// Per-user message boxes: every user has an own copy of each message with an own id,
/// and every change advances that user's pts (core.telegram.org/api/updates).
#[async_trait]
pub trait MessageStore: Send + Sync {
    /// Atomically allocates the user's next message id and next pts (pts + 1) and stores the
    /// message. If `random_id` is set and a message with the same `(user_id, random_id)`
    /// exists, returns it as `AppendOutcome::Existing` and changes nothing.
    async fn append(&self, user_id: i64, message: NewBoxMessage) -> StorageResult<AppendOutcome>;
    /// The messages among `ids` that exist in the box, ascending by id.
    async fn get(&self, user_id: i64, ids: &[i32]) -> StorageResult<Vec<BoxMessage>>;
    /// messages.getHistory paging, newest first (core.telegram.org/api/offsets).
    async fn history(
        &self,
        user_id: i64,
        peer: Peer,
        query: HistoryQuery,
    ) -> StorageResult<Vec<BoxMessage>>;
    /// Messages in the dialog with `peer`.
    async fn count(&self, user_id: i64, peer: Peer) -> StorageResult<i64>;
    /// Messages whose text contains `text` (ASCII case-insensitive), newest first; in one
    /// dialog or, with `peer: None`, in the whole box. `limit` is clamped like history.
    async fn search(
        &self,
        user_id: i64,
        peer: Option<Peer>,
        text: &str,
        limit: i32,
    ) -> StorageResult<Vec<BoxMessage>>;
    /// Replaces text, entities and media, sets `edit_date`, advances pts by one.
    /// Returns the message with its new pts. `NotFound` if it does not exist.
    async fn edit(&self, user_id: i64, id: i32, edit: MessageEdit) -> StorageResult<BoxMessage>;
    /// Deletes the messages among `ids` that exist, advancing pts by their number.
    async fn delete(&self, user_id: i64, ids: &[i32]) -> StorageResult<DeleteOutcome>;
}

/// A user's dialog list (core.telegram.org/method/messages.getDialogs).
#[async_trait]
pub trait DialogStore: Send + Sync {
    /// Creates the dialog if needed; moves `top_message`/`top_date` forward if `top_message`
    /// is newer; counts one more unread message if `incoming`.
    async fn upsert_on_message(
        &self,
        user_id: i64,
        peer: Peer,
        top_message: i32,
        date: i64,
        incoming: bool,
    ) -> StorageResult<()>;
    /// Pinned dialogs first (most recently pinned first), then the rest by top message
    /// date, newest first.
    async fn list(&self, user_id: i64, query: DialogQuery) -> StorageResult<Vec<DialogRecord>>;
    async fn get(&self, user_id: i64, peer: Peer) -> StorageResult<Option<DialogRecord>>;
    /// messages.readHistory: raises `read_inbox_max_id` to `max_id` (never lowers it) and
    /// recounts unread incoming messages. `None` if the dialog does not exist.
    async fn set_read_inbox(
        &self,
        user_id: i64,
        peer: Peer,
        max_id: i32,
    ) -> StorageResult<Option<DialogRecord>>;
    /// The peer read our messages up to `max_id` (never lowers it). `None` if no dialog.
    async fn set_read_outbox(
        &self,
        user_id: i64,
        peer: Peer,
        max_id: i32,
    ) -> StorageResult<Option<DialogRecord>>;
    /// messages.toggleDialogPin. `NotFound` if the dialog does not exist.
    async fn set_pinned(&self, user_id: i64, peer: Peer, pinned: bool) -> StorageResult<()>;
    /// messages.markDialogUnread. `NotFound` if the dialog does not exist.
    async fn set_unread_mark(&self, user_id: i64, peer: Peer, mark: bool) -> StorageResult<()>;
    async fn count(&self, user_id: i64) -> StorageResult<i64>;
}

/// updates.getState (core.telegram.org/api/updates).
#[async_trait]
pub trait UpdateStateStore: Send + Sync {
    /// Zeros for a user that never had an update.
    async fn get_state(&self, user_id: i64) -> StorageResult<UserState>;
    /// Advances pts by `pts_count` for a change that is not a message append/edit/delete
    /// (e.g. updateReadHistoryInbox); moves `date` forward to `date`. Returns the new pts.
    async fn advance_pts(&self, user_id: i64, pts_count: i32, date: i64) -> StorageResult<i32>;
}

/// Health and shutdown of whatever backs a [`crate::Storage`].
#[async_trait]
pub trait StorageLifecycle: Send + Sync {
    /// Readiness probe: a round trip to the backend.
    async fn ping(&self) -> StorageResult<()>;
    /// Graceful shutdown: waits for checked-out connections, then closes them.
    async fn close(&self);
}
