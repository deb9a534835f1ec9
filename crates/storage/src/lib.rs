//! Echo's storage layer: one trait per aggregate ([`traits`]), plain records ([`types`]),
//! and one implementation on sqlx's `Any` driver that runs on SQLite and MySQL/MariaDB
//! ([`SqlStore`]), bundled as [`Storage`].
//!
//! Semantics follow core.telegram.org: auth keys and PFS binding (mtproto/auth_key,
//! api/pfs), login (api/auth), per-user message boxes and pts (api/updates), and paging
//! (api/offsets, implemented in [`history`]).
//!
//! # Tables
//!
//! Created by `sql/sqlite/0001_init.sql` / `sql/mysql/0001_init.sql`, applied by
//! [`Storage::connect`]:
//!
//! - `schema_migrations(version PK, name, applied_at)`: applied migration versions.
//! - `auth_keys(auth_key_id PK, auth_key, kind, expires_at, perm_auth_key_id, created_at)`:
//!   MTProto keys; `kind` 0 perm, 1 temp, 2 media temp.
//! - `users(id PK from 1000000, access_hash, phone UNIQUE, first_name, last_name, username,
//!   username_lower UNIQUE, about, last_seen_at, created_at, deleted)`.
//! - `authorizations(auth_key_id PK, user_id, hash, layer, api_id, device_model,
//!   system_version, app_version, system_lang_code, lang_pack, lang_code, ip, created_at,
//!   active_at)`: one per perm key; `user_id` NULL when logged out.
//! - `phone_codes(phone_code_hash PK, phone, code, created_at, expires_at, attempts)`.
//! - `user_states(user_id PK, pts, qts, seq, date, last_message_id)`: update state and the
//!   message id counter of each user's box.
//! - `messages(user_id, message_id, peer_type, peer_id, from_id, is_out, date, message,
//!   entities, media, reply_to_msg_id, random_id, fwd, pts, edit_date, grouped_id)`, PK
//!   `(user_id, message_id)`, UNIQUE `(user_id, random_id)`: per-user message boxes
//!   (`grouped_id`, the album id, added by `0010_grouped_id.sql`).
//! - `dialogs(user_id, peer_type, peer_id, top_message, top_date, read_inbox_max_id,
//!   read_outbox_max_id, unread_count, pinned_order, unread_mark)`, PK
//!   `(user_id, peer_type, peer_id)`.
//!
//! Later migrations document their tables in their own modules: `0002_updates.sql` in
//! [`updates_log`] (the per-user updates log, message links) and [`drafts`]; `0003_contacts.sql` in
//! [`contacts`] (contacts, remembered phone imports, blocked users, privacy rules); `0008_media.sql`
//! in [`media`] (photos, documents, their sizes, peer photos); `0009_channels.sql` in
//! [`channels`] (supergroups and broadcast channels: one message copy per channel).
//!
//! Peers are stored as `(peer_type, peer_id)` with 1 user, 2 chat, 3 channel; flags as
//! 0/1 integers; times as unix seconds.

pub mod admin;
pub mod channel_moderation;
pub mod channel_public;
pub mod channels;
pub mod chats;
pub mod contacts;
pub mod drafts;
pub mod error;
pub mod history;
pub mod media;
pub mod security;
mod sqlx_store;
mod storage;
pub mod traits;
pub mod types;
pub mod updates_log;

pub use admin::{AdminStore, AdminUser, UserListQuery, MAX_USER_PAGE};
pub use channel_moderation::{
    AdminGrant, BanGrant, ChannelToggle, PinChange, PIN_BODY, UNPIN_BODY,
};
pub use channel_public::{
    ChannelInviteRecord, InviteEdit, InviteImporterRecord, InviteUse, JoinRequestRecord,
};
pub use channels::{
    ChannelDeleted, ChannelEdit, ChannelMessage, ChannelParticipantRecord, ChannelPhoto,
    ChannelRead, ChannelRecord, ChannelRole, ChannelStore, ChannelUpdate, ChannelUpdateKind,
    ChatMigrated, ChatMigration, NewChannel, NewChannelMessage, ParticipantFilter, Posted,
    CHANNEL_ABOUT_MAX, CHANNEL_TITLE_MAX,
};
pub use chats::{ChatInviteRecord, ChatMember, ChatRecord, ChatStore, MigratedTo, CHAT_TITLE_MAX};
pub use contacts::{
    BlockStore, BlockedRecord, ContactRecord, ContactRelation, ContactStore, ImportedPhone,
    NewContact, PrivacyKey, PrivacyRule, PrivacyStore, ServiceUserStore,
};
pub use drafts::{DraftRecord, DraftStore};
pub use error::{StorageError, StorageResult};
pub use media::{DocumentRecord, MediaStore, PeerPhotoEntry, PhotoRecord, PhotoSizeRecord};
pub use security::{
    AuthorizationTtlStore, FloodStore, LoginTokenRecord, LoginTokenStore, PasswordRecord,
    PasswordStore, PendingLogin, SrpChallenge,
};
pub use sqlx_store::{Dialect, SqlStore};
pub use storage::Storage;
pub use traits::{
    AuthKeyStore, AuthorizationStore, DialogStore, MessageStore, PhoneCodeStore, StorageLifecycle,
    UpdateStateStore, UserStore,
};
pub use types::*;
pub use updates_log::{
    BoxChange, LoggedUpdate, MessageLink, MessageOrigin, ReadOutcome, UpdateEncoder, UpdateKind,
    UpdateLogStore,
};
