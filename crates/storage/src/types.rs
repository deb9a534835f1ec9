//! Plain records exchanged with the storage traits.
//!
//! These are deliberately backend-neutral structs (no sqlx types) so that a later Redis-,
//! Kafka- or gRPC-backed implementation can produce and consume the same values. Ids are
//! `i64`; message ids, pts, qts and seq are `i32` because the TL schema declares them `int`
//! (core.telegram.org/api/updates); times are unix seconds as `i64`.

/// A dialog peer as in the TL `Peer` type (core.telegram.org/type/Peer).
///
/// Stored as the pair `(peer_type, peer_id)`, see [`Peer::type_code`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Peer {
    User(i64),
    Chat(i64),
    Channel(i64),
}

impl Peer {
    /// The `peer_type` column value: 1 user, 2 chat, 3 channel.
    pub fn type_code(self) -> i32 {
        match self {
            Peer::User(_) => 1,
            Peer::Chat(_) => 2,
            Peer::Channel(_) => 3,
        }
    }

    /// The `peer_id` column value.
    pub fn id(self) -> i64 {
        match self {
            Peer::User(id) | Peer::Chat(id) | Peer::Channel(id) => id,
        }
    }

    /// Rebuilds a peer from its stored pair; `None` for an unknown type code.
    pub fn from_parts(type_code: i32, id: i64) -> Option<Peer> {
        match type_code {
            1 => Some(Peer::User(id)),
            2 => Some(Peer::Chat(id)),
            3 => Some(Peer::Channel(id)),
            _ => None,
        }
    }
}

/// Kind of an MTProto authorization key (core.telegram.org/mtproto/auth_key and
/// core.telegram.org/api/pfs).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AuthKeyKind {
    Perm,
    Temp,
    MediaTemp,
}

impl AuthKeyKind {
    /// The `kind` column value.
    pub fn code(self) -> i32 {
        match self {
            AuthKeyKind::Perm => 0,
            AuthKeyKind::Temp => 1,
            AuthKeyKind::MediaTemp => 2,
        }
    }

    /// Rebuilds the kind from its stored code.
    pub fn from_code(code: i32) -> Option<AuthKeyKind> {
        match code {
            0 => Some(AuthKeyKind::Perm),
            1 => Some(AuthKeyKind::Temp),
            2 => Some(AuthKeyKind::MediaTemp),
            _ => None,
        }
    }
}

/// Length of every MTProto auth key in bytes (2048 bits).
pub const AUTH_KEY_LEN: usize = 256;

/// One auth key as created by the DH handshake.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthKeyRecord {
    pub auth_key_id: i64,
    /// Exactly [`AUTH_KEY_LEN`] bytes.
    pub auth_key: Vec<u8>,
    pub kind: AuthKeyKind,
    /// For temp keys: when the key stops being valid (from `p_q_inner_data_temp.expires_in`).
    pub expires_at: Option<i64>,
    /// For temp keys bound with auth.bindTempAuthKey: the perm key they act for.
    pub perm_auth_key_id: Option<i64>,
    pub created_at: i64,
}

/// Input of `UserStore::create`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewUser {
    pub phone: String,
    pub first_name: String,
    pub last_name: String,
    pub access_hash: i64,
    pub now: i64,
}

/// What an `inputPeerUser` is checked against (neither changes except by account deletion).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UserAccess {
    pub access_hash: i64,
    pub deleted: bool,
}

/// A registered account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserRecord {
    /// Allocated by the store; the first user gets [`FIRST_USER_ID`].
    pub id: i64,
    pub access_hash: i64,
    pub phone: String,
    pub first_name: String,
    pub last_name: String,
    /// As the user typed it; lookups ignore case.
    pub username: Option<String>,
    pub about: String,
    pub last_seen_at: i64,
    pub created_at: i64,
    pub deleted: bool,
}

impl UserRecord {
    pub fn access(&self) -> UserAccess {
        UserAccess {
            access_hash: self.access_hash,
            deleted: self.deleted,
        }
    }
}

/// The id given to the first user a fresh database creates.
pub const FIRST_USER_ID: i64 = 1_000_000;

/// Client information from `initConnection` (core.telegram.org/method/initConnection),
/// stored per perm auth key.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ClientInfo {
    pub auth_key_id: i64,
    pub layer: i32,
    pub api_id: i32,
    pub device_model: String,
    pub system_version: String,
    pub app_version: String,
    pub system_lang_code: String,
    pub lang_pack: String,
    pub lang_code: String,
    pub ip: String,
    pub now: i64,
}

/// A perm auth key's authorization: client info plus the logged-in user, the data behind
/// `account.getAuthorizations` (core.telegram.org/constructor/authorization).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthorizationRecord {
    pub auth_key_id: i64,
    /// `None` until `auth.signIn`/`auth.signUp` binds a user, and again after log out.
    pub user_id: Option<i64>,
    /// Random non-zero id of this authorization, as in `authorization.hash`.
    pub hash: i64,
    pub layer: i32,
    pub api_id: i32,
    pub device_model: String,
    pub system_version: String,
    pub app_version: String,
    pub system_lang_code: String,
    pub lang_pack: String,
    pub lang_code: String,
    pub ip: String,
    /// Time of the last `bind_user` (log in), or of the first `upsert_client` before that.
    pub created_at: i64,
    /// Time of the last `upsert_client` or `bind_user`.
    pub active_at: i64,
}

/// A login code sent by auth.sendCode (core.telegram.org/method/auth.sendCode).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PhoneCodeRecord {
    pub phone_code_hash: String,
    pub phone: String,
    pub code: String,
    pub created_at: i64,
    pub expires_at: i64,
    /// How many wrong codes were tried so far.
    pub attempts: i32,
    /// auth.signIn accepted the code; auth.signUp may use the hash.
    pub verified: bool,
}

/// Input of `MessageStore::append`: one message as seen from one user's box.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewBoxMessage {
    /// The dialog this message belongs to, from the box owner's point of view.
    pub peer: Peer,
    pub from_id: i64,
    /// True when the box owner sent it.
    pub out: bool,
    pub date: i64,
    pub message: String,
    /// Serialized `Vector<MessageEntity>`; opaque to the storage.
    pub entities: Vec<u8>,
    /// Serialized `MessageMedia`; opaque, empty for none.
    pub media: Vec<u8>,
    pub reply_to_msg_id: Option<i32>,
    /// The sender's `random_id` (messages.sendMessage); de-duplicates retries.
    pub random_id: Option<i64>,
    /// Serialized `MessageFwdHeader`; opaque, empty for none.
    pub fwd: Vec<u8>,
    /// The album this message belongs to (messages.sendMultiMedia): every item of one
    /// album carries the same id, in every box. None for a lone message.
    pub grouped_id: Option<i64>,
}

/// One message in one user's box (core.telegram.org/api/updates: every user of a private
/// chat or basic group has an own copy with an own id).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BoxMessage {
    pub user_id: i64,
    /// The box owner's message id (1, 2, 3 ... per user).
    pub id: i32,
    pub peer: Peer,
    pub from_id: i64,
    pub out: bool,
    pub date: i64,
    pub message: String,
    pub entities: Vec<u8>,
    pub media: Vec<u8>,
    pub reply_to_msg_id: Option<i32>,
    pub random_id: Option<i64>,
    pub fwd: Vec<u8>,
    /// The box owner's pts right after this message was appended or last edited.
    pub pts: i32,
    pub edit_date: Option<i64>,
    /// The album id shared by every item of one album, if any.
    pub grouped_id: Option<i64>,
}

/// What `MessageStore::append` did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AppendOutcome {
    /// A new message was stored; id and pts were allocated.
    Created(BoxMessage),
    /// A message with the same `(user_id, random_id)` existed; nothing changed.
    Existing(BoxMessage),
}

impl AppendOutcome {
    /// The stored message, new or old.
    pub fn message(&self) -> &BoxMessage {
        match self {
            AppendOutcome::Created(m) | AppendOutcome::Existing(m) => m,
        }
    }

    /// Consumes the outcome, keeping the message.
    pub fn into_message(self) -> BoxMessage {
        match self {
            AppendOutcome::Created(m) | AppendOutcome::Existing(m) => m,
        }
    }

    /// True when this call stored a new message.
    pub fn is_created(&self) -> bool {
        matches!(self, AppendOutcome::Created(_))
    }
}

/// Input of `MessageStore::edit` (messages.editMessage).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MessageEdit {
    pub message: String,
    pub entities: Vec<u8>,
    pub media: Vec<u8>,
    pub edit_date: i64,
}

/// What `MessageStore::delete` did.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct DeleteOutcome {
    /// Ids that existed and are gone now.
    pub deleted_ids: Vec<i32>,
    /// The box owner's pts after the deletion (unchanged when nothing was deleted).
    pub pts: i32,
    /// `deleted_ids.len()`, as `pts_count` of updateDeleteMessages.
    pub pts_count: i32,
}

/// Pagination of messages.getHistory, exactly as core.telegram.org/api/offsets describes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct HistoryQuery {
    pub offset_id: i32,
    pub offset_date: i64,
    pub add_offset: i32,
    /// 1..=100; 0 or less means the default of 20, more than 100 is capped.
    pub limit: i32,
    /// Exclusive upper bound on ids when positive.
    pub max_id: i32,
    /// Exclusive lower bound on ids when positive.
    pub min_id: i32,
}

/// Largest page any list call returns.
pub const MAX_PAGE: i32 = 100;
/// Page size used when the caller passes 0.
pub const DEFAULT_PAGE: i32 = 20;

/// Pagination of messages.getDialogs (core.telegram.org/method/messages.getDialogs).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct DialogQuery {
    /// `top_date` of the last dialog of the previous page, 0 for the first page.
    pub offset_date: i64,
    /// `top_message` of the last dialog of the previous page, 0 for the first page.
    pub offset_id: i32,
    /// The last dialog of the previous page; lets paging continue inside the pinned list.
    pub offset_peer: Option<Peer>,
    /// 0 or less means the default of 20, more than 100 is capped.
    pub limit: i32,
    /// Leave pinned dialogs out entirely.
    pub exclude_pinned: bool,
}

/// One dialog of a user (core.telegram.org/constructor/dialog).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DialogRecord {
    pub peer: Peer,
    pub top_message: i32,
    pub top_date: i64,
    pub read_inbox_max_id: i32,
    pub read_outbox_max_id: i32,
    pub unread_count: i32,
    pub pinned: bool,
    pub unread_mark: bool,
}

/// A new user's pts before any update. Not 0: TDLib rejects an update whose pts is not
/// greater than its pts_count (UpdatesManager::add_pending_pts_update), so the first update
/// must carry pts 2 with pts_count 1, as Telegram's do.
pub const INITIAL_PTS: i32 = 1;

/// A user's update state (core.telegram.org/api/updates, updates.state).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct UserState {
    pub pts: i32,
    pub qts: i32,
    pub seq: i32,
    pub date: i64,
}

/// Clamps a client-supplied page size into `1..=MAX_PAGE`.
pub fn clamp_limit(limit: i32) -> i32 {
    if limit <= 0 {
        DEFAULT_PAGE
    } else {
        limit.min(MAX_PAGE)
    }
}
